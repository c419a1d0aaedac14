/**
 * Decimation with meshoptimizer's edge-collapse simplifier (wasm), with the real geometric error
 * measured afterwards and the closed-manifold property checked.
 */

import { MeshoptSimplifier } from 'meshoptimizer';
import { pointsToMeshDistance } from './distance';
import { checkTopology, compactMesh, removeFlaps, type IndexedMesh } from './meshOps';

export class SurfaceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SurfaceError';
  }
}

export interface DecimateOptions {
  /** Hard upper bound on the output's triangles. */
  maxTriangles: number;
  /**
   * Geometric error (mm, meshoptimizer's own estimate) allowed while removing detail below the
   * budget: the mesh is first simplified as far as this error allows; only if it is still over
   * `maxTriangles` is it simplified further, past this error, to meet the budget.
   */
  maxErrorMm: number;
  /** Measure the real error (full-resolution vertices to the decimated surface). Default true. */
  measureError?: boolean;
  /** Measure the error on every n-th full-resolution vertex (default 1 = all). */
  errorSampleStride?: number;
  /**
   * Whether the input is known to be a closed 2-manifold (true for marching-tetrahedra output),
   * which skips checking it; undefined = check.
   */
  inputClosedManifold?: boolean;
}

export interface DecimateResult extends IndexedMesh {
  /** Measured max distance (mm) from full-resolution vertices to the decimated surface; NaN if not measured. */
  maxErrorMm: number;
  /** Measured mean distance (mm); NaN if not measured. */
  meanErrorMm: number;
  /** meshoptimizer's own error estimate (mm). */
  simplifierErrorMm: number;
  /** The output is a closed 2-manifold (checked only when the input was; else false). */
  closedManifold: boolean;
  /** How the result was reached, for reports: which passes ran. */
  passes: string[];
}

/** Resolves when meshoptimizer's wasm is ready. */
export function simplifierReady(): Promise<void> {
  return MeshoptSimplifier.ready;
}

function simplifyOnce(mesh: IndexedMesh, targetTriangles: number, errorMm: number, prune: boolean): [Uint32Array, number] {
  const target = Math.min(mesh.indices.length, Math.max(0, Math.floor(targetTriangles)) * 3);
  const flags: ('ErrorAbsolute' | 'Prune')[] = ['ErrorAbsolute'];
  if (prune) flags.push('Prune');
  return MeshoptSimplifier.simplify(mesh.indices, mesh.positions, 3, target, errorMm, flags);
}

/**
 * Simplifies a closed mesh to at most `maxTriangles` triangles. Await `simplifierReady()` first.
 *
 * The simplifier works on the connectivity it is given and only collapses edges, so a closed
 * manifold input normally stays closed; the result is checked, and a pass that breaks the topology
 * is discarded for a gentler one (higher target) — the last resort keeps the full mesh.
 */
export function decimateMesh(mesh: IndexedMesh, options: DecimateOptions): DecimateResult {
  if (!MeshoptSimplifier.supported) throw new SurfaceError('meshoptimizer simplifier is not supported in this environment (no WebAssembly)');
  const vertexCount = mesh.positions.length / 3;
  const mustStayClosed = options.inputClosedManifold ?? checkTopology(mesh.indices, vertexCount).closedManifold;
  const passes: string[] = [];
  const budget = Math.max(0, Math.floor(options.maxTriangles));

  let flapsRemoved = 0;
  /** The simplified triangles, repaired if need be, or null if they are not closed where the input was. */
  const acceptable = (indices: Uint32Array): Uint32Array | null => {
    if (!mustStayClosed) return indices;
    if (checkTopology(indices, vertexCount).closedManifold) return indices;
    const repaired = removeFlaps(indices);
    if (repaired.removed > 0 && repaired.indices.length > 0 && checkTopology(repaired.indices, vertexCount).closedManifold) {
      flapsRemoved += repaired.removed;
      return repaired.indices;
    }
    return null;
  };

  let best: Uint32Array = mesh.indices;
  let simplifierError = 0;
  // Pass 1: remove what the error bound allows.
  {
    const [raw, error] = simplifyOnce(mesh, 0, options.maxErrorMm, false);
    const indices = acceptable(raw);
    if (indices) {
      best = indices;
      simplifierError = error;
      passes.push(`error-bound ${options.maxErrorMm} mm → ${indices.length / 3} triangles`);
    } else {
      passes.push('error-bound pass broke the topology; discarded');
    }
  }
  // Pass 2: meet the budget if still over it, whatever the error.
  if (best.length / 3 > budget) {
    let target = budget;
    let done = false;
    for (let attempt = 0; attempt < 6 && !done; attempt++) {
      const [raw, error] = simplifyOnce({ positions: mesh.positions, indices: best }, target, Number.MAX_VALUE, true);
      const indices = raw.length / 3 <= budget && raw.length > 0 ? acceptable(raw) : null;
      const triangles = (indices ?? raw).length / 3;
      if (indices && triangles > 0) {
        best = indices;
        simplifierError = Math.max(simplifierError, error);
        passes.push(`budget ${budget} → ${triangles} triangles`);
        done = true;
      } else {
        passes.push(`budget pass (target ${target}) gave ${triangles} triangles${triangles <= budget ? ', broken topology' : ''}`);
        target = Math.floor(target * 0.8);
        if (target < 4) break;
      }
    }
    if (!done) passes.push(`could not meet the budget of ${budget} triangles with a closed mesh`);
  }

  const compact = compactMesh(mesh.positions, best);
  const closedManifold = mustStayClosed && checkTopology(compact.indices, compact.positions.length / 3).closedManifold;
  let maxErrorMm = NaN;
  let meanErrorMm = NaN;
  if (best === mesh.indices) {
    maxErrorMm = 0;
    meanErrorMm = 0;
  } else if (options.measureError !== false) {
    const stats = pointsToMeshDistance(mesh.positions, compact.positions, compact.indices, { stride: options.errorSampleStride });
    maxErrorMm = stats.max;
    meanErrorMm = stats.mean;
  }
  if (flapsRemoved) passes.push(`removed ${flapsRemoved} flap triangles (folded pairs)`);
  return { ...compact, maxErrorMm, meanErrorMm, simplifierErrorMm: simplifierError, closedManifold, passes };
}
