/**
 * Refinement at the CT's own resolution. The network sees a 2 mm grid, but bone cortex and
 * contrast-filled vessels are thinner: near the edge of the network's mask (within `distanceMm`),
 * the HU of each native voxel decides. Bone: at or above a fixed HU. Contrast vessel: above the
 * half-way point between the vessel's own median HU and soft tissue (the classic half-maximum
 * edge), so the band follows the phase; a class whose median is below `minContrastHU` (no
 * contrast) is left alone.
 */
import type { LabelMap } from '../volume/types';
import { dilateBox, erodeBox, radiusInVoxels } from './morphology';

export interface RefineRule {
  /** Bone-like: a voxel belongs when its HU is at least this. */
  minHU?: number;
  /** Contrast vessel: the band comes from the structure's own median HU. */
  contrast?: boolean;
}

export interface RefineOptions {
  /** How far from the network's mask the HU may decide, mm (a box: along each axis). */
  distanceMm: number;
  /** Claim background voxels in the band next to the mask. */
  add: boolean;
  /** Give back to background the mask's edge voxels outside the band. */
  remove: boolean;
  /** A contrast class with a median HU below this is not refined (non-contrast phase). */
  minContrastHU: number;
}

export const DEFAULT_REFINE: RefineOptions = { distanceMm: 2, add: true, remove: false, minContrastHU: 150 };

/** Soft tissue HU: the other side of a contrast vessel's edge. */
const SOFT_TISSUE_HU = 40;

export interface RefineResult {
  classId: number;
  /** HU band used, or null when the class was left alone (absent, or no contrast). */
  band: [number, number] | null;
  added: number;
  removed: number;
}

/** Median of the HU under a mask (integer histogram over −1024…3071). */
export function medianHU(hu: ArrayLike<number>, mask: (n: number) => boolean, length: number): number | null {
  const histogram = new Uint32Array(4096);
  let count = 0;
  for (let n = 0; n < length; n++) {
    if (!mask(n)) continue;
    histogram[Math.min(4095, Math.max(0, Math.round(hu[n]) + 1024))]++;
    count++;
  }
  if (count === 0) return null;
  let seen = 0;
  for (let b = 0; b < 4096; b++) {
    seen += histogram[b];
    if (seen * 2 >= count) return b - 1024;
  }
  return null;
}

/** The HU band of a class under its rule, or null when the rule does not apply to this scan. */
export function refineBand(rule: RefineRule, hu: ArrayLike<number>, labels: Uint8Array, classId: number, minContrastHU: number): [number, number] | null {
  if (rule.minHU !== undefined) return [rule.minHU, Infinity];
  if (!rule.contrast) return null;
  const median = medianHU(hu, (n) => labels[n] === classId, labels.length);
  if (median === null || median < minContrastHU) return null;
  const edge = (median + SOFT_TISSUE_HU) / 2;
  return [edge, median + (median - edge) * 3];
}

/**
 * Refines the classes that have a rule, in place, on `labels` (the CT's own grid, `hu` on the same
 * grid). Voxels outside `inside` (the body) are never claimed; only background is claimed.
 */
export function refineByHU(
  labels: LabelMap,
  hu: ArrayLike<number>,
  rules: ReadonlyMap<number, RefineRule>,
  options: RefineOptions,
  inside?: Uint8Array,
): RefineResult[] {
  const { dims, data } = labels;
  const radius = radiusInVoxels(options.distanceMm, labels.spacing);
  const results: RefineResult[] = [];
  for (const [classId, rule] of rules) {
    const band = refineBand(rule, hu, data, classId, options.minContrastHU);
    const result: RefineResult = { classId, band, added: 0, removed: 0 };
    results.push(result);
    if (!band) continue;
    const mask = new Uint8Array(data.length);
    let any = false;
    for (let n = 0; n < data.length; n++) if (data[n] === classId) { mask[n] = 1; any = true; }
    if (!any) { result.band = null; continue; }
    const inBand = (n: number) => hu[n] >= band[0] && hu[n] <= band[1];
    if (options.add) {
      const near = dilateBox(mask, dims, radius);
      for (let n = 0; n < data.length; n++) {
        if (near[n] && !mask[n] && data[n] === 0 && (!inside || inside[n]) && inBand(n)) { data[n] = classId; result.added++; }
      }
    }
    if (options.remove) {
      const core = erodeBox(mask, dims, radius);
      for (let n = 0; n < data.length; n++) {
        if (mask[n] && !core[n] && !inBand(n)) { data[n] = 0; result.removed++; }
      }
    }
  }
  return results;
}
