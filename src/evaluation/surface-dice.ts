/**
 * Surface Dice at a tolerance (Nikolov et al., "Clinically applicable segmentation of head and neck
 * anatomy for radiotherapy", J Med Internet Res 2021; the Medical Segmentation Decathlon's NSD): the
 * share of both boundaries that lies within τ mm of the other. IoU counts a boundary one voxel off on
 * a large structure as a large error; this tells boundary disagreement (a reference traced a voxel
 * tighter) from gross error (a missed or invented structure). A diagnostic beside IoU, not a target.
 *
 * Boundaries are voxels, not surface elements: each boundary voxel counts once, whatever its area (the
 * voxel form of the measure; on the anisotropic grids here it weighs faces along the thick axis less).
 */
import type { ClassInfo, StructureGroup } from '../segmentation/manifest';
import { STRUCTURE_GROUPS } from '../segmentation/manifest';
import type { Dims } from '../segmentation/morphology';
import type { Grid } from '../volume/types';
import { distanceToMaskMm } from './distance';
import { formatScore, groupClasses, type ScoringOptions } from './metrics';

/**
 * The scorer's default tolerances: one voxel of the model's 2 mm grid, and 3 mm, one voxel of the
 * coarsest CT scored here: a boundary within a voxel of the reference's counts as agreeing.
 */
export const DEFAULT_SURFACE_MM: readonly number[] = [2, 3];

/** A distance of exactly τ is within τ despite float rounding (3 voxels of 0.1 mm are 0.30000000000000004 mm). */
const EPS_MM = 1e-4;

/**
 * Voxels of `mask` with a 6-neighbour inside the volume that is not in the mask. The faces of the
 * volume are not boundaries: a structure cut by the field of view continues beyond it.
 */
export function boundaryVoxels(mask: Uint8Array, dims: Dims): Uint8Array {
  const [nx, ny, nz] = dims;
  const out = new Uint8Array(mask.length);
  const plane = nx * ny;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const n = k * plane + j * nx + i;
        if (!mask[n]) continue;
        out[n] = Number(
          (i > 0 && !mask[n - 1]) || (i < nx - 1 && !mask[n + 1]) ||
          (j > 0 && !mask[n - nx]) || (j < ny - 1 && !mask[n + nx]) ||
          (k > 0 && !mask[n - plane]) || (k < nz - 1 && !mask[n + plane]),
        );
      }
    }
  }
  return out;
}

export interface SurfaceDiceScore {
  toleranceMm: number;
  /** (boundary of P within τ of R's + boundary of R within τ of P's) / (both boundaries); null when both are empty. */
  surfaceDice: number | null;
}

export interface SurfaceDiceResult {
  /** Boundary voxels counted (outside the ignore region) of the prediction and of the reference. */
  predictedBoundary: number;
  referenceBoundary: number;
  scores: SurfaceDiceScore[];
}

/**
 * Surface Dice of two binary masks on one grid at each tolerance (mm). Boundary voxels in `ignore`
 * are not counted (the masks themselves are whole, so a structure crossing into the ignored slices
 * has no boundary there).
 */
export function surfaceDice(
  predicted: Uint8Array,
  reference: Uint8Array,
  dims: Dims,
  spacing: readonly [number, number, number],
  tolerancesMm: readonly number[],
  ignore?: Uint8Array,
): SurfaceDiceResult {
  const predBoundary = boundaryVoxels(predicted, dims);
  const refBoundary = boundaryVoxels(reference, dims);
  const toRef = distanceToMaskMm(refBoundary, dims, spacing);
  const toPred = distanceToMaskMm(predBoundary, dims, spacing);
  let predCount = 0;
  let refCount = 0;
  const within = new Float64Array(tolerancesMm.length);
  for (let n = 0; n < predicted.length; n++) {
    if (ignore && ignore[n]) continue;
    if (predBoundary[n]) {
      predCount++;
      tolerancesMm.forEach((t, i) => { if (toRef[n] <= t + EPS_MM) within[i]++; });
    }
    if (refBoundary[n]) {
      refCount++;
      tolerancesMm.forEach((t, i) => { if (toPred[n] <= t + EPS_MM) within[i]++; });
    }
  }
  const total = predCount + refCount;
  return {
    predictedBoundary: predCount,
    referenceBoundary: refCount,
    scores: tolerancesMm.map((toleranceMm, i) => ({ toleranceMm, surfaceDice: total ? within[i] / total : null })),
  };
}

export interface GroupSurfaceDice extends SurfaceDiceResult {
  group: StructureGroup;
}

/**
 * Surface Dice per structure group (its scored classes pooled, as the overlap scores pool them), for
 * the groups a reference holds completely: a partly labelled group's reference boundary is not the
 * structure's. Groups the reference does not score, or holds only in part, are left out.
 */
export function groupSurfaceDice(
  predicted: Uint8Array,
  reference: Uint8Array,
  grid: Pick<Grid, 'dims' | 'spacing'>,
  classes: readonly ClassInfo[],
  tolerancesMm: readonly number[],
  options: ScoringOptions = {},
): GroupSurfaceDice[] {
  const out: GroupSurfaceDice[] = [];
  for (const group of STRUCTURE_GROUPS) {
    const { scored, complete } = groupClasses(classes, group, options.coverage);
    if (!scored.length || !complete) continue;
    const ids = new Uint8Array(256);
    for (const c of scored) ids[c.id] = 1;
    const p = new Uint8Array(reference.length);
    const r = new Uint8Array(reference.length);
    for (let n = 0; n < reference.length; n++) { p[n] = ids[predicted[n]]; r[n] = ids[reference[n]]; }
    out.push({ group, ...surfaceDice(p, r, grid.dims, grid.spacing, tolerancesMm, options.ignore) });
  }
  return out;
}

/** Markdown table: surface Dice per group at each tolerance, with the boundary voxels counted. */
export function formatSurfaceDice(groups: readonly GroupSurfaceDice[]): string {
  const tolerances = groups[0]?.scores.map((s) => s.toleranceMm) ?? [];
  return [
    `| group | ${tolerances.map((t) => `surface Dice ≤ ${t} mm`).join(' | ')} | boundary voxels (predicted / reference) |`,
    `|---|${tolerances.map(() => '---|').join('')}---|`,
    ...groups.map((g) => `| ${g.group} | ${g.scores.map((s) => formatScore(s.surfaceDice)).join(' | ')} | ${g.predictedBoundary} / ${g.referenceBoundary} |`),
  ].join('\n');
}
