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
import { fillRegion, IndexStack, type Component } from './components';
import { dilateOctagonInPlace, dilateZInPlace, erodeOctagonInPlace, radiusInVoxels, type Dims } from './morphology';

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

/**
 * The body mask (1 = patient) of a CT in HU on `grid`. Two bytes per voxel of working memory: the
 * closed tissue (which becomes the result) and the opened core.
 */
export function bodyMask(hu: ArrayLike<number>, grid: Pick<Grid, 'dims' | 'spacing'>, options: BodyMaskOptions = DEFAULT_BODY_MASK): Uint8Array {
  const { dims } = grid;
  const stack = new IndexStack();
  const closed = new Uint8Array(hu.length);
  for (let n = 0; n < hu.length; n++) closed[n] = hu[n] > options.thresholdHU ? 1 : 0;
  closeEnclosedAir(closed, hu, dims, options.exteriorMeanHU, stack);
  const r = radiusInVoxels(options.openingMm, grid.spacing);
  const radius = [r[0], r[1]] as const; // in-plane: slice thickness must not decide what is thin
  const kept = erodeOctagonInPlace(closed.slice(), dims, radius);
  if (!keepLargeParts(kept, dims, options.minPartFraction, stack)) return kept;
  // grown back along z as well: the first and last slices of a rounded part (the top of a shoulder)
  // have no core of their own, but lie within the radius of the slices that do
  dilateOctagonInPlace(kept, dims, radius);
  dilateZInPlace(kept, dims, r[2]);
  for (let n = 0; n < closed.length; n++) closed[n] &= kept[n];
  return closed;
}

/**
 * Keeps, in place, the components of a 0/1 mask of at least `minPartFraction` of the largest one;
 * false (and the mask all 0) when it has none.
 */
function keepLargeParts(mask: Uint8Array, dims: Dims, minPartFraction: number, stack: IndexStack): boolean {
  const FOUND = 2;
  const parts: Component[] = [];
  for (let n = 0; n < mask.length; n++) {
    if (mask[n] === 1) parts.push({ seed: n, size: fillRegion(mask, dims, n, 1, FOUND, { stack }).size });
  }
  if (parts.length === 0) return false;
  let largest = 0;
  for (const part of parts) largest = Math.max(largest, part.size);
  // the small parts are cleared rather than the large ones copied: they are few voxels
  for (const part of parts) if (part.size < largest * minPartFraction) fillRegion(mask, dims, part.seed, FOUND, 0, { stack });
  for (let n = 0; n < mask.length; n++) mask[n] = mask[n] === FOUND ? 1 : 0;
  return true;
}

/**
 * Tissue (1) plus what it encloses, in place: every voxel becomes 1 except the regions of
 * non-tissue that reach the grid's side faces (i or j border; 6-connected, in 3D) and are air by
 * their mean HU.
 */
function closeEnclosedAir(mask: Uint8Array, hu: ArrayLike<number>, dims: Dims, exteriorMeanHU: number, stack: IndexStack): void {
  const [nx, ny, nz] = dims;
  // each border region is filled once as AIR; the rare one that is denser (a lung cut by the field
  // of view) a second time, as INSIDE
  const AIR = 2, INSIDE = 3;
  const visit = (seed: number) => {
    if (mask[seed] !== 0) return;
    const { size, sum } = fillRegion(mask, dims, seed, 0, AIR, { values: hu, stack });
    if (sum / size > exteriorMeanHU) fillRegion(mask, dims, seed, AIR, INSIDE, { stack });
  };
  for (let k = 0; k < nz; k++) {
    const base = k * nx * ny;
    for (let i = 0; i < nx; i++) { visit(base + i); visit(base + i + (ny - 1) * nx); }
    for (let j = 0; j < ny; j++) { visit(base + j * nx); visit(base + j * nx + nx - 1); }
  }
  for (let n = 0; n < mask.length; n++) mask[n] = mask[n] === AIR ? 0 : 1;
}
