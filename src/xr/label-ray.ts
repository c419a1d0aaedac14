import { indexToPatientAffine, invertAffine, type Affine } from '../volume/geometry';
import type { LabelMap, Vec3 } from '../volume/types';

/**
 * What a ray points at in the hologram, found in the label map instead of the meshes: a march along
 * the ray in patient space, nearest label per step. Microseconds for a whole ray and nothing
 * allocated, where triangle picking on a 300k-triangle hologram costs milliseconds and garbage, so it
 * can run for the hover label every few frames. It honours cuts (samples on a cut's removed side do
 * not count) and visibility (the caller's `accept`).
 */

export interface LabelRayOptions {
  /** Longest distance to march, mm. */
  maxDistance: number;
  /** Step, mm (default: half the finest voxel spacing). */
  step?: number;
  /** Whether a class counts (visible structures). */
  accept: (classId: number) => boolean;
  /** Cuts: a sample counts only where normal·p ≤ offset for every plane (patient LPS mm). */
  planes?: ReadonlyArray<{ normal: Readonly<Vec3>; offset: number }>;
  /** The label map's patient → index affine, when the caller keeps it. */
  patientToIndex?: Affine;
}

export interface LabelRayHit {
  /** Distance along the ray to the boundary of the structure, mm (refined to 1/16 of a step). */
  distance: number;
  classId: number;
}

/** First accepted label along a ray (origin in patient mm, unit direction), or false. `out` is filled. */
export function marchLabels(labels: LabelMap, origin: Readonly<Vec3>, direction: Readonly<Vec3>, options: LabelRayOptions, out: LabelRayHit): boolean {
  const m = options.patientToIndex ?? invertAffine(indexToPatientAffine(labels));
  const sp = labels.spacing;
  const step = options.step ?? Math.min(sp[0], sp[1], sp[2]) / 2;
  let previous = 0;
  for (let t = 0; t <= options.maxDistance; t += step) {
    const c = sampleAt(labels, m, options, origin, direction, t);
    if (c === 0) {
      previous = t;
      continue;
    }
    // refine the boundary between the last empty sample and this one
    let lo = previous, hi = t;
    for (let r = 0; r < 4; r++) {
      const mid = (lo + hi) / 2;
      if (sampleAt(labels, m, options, origin, direction, mid) !== 0) hi = mid;
      else lo = mid;
    }
    out.distance = t === 0 ? 0 : hi;
    out.classId = sampleAt(labels, m, options, origin, direction, hi) || c;
    return true;
  }
  return false;
}

/** The accepted, not-cut-away label at distance t along the ray (0 = none). */
function sampleAt(labels: LabelMap, m: Affine, options: LabelRayOptions, origin: Readonly<Vec3>, direction: Readonly<Vec3>, t: number): number {
  const px = origin[0] + direction[0] * t, py = origin[1] + direction[1] * t, pz = origin[2] + direction[2] * t;
  const planes = options.planes;
  if (planes) {
    for (let p = 0; p < planes.length; p++) {
      const n = planes[p].normal;
      if (n[0] * px + n[1] * py + n[2] * pz > planes[p].offset) return 0;
    }
  }
  const [nx, ny, nz] = labels.dims;
  const i = Math.round(m[0] * px + m[1] * py + m[2] * pz + m[3]);
  const j = Math.round(m[4] * px + m[5] * py + m[6] * pz + m[7]);
  const k = Math.round(m[8] * px + m[9] * py + m[10] * pz + m[11]);
  if (i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz) return 0;
  const c = labels.data[i + j * nx + k * nx * ny];
  return c !== 0 && options.accept(c) ? c : 0;
}
