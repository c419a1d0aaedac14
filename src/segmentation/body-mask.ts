/**
 * The patient's body on a CT: what no label may leave. Tissue above a threshold (default −500 HU),
 * first closed: air that tissue encloses (lungs, bowel gas) is inside; a region below the threshold
 * that reaches the scan's side border anywhere along z is outside when it is air (mean HU at most
 * `exteriorMeanHU`: around the body, between arm and chest), and inside when it is denser (a lung
 * cut by a tight field of view, ≈ −850 HU). Then opened
 * in-plane (by an octagon, close to a disk) so that thin flat things (the table, blankets, a mattress's shell) come apart from the
 * patient; the large parts are kept (trunk, and arms lying apart from it) and grown back within the
 * closed tissue. Closing first keeps a thin chest wall from opening the lungs to the outside.
 * Known limit: bowel gas cut by a tight field of view is pure air, so it counts as outside.
 */
import type { Grid } from '../volume/types';
import { findComponents, floodRegion } from './components';
import { dilateBox, dilateOctagon, erodeOctagon, radiusInVoxels } from './morphology';

export interface BodyMaskOptions {
  /** Tissue is above this, HU. */
  thresholdHU: number;
  /** Half-width of the in-plane opening, mm: structures thinner than twice this come apart. */
  openingMm: number;
  /** Parts apart from the largest are kept when at least this fraction of it (an arm: a few %). */
  minPartFraction: number;
  /** A region below the threshold that reaches the side border is outside air when its mean HU is at most this. */
  exteriorMeanHU: number;
}

export const DEFAULT_BODY_MASK: BodyMaskOptions = { thresholdHU: -500, openingMm: 6, minPartFraction: 0.01, exteriorMeanHU: -920 };

/** The body mask (1 = patient) of a CT in HU on `grid`. */
export function bodyMask(hu: ArrayLike<number>, grid: Pick<Grid, 'dims' | 'spacing'>, options: BodyMaskOptions = DEFAULT_BODY_MASK): Uint8Array {
  const { dims } = grid;
  const tissue = new Uint8Array(hu.length);
  for (let n = 0; n < hu.length; n++) tissue[n] = hu[n] > options.thresholdHU ? 1 : 0;
  const r = radiusInVoxels(options.openingMm, grid.spacing);
  const radius = [r[0], r[1]] as const; // in-plane: slice thickness must not decide what is thin
  const closed = closeEnclosedAir(tissue, hu, dims, options.exteriorMeanHU);
  const core = erodeOctagon(closed, dims, radius);
  const parts = findComponents(dims, (n) => core[n] === 1).sort((a, b) => b.size - a.size);
  const kept = new Uint8Array(tissue.length);
  if (parts.length === 0) return kept;
  const mark = new Uint8Array(tissue.length);
  for (const part of parts) {
    if (part.size < parts[0].size * options.minPartFraction) break;
    floodRegion(dims, part.seed, (n) => core[n] === 1, mark, (n) => { kept[n] = 1; });
  }
  // grown back along z as well: the first and last slices of a rounded part (the top of a shoulder)
  // have no core of their own, but lie within the radius of the slices that do
  const body = dilateBox(dilateOctagon(kept, dims, radius), dims, [0, 0, r[2]]);
  for (let n = 0; n < body.length; n++) body[n] &= closed[n];
  return body;
}

/**
 * Tissue plus what it encloses: every voxel except the regions of non-tissue that reach the grid's
 * side faces (i or j border; 6-connected, in 3D) and are air by their mean HU.
 */
function closeEnclosedAir(tissue: Uint8Array, hu: ArrayLike<number>, dims: readonly [number, number, number], exteriorMeanHU: number): Uint8Array {
  const [nx, ny, nz] = dims;
  const open = (n: number) => tissue[n] === 0;
  const seen = new Uint8Array(tissue.length);
  const outside = new Uint8Array(tissue.length);
  const seeds: number[] = [];
  for (let k = 0; k < nz; k++) {
    const base = k * nx * ny;
    for (let i = 0; i < nx; i++) seeds.push(base + i, base + i + (ny - 1) * nx);
    for (let j = 0; j < ny; j++) seeds.push(base + j * nx, base + j * nx + nx - 1);
  }
  for (const seed of seeds) {
    if (seen[seed] || !open(seed)) continue;
    let sum = 0;
    const size = floodRegion(dims, seed, open, seen, (n) => { sum += hu[n]; });
    if (sum / size <= exteriorMeanHU) floodRegion(dims, seed, open, outside, () => {});
  }
  const out = new Uint8Array(tissue.length);
  for (let n = 0; n < out.length; n++) out[n] = outside[n] ? 0 : 1;
  return out;
}
