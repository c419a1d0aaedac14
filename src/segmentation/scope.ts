/**
 * Is a series within what the model was trained on? A torso model run on a head CT still labels
 * every voxel (on a real head CT the shipped model called brain bone, liver and heart), and its
 * output looks like a segmentation. The series' own DICOM Body Part Examined (0018,0015) is the one
 * statement of region a hospital sends with every CT, so the check reads that, and says so in the
 * report when the region lies outside the model's scope. A NIfTI file carries no body part: no claim.
 */

export interface ModelScope {
  /** What the model was trained on, for the reader: e.g. "adult chest, abdomen and pelvis CT". */
  description: string;
  /**
   * Words of Body Part Examined within the scope ("CHEST", "ABD", "PELVIS", …). A value is in scope
   * when, in capitals with everything but letters dropped, it contains one of them: the DICOM terms
   * (CHESTABDPELVIS) and the free text some scanners write ("Abdomen / Pelvis") both match.
   */
  bodyParts: string[];
}

export interface ScopeCheck {
  /** Body Part Examined as the series gives it. */
  bodyPart: string;
  inScope: boolean;
  /** For the report and the app, when out of scope. */
  note?: string;
}

/** Capitals, letters only: "Abdomen / Pelvis" → "ABDOMENPELVIS". */
function normalizeBodyPart(value: string): string {
  return value.toUpperCase().replace(/[^A-Z]/g, '');
}

/** The check of one series against a model's scope; undefined when the series names no body part or the model declares no scope. */
export function checkScope(bodyPart: string | undefined, scope: ModelScope | undefined): ScopeCheck | undefined {
  const value = bodyPart?.trim();
  if (!value || !scope) return undefined;
  const normalized = normalizeBodyPart(value);
  const inScope = scope.bodyParts.some((word) => normalized.includes(normalizeBodyPart(word)));
  if (inScope) return { bodyPart: value, inScope };
  return {
    bodyPart: value,
    inScope,
    note: `the series' Body Part Examined is "${value}", outside what this model was trained on (${scope.description}): its labels of this scan are not reliable; read every structure against the CT`,
  };
}

/** Problems with a manifest's scope field, for parseManifest. */
export function scopeProblems(scope: unknown, where = 'scope'): string[] {
  const s = scope as Partial<ModelScope> | null;
  if (!s || typeof s !== 'object') return [`${where} must be an object`];
  const problems: string[] = [];
  if (typeof s.description !== 'string' || !s.description) problems.push(`${where}.description must be a non-empty string`);
  if (!Array.isArray(s.bodyParts) || s.bodyParts.length === 0 || s.bodyParts.some((w) => typeof w !== 'string' || !normalizeBodyPart(w))) {
    problems.push(`${where}.bodyParts must be a non-empty array of words with letters`);
  }
  return problems;
}
