/**
 * Label map → one closed, smooth, decimated surface per structure, in patient LPS mm.
 *
 * Per class: crop to the class's voxel box (+ kernel radius + 1 voxel of padding), smooth the binary
 * mask with a small separable Gaussian, contour it at 0.5 with marching tetrahedra (closed
 * 2-manifold by construction), transform to LPS with the grid's origin/spacing/direction (triangles
 * reversed when the direction matrix is a reflection), drop specks below a volume, decimate with
 * meshoptimizer within a share of the whole hologram's triangle budget, measure the real
 * decimation error, and compute normals and the enclosed volume.
 */

import type { ClassInfo } from '../segmentation/manifest';
import type { LabelMap } from '../volume/types';
import { decimateMesh, simplifierReady, SurfaceError } from './decimate';
import { classStats, gaussianKernel, maskCrop, smoothedMaskLayers, type ClassStats } from './field';
import { marchingTetrahedra, type Affine3x4 } from './marchingTetrahedra';
import { computeNormals, removeSmallComponents, signedVolume, taubinSmooth, type IndexedMesh } from './meshOps';
import type { SurfaceMesh } from './types';

export { SurfaceError } from './decimate';

/** The whole hologram's default triangle budget (Quest 3 at 72 Hz). */
export const DEFAULT_MAX_TRIANGLES = 750_000;
/** Default simplifier error bound, mm (meshoptimizer's estimate). */
export const DEFAULT_MAX_ERROR_MM = 0.3;

export interface MeshingOptions {
  /** Gaussian σ (voxels) applied to the binary mask before contouring; 0 = none. Default 0.7. */
  smoothingSigmaVoxels?: number;
  /**
   * Keep every voxel centre on its side of the surface: after smoothing, labelled centres are
   * raised to at least iso + margin and the others lowered to at most iso − margin, so the surface
   * keeps the label map's topology (thin vessels and gaps survive any σ) and only moves along the
   * lattice edges it crosses — which also keeps the voxel staircase. 0.5 = the binary mask;
   * `false` = never constrain. Default undefined: unconstrained, with the thin-structure fallback
   * (see `thinFallbackRatio`) to margin 0.25.
   */
  constraintMargin?: number | false;
  /**
   * When `constraintMargin` is undefined and the unconstrained surface encloses less than this
   * fraction of the class's voxel volume (smoothing erased thin parts), the label-constrained
   * surface is used instead. Default 0.85.
   */
  thinFallbackRatio?: number;
  /** Iso value on the smoothed mask (0..1). Default 0.5. */
  isoLevel?: number;
  /** Connected pieces enclosing less than this (mm³) are removed as specks. Default 20 mm³ (0.02 mL). */
  minComponentMm3?: number;
  /**
   * Taubin λ|μ smoothing iterations on the full-resolution surface (removes the voxel staircase,
   * which mask smoothing alone leaves on gentle slopes, especially with thick slices); 0 = none.
   * Default 0 (with the fine marching-tetrahedra mesh its effect is small; see docs/surfaces.md).
   */
  meshSmoothingIterations?: number;
}

export interface DecimationSettings {
  /** Maximum triangles for this mesh. */
  maxTriangles: number;
  /** Error (mm, meshoptimizer's estimate) the simplifier may introduce before the budget forces more. Default 0.3 mm; the measured max is typically about twice it. */
  maxErrorMm?: number;
  /**
   * Measure the real error against the full-resolution surface. Default true. When false,
   * `decimationErrorMm` carries meshoptimizer's own estimate and the mean is NaN.
   */
  measureError?: boolean;
  /** Measure on every n-th full-resolution vertex. Default 1 (all). */
  errorSampleStride?: number;
}

export interface SurfaceOptions extends MeshingOptions {
  /** Structure name for the mesh. Default "class <id>". */
  name?: string;
  /** Decimate to these settings; omitted or false = full resolution. */
  decimate?: DecimationSettings | false;
}

