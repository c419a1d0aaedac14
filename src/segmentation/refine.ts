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
  /** Also give back to background the mask's edge voxels outside the band (chosen per class on the cases). */
  remove?: boolean;
}

export interface RefineOptions {
  /** How far from the network's mask the HU may decide, mm (a box: along each axis). */
  distanceMm: number;
  /** Claim background voxels in the band next to the mask. */
  add: boolean;
  /** Give back to background the mask's edge voxels outside the band: where the class's rule says, for every class, or never. */
  remove: 'rule' | 'all' | 'none';
  /** A contrast class with a median HU below this is not refined (non-contrast phase). */
  minContrastHU: number;
}

export const DEFAULT_REFINE: RefineOptions = { distanceMm: 2, add: true, remove: 'rule', minContrastHU: 150 };

/** The top of the band when a rule sets none: above any CT value (int16), and finite for report.json. */
export const NO_UPPER_HU = 32767;

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
  if (rule.minHU !== undefined) return [rule.minHU, NO_UPPER_HU];
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
    // work in the class's bounding box grown by the radius: a vessel tree or a skeleton rarely fills the CT
    const box = boundingBox(data, dims, classId, radius);
    if (!box) { result.band = null; continue; }
    const [bx, by, bz] = box.size;
    const mask = new Uint8Array(bx * by * bz);
    forEachInBox(box, dims, (n, b) => { mask[b] = data[n] === classId ? 1 : 0; });
    const inBand = (n: number) => hu[n] >= band[0] && hu[n] <= band[1];
    if (options.add) {
      const near = dilateBox(mask, box.size, radius);
      forEachInBox(box, dims, (n, b) => {
        if (near[b] && !mask[b] && data[n] === 0 && (!inside || inside[n]) && inBand(n)) { data[n] = classId; result.added++; }
      });
    }
    if (options.remove === 'all' || (options.remove === 'rule' && rule.remove)) {
      const core = erodeBox(mask, box.size, radius);
      forEachInBox(box, dims, (n, b) => {
        if (mask[b] && !core[b] && !inBand(n)) { data[n] = 0; result.removed++; }
      });
    }
  }
  return results;
}

interface Box {
  start: [number, number, number];
  size: [number, number, number];
}

/** The bounding box of `classId`'s voxels, grown by `margin` voxels and clipped to the grid; null when absent. */
function boundingBox(data: Uint8Array, dims: readonly [number, number, number], classId: number, margin: readonly [number, number, number]): Box | null {
  const [nx, ny, nz] = dims;
  const lo = [nx, ny, nz], hi = [-1, -1, -1];
  let n = 0;
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++, n++) {
    if (data[n] !== classId) continue;
    if (i < lo[0]) lo[0] = i; if (i > hi[0]) hi[0] = i;
    if (j < lo[1]) lo[1] = j; if (j > hi[1]) hi[1] = j;
    if (k < lo[2]) lo[2] = k; if (k > hi[2]) hi[2] = k;
  }
  if (hi[0] < 0) return null;
  const start = [0, 1, 2].map((a) => Math.max(0, lo[a] - margin[a])) as [number, number, number];
  const end = [0, 1, 2].map((a) => Math.min(dims[a] - 1, hi[a] + margin[a])) as [number, number, number];
  return { start, size: [end[0] - start[0] + 1, end[1] - start[1] + 1, end[2] - start[2] + 1] };
}

/** Calls `visit(index in the grid, index in the box)` for every voxel of the box. */
function forEachInBox(box: Box, dims: readonly [number, number, number], visit: (n: number, b: number) => void): void {
  const [sx, sy, sz] = box.start;
  const [bx, by, bz] = box.size;
  let b = 0;
  for (let k = 0; k < bz; k++) for (let j = 0; j < by; j++) {
    let n = sx + dims[0] * (sy + j + dims[1] * (sz + k));
    for (let i = 0; i < bx; i++, b++, n++) visit(n, b);
  }
}
