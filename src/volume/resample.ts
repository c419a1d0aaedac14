import { gridBounds, indexToPatientAffine, invertAffine, multiplyAffines, type Affine } from './geometry';
import { IDENTITY_DIRECTION, type Grid, type LabelMap, type Vec3, type Volume } from './types';

/**
 * The LPS-aligned grid at `spacing` (mm, along L, P, S) that covers every voxel centre of `source`.
 * This is the frame the segmentation model sees, whatever the scanner's orientation.
 */
export function canonicalGrid(source: Grid, spacing: Readonly<Vec3>): Grid {
  const { min, max } = gridBounds(source);
  const dims: Vec3 = [0, 0, 0];
  for (let a = 0; a < 3; a++) {
    // +1e-6 keeps an exact multiple from growing one voxel through rounding error
    dims[a] = Math.max(1, Math.floor((max[a] - min[a]) / spacing[a] + 1e-6) + 1);
  }
  return { dims, spacing: [...spacing] as Vec3, origin: [...min] as Vec3, direction: [...IDENTITY_DIRECTION] };
}

/** target voxel index → source voxel index */
function targetToSourceIndex(source: Grid, target: Grid): Affine {
  return multiplyAffines(invertAffine(indexToPatientAffine(source)), indexToPatientAffine(target));
}

export interface ResampleOptions {
  /** Value for target voxels outside the source's voxel centres. */
  padValue: number;
  /** Called with the fraction done, once per target slice. */
  onProgress?: (fraction: number) => void;
}

/** Trilinear resampling of HU onto `target`. Voxels outside the source get `padValue`. */
export function resampleTrilinear(source: Volume, target: Grid, options: ResampleOptions): Float32Array {
  const [sx, sy, sz] = source.dims;
  const [tx, ty, tz] = target.dims;
  const src = source.data;
  const out = new Float32Array(tx * ty * tz);
  const m = targetToSourceIndex(source, target);
  const sxy = sx * sy;
  const pad = options.padValue;
  // Sources with a single slice along an axis interpolate within it only.
  const eps = 1e-4;
  let n = 0;
  for (let k = 0; k < tz; k++) {
    for (let j = 0; j < ty; j++) {
      // Source index at i = 0 of this target row, and its step per target i.
      let x = m[1] * j + m[2] * k + m[3];
      let y = m[5] * j + m[6] * k + m[7];
      let z = m[9] * j + m[10] * k + m[11];
      const dx = m[0], dy = m[4], dz = m[8];
      for (let i = 0; i < tx; i++, n++, x += dx, y += dy, z += dz) {
        if (x < -eps || y < -eps || z < -eps || x > sx - 1 + eps || y > sy - 1 + eps || z > sz - 1 + eps) {
          out[n] = pad;
          continue;
        }
        const xc = Math.min(Math.max(x, 0), sx - 1);
        const yc = Math.min(Math.max(y, 0), sy - 1);
        const zc = Math.min(Math.max(z, 0), sz - 1);
        const x0 = Math.min(Math.floor(xc), sx - 2 < 0 ? 0 : sx - 2);
        const y0 = Math.min(Math.floor(yc), sy - 2 < 0 ? 0 : sy - 2);
        const z0 = Math.min(Math.floor(zc), sz - 2 < 0 ? 0 : sz - 2);
        const fx = sx > 1 ? xc - x0 : 0, fy = sy > 1 ? yc - y0 : 0, fz = sz > 1 ? zc - z0 : 0;
        const ox = sx > 1 ? 1 : 0, oy = sy > 1 ? sx : 0, oz = sz > 1 ? sxy : 0;
        const b = x0 + y0 * sx + z0 * sxy;
        const c00 = src[b] + (src[b + ox] - src[b]) * fx;
        const c10 = src[b + oy] + (src[b + oy + ox] - src[b + oy]) * fx;
        const c01 = src[b + oz] + (src[b + oz + ox] - src[b + oz]) * fx;
        const c11 = src[b + oz + oy] + (src[b + oz + oy + ox] - src[b + oz + oy]) * fx;
        const c0 = c00 + (c10 - c00) * fy;
        const c1 = c01 + (c11 - c01) * fy;
        out[n] = c0 + (c1 - c0) * fz;
      }
    }
    options.onProgress?.((k + 1) / tz);
  }
  return out;
}