export interface SurfacesOptions extends MeshingOptions {
  /** Triangle budget for the whole hologram. Default 750,000. */
  maxTriangles?: number;
  /** Smallest share of the budget a structure gets (if the budget allows). Default 1,000. */
  minTrianglesPerMesh?: number;
  /** Error (mm, meshoptimizer's estimate) the simplifier may introduce before the budget forces more. Default 0.3 mm; the measured max is typically about twice it. */
  maxErrorMm?: number;
  /** Decimate at all. Default true. */
  decimate?: boolean;
  /** Measure the real decimation error. Default true. */
  measureError?: boolean;
  /** Measure on every n-th full-resolution vertex. Default 1 (all). */
  errorSampleStride?: number;
  /** Precomputed `classStats(labels)`, to skip its pass over the label map. */
  stats?: ClassStats;
  /** Checked between structures; aborting rejects with the signal's reason. */
  signal?: AbortSignal;
}

const DEFAULTS = {
  smoothingSigmaVoxels: 0.7,
  thinFallbackRatio: 0.85,
  fallbackMargin: 0.25,
  isoLevel: 0.5,
  minComponentMm3: 20,
  maxErrorMm: DEFAULT_MAX_ERROR_MM,
  meshSmoothingIterations: 0,
};

function validateGrid(labels: LabelMap): void {
  const [nx, ny, nz] = labels.dims;
  if (![nx, ny, nz].every((n) => Number.isInteger(n) && n > 0)) throw new SurfaceError(`label map dims ${labels.dims.join('×')} are not positive integers`);
  if (labels.data.length !== nx * ny * nz) {
    throw new SurfaceError(`label map has ${labels.data.length} voxels but dims ${nx}×${ny}×${nz} need ${nx * ny * nz}`);
  }
  if (!labels.spacing.every((s) => s > 0 && Number.isFinite(s))) throw new SurfaceError(`label map spacing ${labels.spacing.join(', ')} must be positive`);
}

/** Grid index (i, j, k) → LPS mm, shifted so lattice point (0,0,0) is grid index `offset`. */
export function gridAffine(labels: LabelMap, offset: [number, number, number]): Affine3x4 {
  const d = labels.direction;
  const s = labels.spacing;
  const o = labels.origin;
  const m: Affine3x4 = [
    d[0] * s[0], d[1] * s[0], d[2] * s[0],
    d[3] * s[1], d[4] * s[1], d[5] * s[1],
    d[6] * s[2], d[7] * s[2], d[8] * s[2],
    0, 0, 0,
  ];
  for (let r = 0; r < 3; r++) m[9 + r] = o[r] + m[r] * offset[0] + m[3 + r] * offset[1] + m[6 + r] * offset[2];
  return m;
}

export interface FullResolutionSurface extends IndexedMesh {
  /** Connected pieces removed as specks. */
  removedComponents: number;
  /** Whether the label-constrained field was used (asked for, or the thin-structure fallback). */
  constrained: boolean;
}

/**
 * The full-resolution closed surface of one class (before decimation), LPS mm, specks removed.
 * `box` is the class's inclusive voxel box [i0, j0, k0, i1, j1, k1] and `voxels` its voxel count;
 * both are computed if omitted.
 *
 * With `constraintMargin` left undefined, the smooth unconstrained surface is tried first; if it
 * encloses less than `thinFallbackRatio` of the voxel volume (a thin structure that smoothing
 * erodes, like a small vessel one voxel across), the label-constrained surface is used instead.
 */
