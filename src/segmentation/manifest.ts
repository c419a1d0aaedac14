/**
 * The model manifest: everything the pipeline needs to run a segmentation model, read from the
 * JSON file beside the .onnx in models/. Another model drops in by shipping another manifest.
 * It is also the single source of truth for the class list (names, groups, colors) everywhere:
 * worker, scene, CLI outputs and evaluation.
 */

import type { ComponentRule } from './component-rules';
import type { RefineRule } from './refine';
import { scopeProblems, type ModelScope } from './scope';

export type StructureGroup = 'bone' | 'vessel' | 'organ';
export const STRUCTURE_GROUPS: readonly StructureGroup[] = ['bone', 'vessel', 'organ'];

export interface ClassInfo {
  /** Label value in the model output and in labels.nii.gz (1..255; 0 is background, not listed). */
  id: number;
  /** Machine name, e.g. "liver". */
  name: string;
  /** Human label, e.g. "Liver". */
  label: string;
  group: StructureGroup;
  /** sRGB display color "#rrggbb". */
  color: string;
  /** Display opacity 0..1 the scene starts with (bone opaque, organs see-through). */
  opacity: number;
  /**
   * Names of reference-label classes (TotalSegmentator v2 "total") that this class covers;
   * evaluation maps a reference onto the model's classes through these.
   */
  sourceNames: string[];
  /** Post-processing: connected-component rule (at most N components, a minimum size, hole filling). */
  components?: ComponentRule;
  /** Post-processing: native-resolution HU refinement (bone: a minimum HU; lungs: a maximum; contrast vessel: a band from its median; optional growth through the band). */
  refine?: RefineRule;
}

export interface Normalization {
  /** HU are clamped to [clipMin, clipMax], then mapped to (hu - mean) / std. */
  clipMin: number;
  clipMax: number;
  mean: number;
  std: number;
}

export interface ModelManifest {
  /** Format version of this manifest. */
  format: 1;
  name: string;
  /** The .onnx file, relative to the manifest. */
  file: string;
  /** Name of the float32 input tensor, shape [1, 1, Z, Y, X]. */
  inputName: string;
  /** Name of the output tensor: per-voxel class id (ArgMax inside the graph), shape [1, Z, Y, X] or [1, 1, Z, Y, X]. */
  outputName: string;
  /**
   * Voxel spacing the model expects, mm, along x, y, z of its canonical grid. The canonical grid's
   * axes are patient L, P, S (LPS-aligned): the CT is resampled onto it before inference.
   */
  spacing: [number, number, number];
  /** Sliding-window patch size in voxels, [x, y, z]. */
  patchSize: [number, number, number];
  /** Fraction of the patch that neighbouring windows overlap (0 ≤ overlap < 1). */
  overlap: number;
  /** HU assumed outside the scanned field of view. */
  padHU: number;
  normalization: Normalization;
  classes: ClassInfo[];
  /** The body regions the model was trained on: a series whose Body Part Examined (or, without one, whose free-text names) lies outside is flagged (scope.ts). */
  scope?: ModelScope;
  /** Free-form provenance: data, hardware, steps, date, validation scores. */
  training?: Record<string, unknown>;
}

export class ManifestError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ManifestError';
  }
}

const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

function isVec3(v: unknown): v is [number, number, number] {
  return Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number' && Number.isFinite(x));
}

