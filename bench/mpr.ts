import { expandHalf, halfSlicePlane, markOutsideAir, subsampleHalf, moveSlicePlane, resampleSlice, SLICE_WINDOWS, slicePlaneFor, windowSlice } from '../src/volume/mpr';
import { indexToPatientAffine, invertAffine } from '../src/volume/geometry';
import type { Grid, Vec3, Volume } from '../src/volume/types';

export interface MprBenchResult {
  /** Volume the slices are cut from (voxels). */
  dims: [number, number, number];
  /** Slice size in pixels (both ≤ 512). */
  slice: [number, number];
  /** Slices timed per plane kind. */
  runs: number;
  /** Median ms of the CPU part of one full slice update (trilinear resample + air mask + window to RGBA), per plane kind. */
  medianMs: { axial: number; oblique: number };
  /** 95th percentile ms of the same. */
  p95Ms: { axial: number; oblique: number };
  /** Median ms of the resample alone and of the windowing alone (oblique plane). */
  resampleMs: number;
  windowMs: number;
  /**
   * Median ms of an update while a cut is being dragged (oblique): half-resolution resample, air mask,
   * expanded to the full grid and windowed at full size, as the slice view does.
   */
  dragMs: number;
  /** Median ms of the air mask (flood fill at half resolution, blown up) on the full oblique slice. */
  airMaskMs: number;
}

/** A 512×512×300 CT-like volume (0.7×0.7×1 mm): soft tissue, a bony ring and air outside. */
export function syntheticCt(dims: [number, number, number] = [512, 512, 300]): Volume {
  const grid: Grid = { dims, spacing: [0.7, 0.7, 1], origin: [-179, -179, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
  const data = new Int16Array(dims[0] * dims[1] * dims[2]);
  let n = 0;
  for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, n++) {
    const x = (i - dims[0] / 2) * 0.7, y = (j - dims[1] / 2) * 0.7;
    const r = Math.hypot(x / 1.3, y);
    data[n] = r > 120 ? -1000 : r > 100 ? 700 + ((k * 7) % 50) : 40 + ((i + j + k) % 30);
  }
  return { ...grid, data };
}

function stats(times: number[]): { median: number; p95: number } {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: Number(at(0.5).toFixed(2)), p95: Number(at(0.95).toFixed(2)) };
}

/**
 * The CPU cost of moving a cut plane: one 512² MPR slice resampled (trilinear) and windowed into the
 * RGBA bytes the slice texture uploads, with buffers reused as the scene reuses them; and the
 * half-resolution preview the slice view shows while a cut is dragged. For `npm run bench`;
 * returns numbers and prints nothing. (The GPU upload is measured in the browser: tests/e2e/xr.test.ts.)
 */
export function benchMprSlice(options: { runs?: number; volume?: Volume } = {}): MprBenchResult {
  const volume = options.volume ?? syntheticCt();
  const runs = options.runs ?? 40;
  const toIndex = invertAffine(indexToPatientAffine(volume));
  const kinds: Record<'axial' | 'oblique', Vec3> = { axial: [0, 0, 1], oblique: [0.35, 0.25, 0.9] };
  const out: Partial<MprBenchResult> = { dims: volume.dims, runs };
  const median: Record<string, number> = {}, p95: Record<string, number> = {};
  let resampleTimes: number[] = [], windowTimes: number[] = [];
  for (const [kind, n] of Object.entries(kinds)) {
    const len = Math.hypot(...n);
    const normal = n.map((x) => x / len) as Vec3;
    const plane = slicePlaneFor(volume, normal, 150);
    out.slice = [plane.width, plane.height];
    const hu = new Float32Array(plane.width * plane.height);
    const rgba = new Uint8Array(hu.length * 4);
    const half = halfSlicePlane(plane);
    const halfHu = new Float32Array(half.width * half.height), halfAir = new Uint8Array(halfHu.length);
    const air = new Uint8Array(hu.length), stack = new Int32Array(hu.length);
    const moving = moveSlicePlane(plane, normal, 150);
    const times: number[] = [];
    resampleTimes = [];
    windowTimes = [];
    for (let r = 0; r < runs + 3; r++) {
      moveSlicePlane(plane, normal, 100 + r, moving);
      // as the slice view does at rest: resample, air mask (half resolution), window
      const t0 = performance.now();
      resampleSlice(volume, moving, { out: hu, patientToIndex: toIndex });
      const t1 = performance.now();
      subsampleHalf(hu, plane.width, plane.height, halfHu);
      markOutsideAir(halfHu, half.width, half.height, -600, halfAir, stack);
      expandHalf(halfAir, half.width, air, plane.width, plane.height);
      const tw = performance.now();
      windowSlice(hu, SLICE_WINDOWS['soft-tissue'], rgba, hu.length, air);
      const t2 = performance.now();
      if (r < 3) continue; // warm-up (JIT)
      times.push(t2 - t0);
      resampleTimes.push(t1 - t0);
      windowTimes.push(t2 - tw);
    }
    const s = stats(times);
    median[kind] = s.median;
    p95[kind] = s.p95;
  }
  // a cut being dragged: the slice view's preview path, on the last (oblique) plane
  const n: Vec3 = [0.35, 0.25, 0.9];
  const len = Math.hypot(...n);
  const normal = n.map((x) => x / len) as Vec3;
  const plane = slicePlaneFor(volume, normal, 150);
  const half = halfSlicePlane(plane);
  const hu = new Float32Array(plane.width * plane.height), air = new Uint8Array(hu.length), rgba = new Uint8Array(hu.length * 4);
  const halfHu = new Float32Array(half.width * half.height), halfAir = new Uint8Array(halfHu.length), halfRgba = new Uint8Array(halfHu.length * 4);
  const stack = new Int32Array(hu.length);
  const words = new Uint32Array(rgba.buffer), halfWords = new Uint32Array(halfRgba.buffer);
  const drag: number[] = [], mask: number[] = [];
  for (let r = 0; r < runs + 3; r++) {
    moveSlicePlane(plane, normal, 100 + r, plane);
    half.origin = [...plane.origin] as Vec3;
    const t0 = performance.now();
    resampleSlice(volume, half, { out: halfHu, patientToIndex: toIndex });
    markOutsideAir(halfHu, half.width, half.height, -600, halfAir, stack);
    windowSlice(halfHu, SLICE_WINDOWS['soft-tissue'], halfRgba, halfHu.length, halfAir);
    expandHalf(halfWords, half.width, words, plane.width, plane.height);
    const t1 = performance.now();
    resampleSlice(volume, plane, { out: hu, patientToIndex: toIndex });
    const t2 = performance.now();
    subsampleHalf(hu, plane.width, plane.height, halfHu);
    markOutsideAir(halfHu, half.width, half.height, -600, halfAir, stack);
    expandHalf(halfAir, half.width, air, plane.width, plane.height);
    const t3 = performance.now();
    if (r < 3) continue;
    drag.push(t1 - t0);
    mask.push(t3 - t2);
  }
  return {
    ...(out as MprBenchResult),
    dragMs: stats(drag).median,
    airMaskMs: stats(mask).median,
    medianMs: median as MprBenchResult['medianMs'],
    p95Ms: p95 as MprBenchResult['p95Ms'],
    resampleMs: stats(resampleTimes).median,
    windowMs: stats(windowTimes).median,
  };
}