export function fullResolutionSurface(
  labels: LabelMap,
  classId: number,
  options: MeshingOptions = {},
  box?: ArrayLike<number>,
  voxels?: number,
): FullResolutionSurface {
  validateGrid(labels);
  const sigma = options.smoothingSigmaVoxels ?? DEFAULTS.smoothingSigmaVoxels;
  const iso = options.isoLevel ?? DEFAULTS.isoLevel;
  if (!(iso > 0 && iso < 1)) throw new SurfaceError(`isoLevel must be in (0, 1), got ${iso}`);
  const margin = options.constraintMargin;
  if (margin !== undefined && margin !== false && !(margin > 0 && margin <= Math.min(iso, 1 - iso))) {
    throw new SurfaceError(`constraintMargin must be in (0, ${Math.min(iso, 1 - iso)}] or false, got ${margin}`);
  }
  let b = box;
  let count = voxels;
  if (!b || count === undefined) {
    const stats = classStats(labels);
    b ??= stats.boxes.subarray(classId * 6, classId * 6 + 6);
    count ??= stats.voxels[classId];
  }
  if (b[0] > b[3]) return { positions: new Float32Array(0), indices: new Uint32Array(0), removedComponents: 0, constrained: false };
  const weights = gaussianKernel(sigma);
  const crop = maskCrop(b, (weights.length - 1) / 2);
  const affine = gridAffine(labels, crop.offset);
  const minVolume = options.minComponentMm3 ?? DEFAULTS.minComponentMm3;

  const contour = (constraintMargin: number | undefined) => {
    const layers = smoothedMaskLayers(labels, classId, crop, weights, { iso, constraintMargin });
    return removeSmallComponents(marchingTetrahedra(layers, { iso, affine }), minVolume);
  };
  let constrained = typeof margin === 'number';
  let surface = contour(constrained ? (margin as number) : undefined);
  if (margin === undefined && sigma > 0) {
    const voxelVolume = count * Math.abs(labels.spacing[0] * labels.spacing[1] * labels.spacing[2]);
    const ratio = options.thinFallbackRatio ?? DEFAULTS.thinFallbackRatio;
    if (signedVolume(surface.positions, surface.indices) < ratio * voxelVolume) {
      surface = contour(DEFAULTS.fallbackMargin);
      constrained = true;
    }
  }
  const iterations = options.meshSmoothingIterations ?? DEFAULTS.meshSmoothingIterations;
  if (iterations > 0) surface.positions = taubinSmooth(surface.positions, surface.indices, { iterations });
  return { ...surface, constrained };
}

function finishMesh(
  mesh: IndexedMesh,
  classId: number,
  name: string,
  errors: { max: number; mean: number } | null,
  fullResolutionTriangles: number,
): SurfaceMesh {
  return {
    classId,
    name,
    positions: mesh.positions,
    normals: computeNormals(mesh.positions, mesh.indices),
    indices: mesh.indices,
    volumeMl: signedVolume(mesh.positions, mesh.indices) / 1000,
    decimationErrorMm: errors ? errors.max : 0,
    decimationMeanErrorMm: errors ? errors.mean : 0,
    fullResolutionTriangles,
  };
}

/** Measured errors, or meshoptimizer's own estimate where measuring was turned off. */
function reportedErrors(result: { maxErrorMm: number; meanErrorMm: number; simplifierErrorMm: number }) {
  if (Number.isNaN(result.maxErrorMm)) return { max: result.simplifierErrorMm, mean: NaN };
  return { max: result.maxErrorMm, mean: result.meanErrorMm };
}

function decimated(full: IndexedMesh, settings: Required<Omit<DecimationSettings, 'errorSampleStride'>> & { errorSampleStride?: number }) {
  const result = decimateMesh(full, {
    maxTriangles: settings.maxTriangles,
    maxErrorMm: settings.maxErrorMm,
    measureError: settings.measureError,
    errorSampleStride: settings.errorSampleStride,
    inputClosedManifold: true,
  });
  return result;
}

/**
 * One structure's surface, or null if the class has no voxel (or only specks).
 * With `decimate`, awaits meshoptimizer's wasm.
 */
export async function extractSurface(labels: LabelMap, classId: number, options: SurfaceOptions = {}): Promise<SurfaceMesh | null> {
  const name = options.name ?? `class ${classId}`;
  const full = fullResolutionSurface(labels, classId, options);
  const fullTriangles = full.indices.length / 3;
  if (fullTriangles === 0) return null;
  if (!options.decimate) return finishMesh(full, classId, name, null, fullTriangles);
  await simplifierReady();
  const result = decimated(full, {
    maxTriangles: options.decimate.maxTriangles,
    maxErrorMm: options.decimate.maxErrorMm ?? DEFAULTS.maxErrorMm,
    measureError: options.decimate.measureError ?? true,
    errorSampleStride: options.decimate.errorSampleStride,
  });
  return finishMesh(result, classId, name, reportedErrors(result), fullTriangles);
}

