/**
 * Is a series within what the model was trained on? A torso model run on a head CT still labels
 * every voxel (on a real head CT the shipped model called brain bone, liver and heart), and its
 * output looks like a segmentation. The series' DICOM Body Part Examined (0018,0015) is the coded
 * statement of its region, so the check reads that first. It is optional in a CT (type 3) and many
 * exports leave it empty; then the examination's free-text names are read (Series Description,
 * Protocol Name, Study Description: see checkSeriesNames). The report says so when the region lies
 * outside the model's scope. A NIfTI file carries none of these: no claim.
 */
import { checkSeriesNames } from './scope-names';
import { letterRuns, matchesWord, notReliable } from './scope-words';

export interface ModelScope {
  /** What the model was trained on, for the reader: e.g. "adult CT of the chest, abdomen and pelvis". */
  description: string;
  /** Words of Body Part Examined within the scope ("CHEST", "ABD", "PELVI", …): see matchesWord in scope-words.ts. */
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

/** The note shown when a series lies outside the scope; `subject` says what named the region ("the series' Body Part Examined", "the host's series' region"). */
export function outOfScopeNote(bodyPart: string, description?: string, subject = "the series' Body Part Examined"): string {
  return `${subject} is "${bodyPart}", ${notReliable(description)}`;
}

/** Values that name no region: no claim either way. */
const NO_REGION = new Set(['UNKNOWN', 'OTHER', 'NONE', 'CT', 'CTA', 'ANGIO']);

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
