/**
 * A series' region read from its free-text names (Series Description, Protocol Name, Study
 * Description), for a series whose Body Part Examined names none (scope.ts reads that first).
 */
import type { ModelScope, ScopeCheck } from './scope';
import { letterRuns, matchesWord, notReliable } from './scope-words';

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

/** The note shown when a free-text name of the series names a region outside the scope. */
export function outOfScopeNameNote(attribute: string, words: string, description?: string): string {
  return `the series' ${attribute} names ${words}: ${notReliable(description)}`;
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