/** Validates parsed JSON as a ModelManifest; throws ManifestError naming the source and every problem. */
export function parseManifest(json: unknown, source = 'manifest'): ModelManifest {
  const problems: string[] = [];
  const m = json as Partial<ModelManifest> | null;
  if (!m || typeof m !== 'object') throw new ManifestError(`${source}: not a JSON object`);
  if (m.format !== 1) problems.push(`format must be 1 (got ${JSON.stringify(m.format)})`);
  for (const key of ['name', 'file', 'inputName', 'outputName'] as const) {
    if (typeof m[key] !== 'string' || !m[key]) problems.push(`${key} must be a non-empty string`);
  }
  if (!isVec3(m.spacing) || m.spacing.some((s) => s <= 0)) problems.push('spacing must be three positive numbers (mm)');
  if (!isVec3(m.patchSize) || m.patchSize.some((s) => !Number.isInteger(s) || s < 8)) {
    problems.push('patchSize must be three integers ≥ 8');
  }
  if (typeof m.overlap !== 'number' || !(m.overlap >= 0 && m.overlap < 1)) problems.push('overlap must be in [0, 1)');
  if (typeof m.padHU !== 'number') problems.push('padHU must be a number');
  const n = m.normalization;
  if (!n || typeof n !== 'object' || [n.clipMin, n.clipMax, n.mean, n.std].some((v) => typeof v !== 'number')) {
    problems.push('normalization needs numeric clipMin, clipMax, mean, std');
  } else if (!(n.clipMax > n.clipMin) || !(n.std > 0)) {
    problems.push('normalization needs clipMax > clipMin and std > 0');
  }
  if (!Array.isArray(m.classes) || m.classes.length === 0) {
    problems.push('classes must be a non-empty array');
  } else {
    const ids = new Set<number>();
    m.classes.forEach((c, index) => {
      const where = `classes[${index}]`;
      if (!Number.isInteger(c.id) || c.id < 1 || c.id > 255) problems.push(`${where}.id must be an integer 1..255`);
      if (ids.has(c.id)) problems.push(`${where}.id ${c.id} is repeated`);
      ids.add(c.id);
      if (typeof c.name !== 'string' || !c.name) problems.push(`${where}.name must be a non-empty string`);
      if (typeof c.label !== 'string' || !c.label) problems.push(`${where}.label must be a non-empty string`);
      if (!STRUCTURE_GROUPS.includes(c.group)) {
        problems.push(`${where}.group must be one of ${STRUCTURE_GROUPS.join(', ')} (got ${JSON.stringify(c.group)})`);
      }
      if (typeof c.color !== 'string' || !HEX_COLOR.test(c.color)) problems.push(`${where}.color must be "#rrggbb"`);
      if (typeof c.opacity !== 'number' || c.opacity < 0 || c.opacity > 1) problems.push(`${where}.opacity must be in [0, 1]`);
      if (!Array.isArray(c.sourceNames) || c.sourceNames.some((s) => typeof s !== 'string')) {
        problems.push(`${where}.sourceNames must be an array of strings`);
      }
      if (c.components !== undefined) {
        const r = c.components;
        if (!r || typeof r !== 'object') problems.push(`${where}.components must be an object`);
        else {
          if (r.max !== undefined && !(Number.isInteger(r.max) && r.max >= 1)) problems.push(`${where}.components.max must be an integer ≥ 1`);
          if (r.minMl !== undefined && !(typeof r.minMl === 'number' && r.minMl >= 0)) problems.push(`${where}.components.minMl must be a number ≥ 0`);
          if (r.fillHoles !== undefined && typeof r.fillHoles !== 'boolean') problems.push(`${where}.components.fillHoles must be true or false`);
          if (r.maxHoleMm2 !== undefined && !(typeof r.maxHoleMm2 === 'number' && r.maxHoleMm2 > 0)) problems.push(`${where}.components.maxHoleMm2 must be a number > 0 (mm²)`);
        }
      }
      if (c.refine !== undefined) {
        const r = c.refine;
        if (!r || typeof r !== 'object') problems.push(`${where}.refine must be an object`);
        else {
          if (r.minHU !== undefined && typeof r.minHU !== 'number') problems.push(`${where}.refine.minHU must be a number (HU)`);
          if (r.contrast !== undefined && typeof r.contrast !== 'boolean') problems.push(`${where}.refine.contrast must be true or false`);
          if (r.remove !== undefined && typeof r.remove !== 'boolean') problems.push(`${where}.refine.remove must be true or false`);
          if (r.maxHU !== undefined && typeof r.maxHU !== 'number') problems.push(`${where}.refine.maxHU must be a number (HU)`);
          if (r.growMm !== undefined && !(typeof r.growMm === 'number' && r.growMm >= 0)) problems.push(`${where}.refine.growMm must be a number ≥ 0 (mm)`);
          if (r.marrow !== undefined) {
            const mr = r.marrow;
            if (!mr || typeof mr !== 'object' || !(typeof mr.maxMm2 === 'number' && mr.maxMm2 > 0)) problems.push(`${where}.refine.marrow needs maxMm2, a number > 0 (mm²)`);
            else if (mr.fluidStaysOpen !== undefined && typeof mr.fluidStaysOpen !== 'boolean') problems.push(`${where}.refine.marrow.fluidStaysOpen must be true or false`);
          }
          if ([r.minHU !== undefined, r.maxHU !== undefined, !!r.contrast].filter(Boolean).length !== 1) problems.push(`${where}.refine needs one of minHU, maxHU or contrast: true`);
        }
      }
    });
  }
  if (m.scope !== undefined) problems.push(...scopeProblems(m.scope));
  if (problems.length) throw new ManifestError(`${source} is not a valid model manifest:\n- ${problems.join('\n- ')}`);
  return m as ModelManifest;
}

/** "#rrggbb" → [r, g, b] in 0..1. */
export function hexToRgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [((v >> 16) & 255) / 255, ((v >> 8) & 255) / 255, (v & 255) / 255];
}
