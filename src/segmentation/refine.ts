/**
 * Refinement at the CT's own resolution. The network sees a 2 mm grid, but bone cortex and
 * contrast-filled vessels are thinner: near the edge of the network's mask (within `distanceMm`),
 * the HU of each native voxel decides. Bone: at or above a fixed HU. Contrast vessel: above the
 * half-way point between the vessel's own median HU and soft tissue (the classic half-maximum
 * edge), so the band follows the phase; a class whose median is below `minContrastHU` (no
 * contrast) is left alone. Air-like (lungs): at or below a fixed HU. A rule may also grow its class
 * through connected voxels of its band beyond that reach (grow.ts): what the network found of a
 * structure finds the rest of it where the HU alone tells it. Bone then gets the marrow its cortex
 * encloses (marrow.ts).
 */
import type { LabelMap } from '../volume/types';
import { growGeodesic } from './grow';
import { fillMarrow, type MarrowRule } from './marrow';
import { dilateBoxInPlace, erodeBoxInPlace, radiusInVoxels } from './morphology';

export interface RefineRule {
  /** Bone-like: a voxel belongs when its HU is at least this. */
  minHU?: number;
  /** Air-like (lungs): a voxel belongs when its HU is at most this. */
  maxHU?: number;
  /** Contrast vessel: the band comes from the structure's own median HU. */
  contrast?: boolean;
  /** Also give back to background the mask's edge voxels outside the band (chosen per class on the cases). */
  remove?: boolean;
  /**
   * Then claim band voxels connected to the class (6-connected, inside the body) up to this path length,
   * mm, beyond the box reach; after every class's band step (only what no band claimed), and not
   * through the HU band of this scan's contrast vessels (where a contrast class found one).
   */
  growMm?: number;
  /** Bone: last, fill the marrow the class encloses per axial slice (marrow.ts). */
  marrow?: MarrowRule;
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

/**
 * 3 mm, chosen on the four cases (docs/accuracy.md): on a CT of 3 mm voxels (A) a 2 mm reach holds no
 * voxel (reach is to voxel centres), so nothing was refined there; 3 mm: A bone IoU 0.415 → 0.481 (fold A),
 * D pulmonary-artery recall 0.806 → 0.824; B within 0.002; C's vessels (fold C) IoU 0.133 → 0.131
 * (precision +0.005, recall −0.010: vessels' edge trimming reaches further too), T12 recall +0.004
 * (measured 2026-12-02 with vessels trimmed; with today's rules 3 and 4 mm score alike on every held-out
 * case, 2 mm loses on A and C: docs/accuracy.md).
 */
export const DEFAULT_REFINE: RefineOptions = { distanceMm: 3, add: true, remove: 'rule', minContrastHU: 150 };

/** The top of the band when a rule sets none: above any CT value (int16), and finite for report.json. */
export const NO_UPPER_HU = 32767;
/** The bottom of the band when a rule sets none: below any CT value. */
export const NO_LOWER_HU = -32768;

/** Soft tissue HU: the other side of a contrast vessel's edge. */
const SOFT_TISSUE_HU = 40;

export interface RefineResult {
  classId: number;
  /** HU band used, or null when the class was left alone (absent, or no contrast). */
  band: [number, number] | null;
  added: number;
  removed: number;
  /** Claimed by growth through the band (rule.growMm), beyond `added`. */
  grown: number;
  /** Marrow filled inside the class (rule.marrow), beyond `added` and `grown`. */
  marrow: number;
}

/** Bins of the HU histograms (integer HU −1024…3071, clamped). */
const HU_BINS = 4096;
const huBin = (hu: number) => Math.min(HU_BINS - 1, Math.max(0, Math.round(hu) + 1024));

/** Median of a histogram of `huBin`s, or null when it is empty. */
function histogramMedian(histogram: Uint32Array): number | null {
  let count = 0;
  for (let b = 0; b < HU_BINS; b++) count += histogram[b];
  if (count === 0) return null;
  let seen = 0;
  for (let b = 0; b < HU_BINS; b++) {
    seen += histogram[b];
    if (seen * 2 >= count) return b - 1024;
  }
  return null;
}

/** Median of the HU under a mask (integer histogram over −1024…3071). */
export function medianHU(hu: ArrayLike<number>, mask: (n: number) => boolean, length: number): number | null {
  const histogram = new Uint32Array(HU_BINS);
  for (let n = 0; n < length; n++) if (mask(n)) histogram[huBin(hu[n])]++;
  return histogramMedian(histogram);
}

/** The HU band of a rule given the class's median HU (null: absent), or null when the rule does not apply. */
function bandOf(rule: RefineRule, median: number | null, minContrastHU: number): [number, number] | null {
  if (rule.minHU !== undefined) return [rule.minHU, NO_UPPER_HU];
  if (rule.maxHU !== undefined) return [NO_LOWER_HU, rule.maxHU];
  if (!rule.contrast) return null;
  if (median === null || median < minContrastHU) return null;
  const edge = (median + SOFT_TISSUE_HU) / 2;
  return [edge, median + (median - edge) * 3];
}

/** The HU band of a class under its rule, or null when the rule does not apply to this scan. */
export function refineBand(rule: RefineRule, hu: ArrayLike<number>, labels: Uint8Array, classId: number, minContrastHU: number): [number, number] | null {
  const median = rule.minHU === undefined && rule.maxHU === undefined && rule.contrast ? medianHU(hu, (n) => labels[n] === classId, labels.length) : null;
  return bandOf(rule, median, minContrastHU);
}

/**
 * Refines the classes that have a rule, in place, on `labels` (the CT's own grid, `hu` on the same
 * grid). Voxels outside `inside` (the body) are never claimed; only background is claimed.
 * A class's voxels change only in its own step (others claim background, and remove only their
 * own), so every class's bounding box and median come from one pass over the labels before any
 * step; each step then works in its class's box only, with one reused scratch mask. Contrast
 * vessels step first, then growth (see below), then the marrow fill; results are in the rules' order.
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
  const contrastIds = [...rules].filter(([, rule]) => rule.minHU === undefined && rule.maxHU === undefined && rule.contrast).map(([id]) => id);
  const stats = classStats(data, dims, hu, [...rules.keys()], contrastIds);
  const boxes = new Map<number, Box | null>();
  for (const classId of rules.keys()) boxes.set(classId, grownBox(stats.get(classId)!, dims, radius));
  const boxVoxels = (ids: number[]) => Math.max(0, ...ids.map((id) => boxes.get(id)).map((b) => (b ? b.size[0] * b.size[1] * b.size[2] : 0)));
  const removes = (rule: RefineRule) => options.remove === 'all' || (options.remove === 'rule' && !!rule.remove);
  const reachScratch = new Uint8Array(options.add ? boxVoxels([...rules.keys()]) : 0);
  const coreScratch = new Uint8Array(boxVoxels([...rules].filter(([, rule]) => removes(rule)).map(([id]) => id)));
  const results = new Map<number, RefineResult>([...rules.keys()].map((classId) => [classId, { classId, band: null, added: 0, removed: 0, grown: 0, marrow: 0 }]));
  // contrast vessels first: their band is the scan's own contrast, narrower than bone's fixed floor,
  // so a voxel near both masks in both bands (a vessel on the spine) is the vessel's
  const steps = [...rules].sort(([a], [b]) => Number(contrastIds.includes(b)) - Number(contrastIds.includes(a)));
  for (const [classId, rule] of steps) {
    const { histogram } = stats.get(classId)!;
    const band = bandOf(rule, histogram ? histogramMedian(histogram) : null, options.minContrastHU);
    const result = results.get(classId)!;
    result.band = band;
    if (!band) continue;
    const box = boxes.get(classId)!;
    if (!box) { result.band = null; continue; }
    const voxels = box.size[0] * box.size[1] * box.size[2];
    const [lo, hi] = band;
    // both decided on the class as it came in: its core before anything is claimed
    const core = removes(rule) ? erodeBoxInPlace(copyClassInBox(data, dims, box, classId, coreScratch.subarray(0, voxels)), box.size, radius) : null;
    if (options.add) {
      const reach = dilateBoxInPlace(copyClassInBox(data, dims, box, classId, reachScratch.subarray(0, voxels)), box.size, radius);
      forEachRowInBox(box, dims, (n, b, length) => {
        for (let t = 0; t < length; t++, n++, b++) {
          if (reach[b] && data[n] === 0 && (!inside || inside[n]) && hu[n] >= lo && hu[n] <= hi) { data[n] = classId; result.added++; }
        }
      });
    }
    if (core) {
      // claimed voxels are in the band, so only the class's own edge voxels can go
      forEachRowInBox(box, dims, (n, b, length) => {
        for (let t = 0; t < length; t++, n++, b++) {
          if (data[n] === classId && !core[b] && !(hu[n] >= lo && hu[n] <= hi)) { data[n] = 0; result.removed++; }
        }
      });
    }
  }
  if (options.add) {
    growThroughBands(labels, hu, rules, results, contrastIds, inside);
    // last: the cortex that the band steps and growth completed encloses more of the marrow
    for (const result of results.values()) {
      const marrow = rules.get(result.classId)!.marrow;
      if (marrow && result.band) result.marrow = fillMarrow(labels, hu, result.classId, marrow, inside);
    }
  }
  return [...results.values()];
}

/**
 * Growth, after every class's band step, and never through this scan's contrast (the bands its
 * contrast vessels showed): bone's band holds contrast-filled lumen too, so growing bone through it
 * on a CT angiogram floods the heart's chambers from a wrong seed (D: 7,400 more heart voxels as bone).
 */
function growThroughBands(
  labels: LabelMap,
  hu: ArrayLike<number>,
  rules: ReadonlyMap<number, RefineRule>,
  results: ReadonlyMap<number, RefineResult>,
  contrastIds: readonly number[],
  inside?: Uint8Array,
): void {
  const { dims, data } = labels;
  const contrastBands = contrastIds.map((id) => results.get(id)!.band).filter((band): band is [number, number] => band !== null);
  for (const result of results.values()) {
    const growMm = rules.get(result.classId)!.growMm;
    if (!growMm || !result.band) continue;
    const [lo, hi] = result.band;
    // a contrast class that grows goes through its own band (avoiding the other vessels' would stop it:
    // arteries' and veins' bands overlap)
    const avoid = contrastIds.includes(result.classId) ? [] : contrastBands;
    result.grown = growGeodesic(data, dims, labels.spacing, result.classId, growMm,
      (n) => data[n] === 0 && (!inside || inside[n] !== 0) && hu[n] >= lo && hu[n] <= hi && !avoid.some(([a, b]) => hu[n] >= a && hu[n] <= b));
  }
}

interface Box {
  start: [number, number, number];
  size: [number, number, number];
}

interface ClassStats {
  /** Bounding box of the class's voxels, inclusive; lo > hi when absent. */
  lo: [number, number, number];
  hi: [number, number, number];
  /** HU histogram of the class's voxels (contrast classes only). */
  histogram: Uint32Array | null;
}

/** One pass over the labels: each class's bounding box, and the HU histogram of the contrast classes. */
function classStats(data: Uint8Array, dims: readonly [number, number, number], hu: ArrayLike<number>, classIds: number[], contrastIds: number[]): Map<number, ClassStats> {
  const [nx, ny, nz] = dims;
  const stats = new Map<number, ClassStats>();
  const byLabel: Array<ClassStats | undefined> = new Array(256);
  for (const id of classIds) {
    const s: ClassStats = { lo: [nx, ny, nz], hi: [-1, -1, -1], histogram: contrastIds.includes(id) ? new Uint32Array(HU_BINS) : null };
    stats.set(id, s);
    byLabel[id] = s;
  }
  let n = 0;
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++, n++) {
    const label = data[n];
    if (label === 0) continue;
    const s = byLabel[label];
    if (!s) continue;
    if (i < s.lo[0]) s.lo[0] = i; if (i > s.hi[0]) s.hi[0] = i;
    if (j < s.lo[1]) s.lo[1] = j; if (j > s.hi[1]) s.hi[1] = j;
    if (k < s.lo[2]) s.lo[2] = k; if (k > s.hi[2]) s.hi[2] = k;
    if (s.histogram) s.histogram[huBin(hu[n])]++;
  }
  return stats;
}

