/**
 * Slice stack → regular LPS grid: ordering, duplicates, gaps, non-uniform spacing and gantry tilt.
 *
 * Pure functions over header values (no pixels). `planStack` decides the output grid and, per
 * output slice, which source slices to blend and with what in-plane shift; the loader then streams
 * the pixels through that plan.
 *
 * Geometry: u = row cosine (direction of increasing column index i), v = column cosine (increasing
 * row index j), n = u × v (slice normal). A slice at ImagePositionPatient p lies at d = p·n along
 * the normal. Slices are sorted by d. If the positions also move within the slice plane (gantry tilt:
 * the table moves along z but the slices are tilted), each slice is shifted in-plane onto one
 * orthogonal grid whose axes are (u, v, n); the grid grows to hold every shifted slice.
 */
import type { Grid, Vec3 } from '../volume/types';
import type { OrientationLabel } from './types';

/** One source slice, as the planner needs it. */
export interface PlannerSlice {
  /** ImagePositionPatient of the slice (LPS mm). */
  position: Vec3;
  /** ImageOrientationPatient. */
  orientation: [number, number, number, number, number, number];
  /** PixelSpacing [row spacing (along v), column spacing (along u)] in mm. */
  pixelSpacing: [number, number];
  rows: number;
  columns: number;
  /** Tie-break for equal positions (instance number, in-stack position). */
  order: number;
  /** Among slices at the same position, the lowest preference is kept (e.g. 0 lossless, 1 lossy). */
  preference?: number;
  /** Display name, for notes (file name and frame). */
  label: string;
  sliceThickness?: number;
}

/** How one output slice is made from the sorted source slices. */
export interface OutputSliceRecipe {
  /** Index into `PlanResult.slices` of the lower source slice. */
  source: number;
  /** Weight of the next source slice (`source + 1`); 0 means a copy of `source`. */
  weight: number;
}

export interface StackPlan {
  /** Source slices kept, sorted along the normal (duplicates removed). Indices refer to the input. */
  order: number[];
  /** The output grid (orthonormal direction: u, v, n). */
  grid: Grid;
  /** Positions d of the kept slices along n (mm). */
  positions: number[];
  /**
   * Per kept slice: its in-plane shift in output voxels: source (col, row) = output (i, j) + shift.
   * All zeros when there is no tilt.
   */
  shifts: [number, number][];
  /** One recipe per output slice. */
  recipes: OutputSliceRecipe[];
  /** True when output slices are exactly the kept source slices (no interpolation at all). */
  direct: boolean;
  /** Notes a user should see (duplicates, gaps, uneven spacing, tilt, single slice). */
  notes: string[];
  orientation: OrientationLabel;
  /** Angle between the slice normal and the stacking direction, degrees (0 without tilt). */
  tiltDegrees: number;
  /** Distinct slice steps found, for summaries. */
  stepRange: [number, number];
}

export class GeometryError extends Error {
  override name = 'GeometryError';
}

const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const norm = (a: Vec3) => Math.hypot(a[0], a[1], a[2]);
const scale = (a: Vec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];
const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];

/** Orthonormal (u, v, n) from ImageOrientationPatient; throws when it is not a valid orientation. */
export function axesFromOrientation(iop: readonly number[]): { u: Vec3; v: Vec3; n: Vec3 } {
  const r: Vec3 = [iop[0], iop[1], iop[2]];
  const c: Vec3 = [iop[3], iop[4], iop[5]];
  const lr = norm(r);
  const lc = norm(c);
  if (!(lr > 0.5 && lr < 1.5 && lc > 0.5 && lc < 1.5)) throw new GeometryError(`ImageOrientationPatient ${iop.join('\\')} is not made of unit vectors`);
  const u = scale(r, 1 / lr);
  let v = scale(c, 1 / lc);
  const uv = dot(u, v);
  if (Math.abs(uv) > 0.01) throw new GeometryError(`ImageOrientationPatient row and column are not perpendicular (cos = ${uv.toFixed(3)})`);
  v = sub(v, scale(u, uv));
  v = scale(v, 1 / norm(v));
  return { u, v, n: cross(u, v) };
}

/** Label of a stack by its normal's dominant LPS axis; oblique past 30° from it. */
export function orientationLabel(n: Vec3): OrientationLabel {
  const a = n.map(Math.abs);
  const m = Math.max(a[0], a[1], a[2]);
  if (m < Math.cos((30 * Math.PI) / 180)) return 'oblique';
  return a[2] === m ? 'axial' : a[1] === m ? 'coronal' : 'sagittal';
}

