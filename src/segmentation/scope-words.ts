/**
 * The words of a region as the scope check reads them: runs of capital letters of a DICOM value or free
 * text, a scope word found among them, and the common end of every out-of-scope note.
 */

/** Capitals without accents, split into runs of letters: "Tórax / Abdomen" → ["TORAX", "ABDOMEN"]. */
export function letterRuns(value: string): string[] {
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
export function matchesWord(runs: readonly string[], word: string, within = true): boolean {
  const w = letterRuns(word).join('');
  if (!w) return false;
  const pieces = [...runs, ...runs.slice(0, -1).flatMap((r, i) => (r.length <= 2 ? [r + runs[i + 1]] : []))];
  return pieces.some((p) => p.startsWith(w) || (within && w.length >= 4 && p.includes(w))) || runs.join('') === w;
}

/** The end every out-of-scope note shares: whom the labels fail, and what to do. */
export function notReliable(description?: string): string {
  return `not (or not only) what this model was trained on${description ? ` (${description})` : ''}: its labels of this scan are not reliable; read every structure against the CT`;
}
