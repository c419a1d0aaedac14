/**
 * Is a series within what the model was trained on? A torso model run on a head CT still labels
 * every voxel (on a real head CT the shipped model called brain bone, liver and heart), and its
 * output looks like a segmentation. The series' DICOM Body Part Examined (0018,0015) is the coded
 * statement of its region, so the check reads that first. It is optional in a CT (type 3) and many
 * exports leave it empty; then the examination's free-text names are read (Series Description,
 * Protocol Name, Study Description: see checkSeriesNames). The report says so when the region lies
 * outside the model's scope. A NIfTI file carries none of these: no claim.
 */

export interface ModelScope {
  /** What the model was trained on, for the reader: e.g. "adult CT of the chest, abdomen and pelvis". */
  description: string;
  /** Words of Body Part Examined within the scope ("CHEST", "ABD", "PELVI", …): see {@link matchesWord}. */
  bodyParts: string[];
  /** Words of regions outside it ("HEAD", "NECK", "KNEE", …): a value naming one is flagged even when it also names a region within ("NECKCHEST"). */
  notCovered: string[];
}

export interface ScopeCheck {
  /** Body Part Examined as the series gives it; from a free-text name, the scope's words it holds ("HEAD"), never the text itself. */
  bodyPart: string;
  /** The DICOM attribute the region was read from, when not Body Part Examined ("Study Description"). */
  from?: string;
  inScope: boolean;
  /** For the report and the app, when out of scope. */
  note?: string;
}

/** Values that name no region: no claim either way. */
const NO_REGION = new Set(['UNKNOWN', 'OTHER', 'NONE', 'CT', 'CTA', 'ANGIO']);

/** Capitals without accents, split into runs of letters: "Tórax / Abdomen" → ["TORAX", "ABDOMEN"]. */
function letterRuns(value: string): string[] {
  return value.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toUpperCase().split(/[^A-Z]+/).filter(Boolean);
}

/**
 * A word names a region of the value when one of its runs of letters starts with the word ("ABD" in
 * "ABD PEL", "RIB" in "RIBS") or, for words of 4 letters or more, contains it ("CHEST" in
 * "CHESTABDPELVIS", "BODY" in "WHOLEBODY"). A run of one or two letters also counts joined to the next
 * ("L-SPINE" is LSPINE, "C-SPINE" CSPINE), and the letters of the whole value together may equal the
 * word ("C/A/P" is CAP). Short words need a run's start, so "CAP" does not match "SCAPULA", and runs are
 * not joined otherwise, so "THORACIC SPINE" holds no CSPINE.
 */
function matchesWord(runs: readonly string[], word: string, within = true): boolean {
  const w = letterRuns(word).join('');
  if (!w) return false;
  const pieces = [...runs, ...runs.slice(0, -1).flatMap((r, i) => (r.length <= 2 ? [r + runs[i + 1]] : []))];
  return pieces.some((p) => p.startsWith(w) || (within && w.length >= 4 && p.includes(w))) || runs.join('') === w;
}

/** The free-text attributes that name an examination, from the most specific to the least: the first that names a region decides. */
export interface SeriesNames {
  seriesDescription?: string;
  protocolName?: string;
  studyDescription?: string;
}

const NAME_ATTRIBUTES: [keyof SeriesNames, string][] = [
  ['seriesDescription', 'Series Description'],
  ['protocolName', 'Protocol Name'],
  ['studyDescription', 'Study Description'],
];

/** Pairs of words that say how the patient lay or which way the scan ran, not what was scanned ("THORAX ARMS UP", "HEAD FIRST"). */
const POSITION_PAIRS = new Set([
  'ARMS UP', 'ARMS DOWN', 'ARMS RAISED', 'ARMS ABOVE', 'ABOVE HEAD', 'ARM UP', 'ARM DOWN', 'ARME HOCH', 'ARME OBEN', 'BRAS LEVES',
  'HEAD FIRST', 'FEET FIRST', 'FACE UP', 'FACE DOWN', 'HANDS UP',
]);
/** Single words of direction ("craniocaudal"), not region. */
const DIRECTION_WORDS = new Set(['CRANIOCAUDAL', 'CAUDOCRANIAL', 'CRANIAL', 'CAUDAL']);

/** The runs of letters of a free-text name, without the words of position and direction. */
function freeTextRuns(value: string): string[] {
  const runs = letterRuns(value);
  const drop = new Set<number>();
  runs.forEach((r, i) => {
    if (DIRECTION_WORDS.has(r)) drop.add(i);
    if (i + 1 < runs.length && POSITION_PAIRS.has(`${r} ${runs[i + 1]}`)) drop.add(i).add(i + 1);
  });
  return runs.filter((_, i) => !drop.has(i));
}

/**
 * A word of the scope found in free text: at the start of a run of letters (FACE is not in SURFACE);
 * a region outside the scope of three letters or fewer only as the whole run or its plural (ARM in
 * ARMS, not in ARMSTRONG; LEG not in LEGACY).
 */