function median(values: number[]): number {
  const s = [...values].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const fmt = (x: number, d = 2) => (Math.round(x * 10 ** d) / 10 ** d).toString();

function sameOrientation(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < 6; i++) if (Math.abs(a[i] - b[i]) > 1e-3) return false;
  return true;
}

/**
 * Plan the output grid of one stack. Throws GeometryError when the slices do not form a stack
 * (different orientations or matrices, no spacing).
 */
export function planStack(input: PlannerSlice[]): StackPlan {
  if (input.length === 0) throw new GeometryError('no slices');
  const first = input[0];
  for (const s of input) {
    if (!sameOrientation(s.orientation, first.orientation)) throw new GeometryError(`${s.label}: orientation differs from ${first.label}`);
    if (s.rows !== first.rows || s.columns !== first.columns) throw new GeometryError(`${s.label}: matrix ${s.columns}×${s.rows} differs from ${first.columns}×${first.rows}`);
    if (Math.abs(s.pixelSpacing[0] - first.pixelSpacing[0]) > 1e-3 || Math.abs(s.pixelSpacing[1] - first.pixelSpacing[1]) > 1e-3) {
      throw new GeometryError(`${s.label}: pixel spacing differs from ${first.label}`);
    }
  }
  const [sy, sx] = first.pixelSpacing;
  if (!(sx > 0 && sy > 0)) throw new GeometryError(`pixel spacing ${sy}\\${sx} is not positive`);
  const { u, v, n } = axesFromOrientation(first.orientation);
  const notes: string[] = [];

  // Sort along the normal; equal positions by their order number.
  const d = input.map((s) => dot(s.position, n));
  // Positions closer than 0.01 mm are equal here, so that duplicates sort by preference then order.
  const dq = d.map((x) => Math.round(x * 100));
  const sorted = input
    .map((_, i) => i)
    .sort((a, b) => dq[a] - dq[b] || (input[a].preference ?? 0) - (input[b].preference ?? 0) || input[a].order - input[b].order || d[a] - d[b]);

  // Duplicates: the same position (within 0.01 mm) → keep the first, note the rest.
  const kept: number[] = [];
  const dropped: string[] = [];
  for (const i of sorted) {
    const last = kept[kept.length - 1];
    if (last !== undefined && Math.abs(d[i] - d[last]) < 0.01) {
      dropped.push(input[i].label);
      continue;
    }
    kept.push(i);
  }
  if (dropped.length) {
    notes.push(
      `${dropped.length} duplicate slice${dropped.length > 1 ? 's' : ''} (same position as another) dropped: ${dropped.slice(0, 3).join(', ')}${dropped.length > 3 ? ', …' : ''}`,
    );
  }

  const positions = kept.map((i) => d[i]);
  const p0 = input[kept[0]].position;
  const offsets = kept.map((i) => {
    const delta = sub(input[i].position, p0);
    return [dot(delta, u), dot(delta, v)] as [number, number];
  });
  const N = kept.length;
  const steps: number[] = [];
  for (let k = 1; k < N; k++) steps.push(positions[k] - positions[k - 1]);

  // Slice spacing and uniformity.
  let sz: number;
  let uniform = true;
  if (N === 1) {
    sz = first.sliceThickness && first.sliceThickness > 0 ? first.sliceThickness : 1;
    notes.push(`single slice: not a volume (slice spacing set to ${first.sliceThickness ? `its SliceThickness ${fmt(sz)} mm` : '1 mm'})`);
  } else {
    const mean = (positions[N - 1] - positions[0]) / (N - 1);
    const tol = Math.max(0.02, 0.05 * mean);
    for (let k = 0; k < N; k++) if (Math.abs(positions[k] - (positions[0] + k * mean)) > tol) uniform = false;
    sz = uniform ? mean : median(steps);
    if (!uniform) {
      // Gaps: a step much larger than the steps around it (a missing slice), reported by position.
      const gaps: string[] = [];
      const med = median(steps);
      steps.forEach((step, k) => {
        const around = [steps[k - 1], steps[k + 1]].filter((x): x is number => x !== undefined);
        const local = around.length ? Math.max(...around) : med;
        if (step > 1.5 * local && step > 1.5 * med) {
          gaps.push(`${fmt(step)} mm between slices at ${fmt(positions[k], 1)} and ${fmt(positions[k + 1], 1)} mm`);
        }
      });
      if (gaps.length) {
        notes.push(`gap${gaps.length > 1 ? 's' : ''} in the stack (missing slices?): ${gaps.slice(0, 3).join('; ')}${gaps.length > 3 ? `; … (${gaps.length} in all)` : ''}; filled by linear interpolation`);
      }
      const lo = Math.min(...steps);
      const hi = Math.max(...steps);
      notes.push(`slice spacing is not uniform (${fmt(lo)}–${fmt(hi)} mm, median ${fmt(sz)} mm): resampled to ${fmt(sz)} mm by linear interpolation along the slice normal`);
    }
  }
  if (!(sz > 0)) throw new GeometryError('slices do not advance along their normal');

  // Tilt / shear: positions that move within the slice plane.
  const maxOffset = Math.max(...offsets.map(([a, b]) => Math.hypot(a, b)));
  const tilted = N > 1 && maxOffset > 0.05 * Math.min(sx, sy);
  const span = positions[N - 1] - positions[0];
  const tiltDegrees = tilted && span > 0 ? (Math.atan2(Math.hypot(...offsets[N - 1]), span) * 180) / Math.PI : 0;

  // In-plane extent of the output grid (voxel lattice of the first slice, extended as needed).
  const ci = offsets.map(([a]) => a / sx);
  const rj = offsets.map(([, b]) => b / sy);
  const eps = 1e-6;
  const imin = tilted ? Math.floor(Math.min(0, ...ci) + eps) : 0;
  const jmin = tilted ? Math.floor(Math.min(0, ...rj) + eps) : 0;
  const imax = tilted ? Math.ceil(Math.max(...ci.map((c) => c + first.columns - 1)) - eps) : first.columns - 1;
  const jmax = tilted ? Math.ceil(Math.max(...rj.map((r) => r + first.rows - 1)) - eps) : first.rows - 1;
  const shifts = offsets.map((_, k) => [imin - ci[k], jmin - rj[k]] as [number, number]);
  if (!tilted) for (const s of shifts) s.fill(0);

  const K = N === 1 ? 1 : Math.floor(span / sz + 1e-6) + 1;
  const recipes: OutputSliceRecipe[] = [];
  let s = 0;
  for (let k = 0; k < K; k++) {
    const t = positions[0] + k * sz;
    while (s < N - 2 && positions[s + 1] <= t + 1e-6) s++;
    if (N === 1) {
      recipes.push({ source: 0, weight: 0 });
      continue;
    }
    let w = (t - positions[s]) / (positions[s + 1] - positions[s]);
    if (uniform) w = 0; // uniform: output slice k is source slice k (positions within tolerance)
    if (w < 1e-6) w = 0;
    if (w > 1 - 1e-6) {
      recipes.push({ source: s + 1, weight: 0 });
      continue;
    }
    recipes.push({ source: uniform ? k : s, weight: w });
  }
  const direct = uniform && !tilted;

  if (tilted) {
    const grew = [imax - imin + 1 - first.columns, jmax - jmin + 1 - first.rows];
    notes.push(
      `gantry tilt ${fmt(tiltDegrees, 1)}° (slice positions move ${fmt(maxOffset, 1)} mm within the slice plane): ` +
        `corrected by shifting each slice in-plane onto an orthogonal grid (linear interpolation)` +
        (grew[0] || grew[1] ? `; grid grown by ${grew[0]} columns and ${grew[1]} rows, filled with -1024 HU outside the scanned slices` : ''),
    );
  }

  const origin: Vec3 = [
    p0[0] + imin * sx * u[0] + jmin * sy * v[0],
    p0[1] + imin * sx * u[1] + jmin * sy * v[1],
    p0[2] + imin * sx * u[2] + jmin * sy * v[2],
  ];
  const grid: Grid = {
    dims: [imax - imin + 1, jmax - jmin + 1, K],
    spacing: [sx, sy, sz],
    origin,
    // `+ 0` turns -0 into 0 (cross products of axis-aligned cosines produce -0).
    direction: [u[0] + 0, u[1] + 0, u[2] + 0, v[0] + 0, v[1] + 0, v[2] + 0, n[0] + 0, n[1] + 0, n[2] + 0],
  };
  return {
    order: kept,
    grid,
    positions,
    shifts,
    recipes,
    direct,
    notes,
    orientation: orientationLabel(n),
    tiltDegrees,
    stepRange: steps.length ? [Math.min(...steps), Math.max(...steps)] : [sz, sz],
  };
}
