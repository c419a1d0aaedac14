import type { Grid, Vec3, Volume } from './types';
import { voxelCount } from './types';

/**
 * Integer box downsampling of a CT, for payloads that must fit a size budget (team sessions send the
 * CT the cut planes sample). A target voxel is the mean of its f0×f1×f2 block of source voxels; its
 * centre is the block's centre, so the patient-space geometry is unchanged (a linear HU ramp keeps
 * its values at every new voxel centre). Source voxels past the last whole block are dropped.
 */

/** Smallest integer factors per axis (the finest axis coarsened first) that bring the voxel count to `maxVoxels` or below. */
export function downsampleFactors(grid: Pick<Grid, 'dims' | 'spacing'>, maxVoxels: number): Vec3 {
  if (!(maxVoxels >= 1)) throw new RangeError(`downsampleFactors: maxVoxels must be ≥ 1, got ${maxVoxels}`);
  const f: Vec3 = [1, 1, 1];
  const count = () => Math.floor(grid.dims[0] / f[0]) * Math.floor(grid.dims[1] / f[1]) * Math.floor(grid.dims[2] / f[2]);
  while (count() > maxVoxels) {
    // the axis with the finest resulting spacing among those that can still shrink
    let best = -1;
    for (let a = 0; a < 3; a++) {
      if (grid.dims[a] / (f[a] + 1) < 1) continue;
      if (best < 0 || grid.spacing[a] * f[a] < grid.spacing[best] * f[best]) best = a;
    }
    if (best < 0) break;
    f[best]++;
  }
  return f;
}

/** The grid of the box-downsampled volume: `factors` voxels per new voxel along i, j, k. */
export function downsampledGrid(grid: Grid, factors: Readonly<Vec3>): Grid {
  const dims: Vec3 = [0, 0, 0];
  const spacing: Vec3 = [0, 0, 0];
  const origin: Vec3 = [...grid.origin];
  for (let a = 0; a < 3; a++) {
    dims[a] = Math.max(1, Math.floor(grid.dims[a] / factors[a]));
    spacing[a] = grid.spacing[a] * factors[a];
    // the new voxel 0 is the centre of the first block: (f-1)/2 old voxels along axis a
    const shift = ((factors[a] - 1) / 2) * grid.spacing[a];
    for (let c = 0; c < 3; c++) origin[c] += shift * grid.direction[a * 3 + c];
  }
  return { dims, spacing, origin, direction: [...grid.direction] };
}

/** Box-downsamples HU by integer `factors`; the result is Int16 HU (means rounded to the nearest integer). */
export function downsampleVolume(volume: Volume, factors: Readonly<Vec3>): Volume & { data: Int16Array } {
  for (const f of factors) if (!Number.isInteger(f) || f < 1) throw new RangeError(`downsampleVolume: factors must be integers ≥ 1, got ${factors.join(',')}`);
  const grid = downsampledGrid(volume, factors);
  const [nx, ny, nz] = grid.dims;
  const [sx, sy] = volume.dims;
  const [fx, fy, fz] = factors;
  const src = volume.data;
  const out = new Int16Array(voxelCount(grid));
  const row = new Float64Array(nx);
  const block = fx * fy * fz;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      row.fill(0);
      for (let dk = 0; dk < fz; dk++) {
        for (let dj = 0; dj < fy; dj++) {
          const base = ((k * fz + dk) * sy + (j * fy + dj)) * sx;
          for (let i = 0; i < nx; i++) {
            let sum = 0;
            const start = base + i * fx;
            for (let di = 0; di < fx; di++) sum += src[start + di];
            row[i] += sum;
          }
        }
      }
      const o = (k * ny + j) * nx;
      for (let i = 0; i < nx; i++) out[o + i] = Math.max(-32768, Math.min(32767, Math.round(row[i] / block)));
    }
  }
  return { ...grid, data: out };
}