/**
 * One structure's surface within `maxTriangles`, as `extractSurfaces` makes it (stats given), or
 * null if only specks remain. `maxTriangles` = Infinity keeps the error-bounded first pass.
 */
export function structureSurface(
  labels: LabelMap,
  cls: Pick<ClassInfo, 'id' | 'name'>,
  stats: ClassStats,
  maxTriangles: number,
  options: SurfacesOptions = {},
): SurfaceMesh | null {
  const full = fullResolutionSurface(labels, cls.id, options, stats.boxes.subarray(cls.id * 6, cls.id * 6 + 6), stats.voxels[cls.id]);
  const fullTriangles = full.indices.length / 3;
  if (fullTriangles === 0) return null;
  if (!(options.decimate ?? true)) return finishMesh(full, cls.id, cls.name, null, fullTriangles);
  const result = decimated(full, {
    maxTriangles,
    maxErrorMm: options.maxErrorMm ?? DEFAULTS.maxErrorMm,
    measureError: options.measureError ?? true,
    errorSampleStride: options.errorSampleStride,
  });
  return finishMesh(result, cls.id, cls.name, reportedErrors(result), fullTriangles);
}

/**
 * The hologram's triangle budget shared out in the order of `classes` (those with voxels): each
 * structure gets `minTrianglesPerMesh` plus a share of what is left proportional to its boundary
 * size (voxel faces, a predictor of its full-resolution triangles); what a structure does not use
 * goes back to the pool for the next. `share()` gives the next structure's share, `used(n)` returns
 * what it did not use.
 */
export class BudgetSharing {
  private remainingBudget: number;
  private remainingWeight: number;
  private index = 0;

  constructor(private readonly present: readonly Pick<ClassInfo, 'id'>[], private readonly stats: ClassStats, maxTriangles: number, private readonly minPerMesh: number) {
    this.remainingBudget = maxTriangles;
    this.remainingWeight = present.reduce((sum, c) => sum + stats.boundaryFaces[c.id], 0);
  }

  /** The share of the next structure in order. */
  share(): number {
    const weight = this.stats.boundaryFaces[this.present[this.index].id];
    const remainingClasses = this.present.length - this.index;
    let share: number;
    if (remainingClasses * this.minPerMesh <= this.remainingBudget) {
      const free = this.remainingBudget - remainingClasses * this.minPerMesh;
      share = this.minPerMesh + Math.floor(this.remainingWeight > 0 ? (free * weight) / this.remainingWeight : free / remainingClasses);
    } else {
      share = Math.floor(this.remainingBudget / remainingClasses);
    }
    this.remainingWeight -= weight;
    this.index++;
    return share;
  }

  /** The structure just shared out used `triangles`. */
  used(triangles: number): void {
    this.remainingBudget -= triangles;
  }
}

/**
 * Every listed structure's surface, in the order of `classes`, within one triangle budget for the
 * whole hologram (see `BudgetSharing`). `onMesh` receives each mesh as soon as it is ready.
 * Classes with no voxel are skipped.
 */
export async function extractSurfaces(
  labels: LabelMap,
  classes: readonly Pick<ClassInfo, 'id' | 'name'>[],
  options: SurfacesOptions = {},
  onMesh?: (mesh: SurfaceMesh) => void,
): Promise<SurfaceMesh[]> {
  validateGrid(labels);
  const stats = options.stats ?? classStats(labels);
  if (options.decimate ?? true) await simplifierReady();
  const present = classes.filter((c) => stats.voxels[c.id] > 0);
  const budget = new BudgetSharing(present, stats, Math.floor(options.maxTriangles ?? DEFAULT_MAX_TRIANGLES), Math.floor(options.minTrianglesPerMesh ?? 1000));
  const meshes: SurfaceMesh[] = [];
  for (const cls of present) {
    options.signal?.throwIfAborted();
    const share = budget.share();
    const mesh = structureSurface(labels, cls, stats, share, options);
    if (!mesh) continue;
    budget.used(mesh.indices.length / 3);
    meshes.push(mesh);
    onMesh?.(mesh);
  }
  return meshes;
}

/** The signature of `extractSurfaces`, for callers that run it elsewhere (a worker pool). */
export type SurfacesExtractor = typeof extractSurfaces;