/** A class's bounding box grown by `margin` voxels and clipped to the grid; null when absent. */
function grownBox(stats: ClassStats, dims: readonly [number, number, number], margin: readonly [number, number, number]): Box | null {
  const { lo, hi } = stats;
  if (hi[0] < 0) return null;
  const start = [0, 1, 2].map((a) => Math.max(0, lo[a] - margin[a])) as [number, number, number];
  const end = [0, 1, 2].map((a) => Math.min(dims[a] - 1, hi[a] + margin[a])) as [number, number, number];
  return { start, size: [end[0] - start[0] + 1, end[1] - start[1] + 1, end[2] - start[2] + 1] };
}

/** mask (box-sized) = 1 where the grid's voxel is `classId`. */
function copyClassInBox(data: Uint8Array, dims: readonly [number, number, number], box: Box, classId: number, mask: Uint8Array): Uint8Array {
  forEachRowInBox(box, dims, (n, b, length) => {
    for (let t = 0; t < length; t++) mask[b + t] = data[n + t] === classId ? 1 : 0;
  });
  return mask;
}

/** Calls `visit(grid index, box index, row length)` for the start of every row of the box. */
function forEachRowInBox(box: Box, dims: readonly [number, number, number], visit: (n: number, b: number, length: number) => void): void {
  const [sx, sy, sz] = box.start;
  const [bx, by, bz] = box.size;
  let b = 0;
  for (let k = 0; k < bz; k++) for (let j = 0; j < by; j++, b += bx) visit(sx + dims[0] * (sy + j + dims[1] * (sz + k)), b, bx);
}