function inFreeText(runs: readonly string[], word: string, outside: boolean): boolean {
  const w = letterRuns(word).join('');
  if (outside && w.length <= 3) return runs.some((r) => r === w || r === `${w}S`) || runs.join('') === w;
  return matchesWord(runs, w, false);
}

/** The note shown when a series lies outside the scope; `subject` says what named the region ("the series' Body Part Examined", "the host's series' region"). */
export function outOfScopeNote(bodyPart: string, description?: string, subject = "the series' Body Part Examined"): string {
  return `${subject} is "${bodyPart}", not (or not only) what this model was trained on${description ? ` (${description})` : ''}: its labels of this scan are not reliable; read every structure against the CT`;
}

/** The note shown when a free-text name of the series names a region outside the scope. */
export function outOfScopeNameNote(attribute: string, words: string, description?: string): string {
  return `the series' ${attribute} names ${words}: not (or not only) what this model was trained on${description ? ` (${description})` : ''}: its labels of this scan are not reliable; read every structure against the CT`;
}

/**
 * The check of a series by its free-text names, when Body Part Examined names no region. The most
 * specific name that names a region decides (a head series of a head-to-pelvis trauma study is named
 * by its Series Description, not by the study), and within it a region outside the scope is flagged
 * as Body Part Examined's are ("NECK CHEST" reaches the neck). Words of position and direction are
 * left out first ("ARMS UP", "HEAD FIRST", "CRANIOCAUDAL"). The check carries the scope's words (at
 * most two), never the text, which may hold anything a technologist typed.
 */
export function checkSeriesNames(names: SeriesNames, scope: ModelScope | undefined): ScopeCheck | undefined {
  if (!scope) return undefined;
  for (const [key, attribute] of NAME_ATTRIBUTES) {
    const runs = freeTextRuns(names[key] ?? '');
    if (!runs.length) continue;
    const outside = scope.notCovered.filter((w) => inFreeText(runs, w, true));
    if (outside.length) {
      const words = outside.slice(0, 2).join(' ');
      return { bodyPart: words, from: attribute, inScope: false, note: outOfScopeNameNote(attribute, words, scope.description) };
    }
    const within = scope.bodyParts.filter((w) => inFreeText(runs, w, false));
    if (within.length) return { bodyPart: within.slice(0, 2).join(' '), from: attribute, inScope: true };
  }
  return undefined;
}

/** A series as the scope check reads it (a DICOM series summary has these fields). */
export interface SeriesRegion {
  /** Body Part Examined (0018,0015). */
  bodyPart?: string;
  /** Series Description (0008,103E). */
  description?: string;
  protocolName?: string;
  studyDescription?: string;
}

/** The check of a series: its Body Part Examined when that names a region, else its free-text names. */
export function checkSeriesScope(series: SeriesRegion, scope: ModelScope | undefined): ScopeCheck | undefined {
  return checkScope(series.bodyPart, scope)
    ?? checkSeriesNames({ seriesDescription: series.description, protocolName: series.protocolName, studyDescription: series.studyDescription }, scope);
}

/** The check of one series' Body Part Examined against a model's scope; undefined when it names no region or the model declares no scope. */
export function checkScope(bodyPart: string | undefined, scope: ModelScope | undefined): ScopeCheck | undefined {
  const value = bodyPart?.trim();
  if (!value || !scope) return undefined;
  const runs = letterRuns(value);
  if (runs.length === 0 || NO_REGION.has(runs.join(''))) return undefined;
  const inScope = scope.bodyParts.some((w) => matchesWord(runs, w)) && !scope.notCovered.some((w) => matchesWord(runs, w));
  return inScope ? { bodyPart: value, inScope } : { bodyPart: value, inScope, note: outOfScopeNote(value, scope.description) };
}

/** The body part of a series outside the scope, undefined otherwise: what exports and team packages carry. */
export function outOfScopeBodyPart(check: ScopeCheck | undefined): string | undefined {
  return check && !check.inScope ? check.bodyPart : undefined;
}

/** The check's line among a report's notes ("scope: …"), when it has a note. */
export function scopeNoteLine(check: ScopeCheck | undefined): string | undefined {
  return check?.note ? `scope: ${check.note}` : undefined;
}

/** Problems with a manifest's scope field, for parseManifest. */
export function scopeProblems(scope: unknown, where = 'scope'): string[] {
  const s = scope as Partial<ModelScope> | null;
  if (!s || typeof s !== 'object') return [`${where} must be an object`];
  const problems: string[] = [];
  if (typeof s.description !== 'string' || !s.description) problems.push(`${where}.description must be a non-empty string`);
  for (const key of ['bodyParts', 'notCovered'] as const) {
    const words = s[key];
    // a word without letters would match every value
    if (!Array.isArray(words) || words.length === 0 || words.some((w) => typeof w !== 'string' || letterRuns(w).length === 0)) {
      problems.push(`${where}.${key} must be a non-empty array of words with letters`);
    }
  }
  return problems;
}
