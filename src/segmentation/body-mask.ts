/**
 * The patient's body on a CT: what no label may leave. Tissue above a threshold (default −500 HU),
 * first closed: air that tissue encloses (lungs, bowel gas) is inside, air that reaches the scan's
 * side border anywhere along z (around the arms, between arm and chest) is outside. Then opened
 * in-plane so that thin flat things (the table, blankets, a mattress's shell) come apart from the
 * patient; the large parts are kept (trunk, and arms lying apart from it) and grown back within the
 * closed tissue. Closing first keeps a thin chest wall from opening the lungs to the outside.
 * Known limit: air reaching the side border counts as outside, so a lung cut by a tight field of
 * view (the scan's side border inside the chest) is left out.
 */
import type { Grid } from '../volume/types';
import { findComponents, floodRegion } from './components';
import { dilateBox, erodeBox, radiusInVoxels } from './morphology';

export interface BodyMaskOptions {
  /** Tissue is above this, HU. */
  thresholdHU: number;
  /** Half-width of the in-plane opening, mm: structures thinner than twice this come apart. */
  openingMm: number;
  /** Parts apart from the largest are kept when at least this fraction of it (an arm: a few %). */
  minPartFraction: number;
}

export const DEFAULT_BODY_MASK: BodyMaskOptions = { thresholdHU: -500, openingMm: 6, minPartFraction: 0.01 };

/** The body mask (1 = patient) of a CT in HU on `grid`. */
export function bodyMask(hu: ArrayLike<number>, grid: Pick<Grid, 'dims' | 'spacing'>, options: BodyMaskOptions = DEFAULT_BODY_MASK): Uint8Array {
  const tissue = new Uint8Array(hu.length);
  for (let n = 0; n < hu.length; n++) tissue[n] = hu[n] > options.thresholdHU ? 1 : 0;
  return bodyMaskFromTissue(tissue, grid, options);
}

/** The body mask from a precomputed tissue mask (1 where the CT is above the threshold). */
export function bodyMaskFromTissue(tissue: Uint8Array, grid: Pick<Grid, 'dims' | 'spacing'>, options: BodyMaskOptions = DEFAULT_BODY_MASK): Uint8Array {
  const { dims } = grid;
  const r = radiusInVoxels(options.openingMm, grid.spacing);
  const radius = [r[0], r[1], 0] as const; // in-plane: slice thickness must not decide what is thin
  const closed = closeEnclosedAir(tissue, dims);
  const core = erodeBox(closed, dims, radius);
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
  const body = dilateBox(kept, dims, r);
  for (let n = 0; n < body.length; n++) body[n] &= closed[n];
  return body;
}

/** Marks as body every voxel not connected (6-connected, in 3D) to the grid's side faces (i or j border) through non-body. */
function closeEnclosedAir(body: Uint8Array, dims: readonly [number, number, number]): Uint8Array {
  const [nx, ny, nz] = dims;
  const outside = new Uint8Array(body.length);
  const open = (n: number) => body[n] === 0;
  for (let k = 0; k < nz; k++) {
    const base = k * nx * ny;
    for (let i = 0; i < nx; i++) {
      for (const n of [base + i, base + i + (ny - 1) * nx]) if (!outside[n] && open(n)) floodRegion(dims, n, open, outside, () => {});
    }
    for (let j = 0; j < ny; j++) {
      for (const n of [base + j * nx, base + j * nx + nx - 1]) if (!outside[n] && open(n)) floodRegion(dims, n, open, outside, () => {});
    }
  }
  const out = new Uint8Array(body.length);
  for (let n = 0; n < out.length; n++) out[n] = outside[n] ? 0 : 1;
  return out;
}