export interface NearestOptions {
  /**
   * Give a target voxel whose nearest source index is one beyond either end (−1 or n) that edge voxel's
   * label (else 0). The canonical grid ends at the last whole model voxel inside the CT (canonicalGrid), so
   * the CT's last slice can lie up to one model voxel beyond it: without this, labels back on the CT lost
   * that slice (on a 3 mm CT at 2 mm, its top slice: a quarter of the lungs a scan cut at its top held).
   */
  extendEdges?: boolean;
}

/**
 * Nearest-neighbour resampling of labels onto `target` (voxels outside the source get 0). This is the
 * inverse step of the segmentation: labels on the model's canonical grid land on the CT's own grid.
 */
export function resampleNearestLabels(source: LabelMap, target: Grid, options: NearestOptions = {}): LabelMap {
  const [sx, sy, sz] = source.dims;
  const [tx, ty, tz] = target.dims;
  const out = new Uint8Array(tx * ty * tz);
  const m = targetToSourceIndex(source, target);
  const src = source.data;
  // Round half away from the lower index consistently; 1e-6 absorbs float drift on exact grid matches.
  const round = (v: number) => Math.floor(v + 0.5 + 1e-6);
  // extendEdges: an index one beyond either end (−1 or n) becomes the edge voxel's, per axis
  const nearestX = options.extendEdges ? (v: number) => clampOne(round(v), sx) : round;
  const nearestY = options.extendEdges ? (v: number) => clampOne(round(v), sy) : round;
  const nearestZ = options.extendEdges ? (v: number) => clampOne(round(v), sz) : round;
  if (m[1] === 0 && m[2] === 0 && m[4] === 0 && m[6] === 0 && m[8] === 0 && m[9] === 0) {
    // Axes parallel (the usual CT): each source index depends on one target index only, so a row is
    // a gather through a table. Same arithmetic as the general loop below, so the same labels.
    const xs = new Int32Array(tx);
    for (let i = 0, x = m[3]; i < tx; i++, x += m[0]) {
      const xi = nearestX(x);
      xs[i] = xi >= 0 && xi < sx ? xi : -1;
    }
    let n = 0;
    for (let k = 0; k < tz; k++) {
      const zi = nearestZ(m[10] * k + m[11]);
      for (let j = 0; j < ty; j++, n += tx) {
        const yi = nearestY(m[5] * j + m[6] * k + m[7]);
        if (zi < 0 || zi >= sz || yi < 0 || yi >= sy) continue;
        const row = yi * sx + zi * sx * sy;
        for (let i = 0; i < tx; i++) if (xs[i] >= 0) out[n + i] = src[row + xs[i]];
      }
    }
  } else {
    let n = 0;
    for (let k = 0; k < tz; k++) {
      for (let j = 0; j < ty; j++) {
        let x = m[1] * j + m[2] * k + m[3];
        let y = m[5] * j + m[6] * k + m[7];
        let z = m[9] * j + m[10] * k + m[11];
        for (let i = 0; i < tx; i++, n++, x += m[0], y += m[4], z += m[8]) {
          const xi = nearestX(x), yi = nearestY(y), zi = nearestZ(z);
          if (xi < 0 || yi < 0 || zi < 0 || xi >= sx || yi >= sy || zi >= sz) continue;
          out[n] = src[xi + yi * sx + zi * sx * sy];
        }
      }
    }
  }
  return { dims: [...target.dims] as Vec3, spacing: [...target.spacing] as Vec3, origin: [...target.origin] as Vec3, direction: [...target.direction] as Grid['direction'], data: out };
}

/** An index one beyond either end (−1 or n) onto the edge (0 or n − 1); others unchanged. */
function clampOne(index: number, n: number): number {
  return index === -1 ? 0 : index === n ? n - 1 : index;
}
