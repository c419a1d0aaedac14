/**
 * Decimation with meshoptimizer's edge-collapse simplifier (wasm), with the real geometric error
 * measured afterwards and the closed-manifold property checked.
 */

import { MeshoptSimplifier } from 'meshoptimizer';
import { pointsToMeshDistance } from './distance';
import { checkTopology, compactMesh, removeFlaps, splitNonManifold, type IndexedMesh } from './meshOps';

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
  /** Measured max distance (mm) from full-resolution vertices to the decimated surface; 0 if not simplified, NaN if not measured. */
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
 * Pass 1 removes what `maxErrorMm` allows; pass 2, only if the result is still over budget,
 * simplifies further to the budget whatever the error. meshoptimizer does not check the link
 * condition of edge collapse, so on thin parts it can fold a surface into a flap (two triangles on
 * the same vertices) or press two sheets together along an edge or at a vertex. Such output is
 * repaired (flaps removed, touching sheets split into coincident vertices) and checked to be a
 * closed 2-manifold again; output that cannot be repaired is discarded for a gentler pass, and
 * the last resort is the full-resolution mesh.
 */
export function decimateMesh(mesh: IndexedMesh, options: DecimateOptions): DecimateResult {
  if (!MeshoptSimplifier.supported) throw new SurfaceError('meshoptimizer simplifier is not supported in this environment (no WebAssembly)');
  const vertexCount = mesh.positions.length / 3;
  const mustStayClosed = options.inputClosedManifold ?? checkTopology(mesh.indices, vertexCount).closedManifold;
  const passes: string[] = [];
  const budget = Math.max(0, Math.floor(options.maxTriangles));
  let flapsRemoved = 0;
  let splitVertices = 0;

  /** Simplified triangles over the input's vertices, repaired if need be; null if not closed where the input was. */
  const acceptable = (indices: Uint32Array): IndexedMesh | null => {
    const candidate = { positions: mesh.positions, indices };
    if (!mustStayClosed) return candidate;
    if (checkTopology(indices, vertexCount).closedManifold) return candidate;
    const unflapped = removeFlaps(indices);
    if (unflapped.indices.length === 0) return null;
    const split = splitNonManifold({ positions: mesh.positions, indices: unflapped.indices });
    if (!split) return null;
    if (!checkTopology(split.indices, split.positions.length / 3).closedManifold) return null;
    flapsRemoved += unflapped.removed;
    splitVertices += split.splitVertices;
    return split;
  };

  let best: IndexedMesh = mesh;
  let bestRaw: Uint32Array = mesh.indices;
  let simplified = false;
  let simplifierError = 0;
  // Pass 1: remove what the error bound allows, halving the bound if the result cannot be repaired.
  for (let bound = options.maxErrorMm, attempt = 0; attempt < 4 && bound > 0; attempt++, bound /= 2) {
    const [raw, error] = simplifyOnce(mesh, 0, bound, false);
    const repaired = acceptable(raw);
    if (repaired) {
      best = repaired;
      bestRaw = raw;
      simplified = true;
      simplifierError = error;
      passes.push(`error bound ${bound} mm → ${repaired.indices.length / 3} triangles`);
      break;
    }
    passes.push(`error bound ${bound} mm: topology not repairable, discarded`);
  }
  // Pass 2: meet the budget if still over it, whatever the error.
  if (best.indices.length / 3 > budget) {
    let target = budget;
    let done = false;
    for (let attempt = 0; attempt < 6 && !done && target >= 4; attempt++) {
      const [raw, error] = simplifyOnce({ positions: mesh.positions, indices: bestRaw }, target, Number.MAX_VALUE, true);
      const repaired = raw.length / 3 <= budget && raw.length > 0 ? acceptable(raw) : null;
      if (repaired && repaired.indices.length / 3 <= budget) {
        best = repaired;
        simplified = true;
        simplifierError = Math.max(simplifierError, error);
        passes.push(`budget ${budget} → ${repaired.indices.length / 3} triangles`);
        done = true;
      } else {
        passes.push(`budget pass (target ${target}) gave ${raw.length / 3} triangles${repaired ? '' : ', not acceptable'}`);
        target = Math.floor(target * 0.8);
      }
    }
    if (!done) {
      // The headset's triangle budget is a hard limit; closedness is not needed to render. Keep the
      // simplifier's output at the budget (flaps removed) and say the mesh is open.
      const [raw, error] = simplifyOnce({ positions: mesh.positions, indices: bestRaw }, budget, Number.MAX_VALUE, true);
      const unflapped = removeFlaps(raw);
      if (unflapped.indices.length > 0 && unflapped.indices.length / 3 <= budget) {
        best = { positions: mesh.positions, indices: unflapped.indices };
        simplified = true;
        simplifierError = Math.max(simplifierError, error);
        flapsRemoved += unflapped.removed;
        passes.push(`budget ${budget} met only with an open mesh (${unflapped.indices.length / 3} triangles)`);
      } else {
        passes.push(`could not meet the budget of ${budget} triangles`);
      }
    }
  }
  if (flapsRemoved) passes.push(`removed ${flapsRemoved} flap triangles`);
  if (splitVertices) passes.push(`split ${splitVertices} vertices where sheets touched`);

  const compact = compactMesh(best.positions, best.indices);
  const closedManifold = mustStayClosed && checkTopology(compact.indices, compact.positions.length / 3).closedManifold;
  let maxErrorMm = 0;
  let meanErrorMm = 0;
  if (simplified) {
    if (options.measureError !== false) {
      const stats = pointsToMeshDistance(mesh.positions, compact.positions, compact.indices, { stride: options.errorSampleStride });
      maxErrorMm = stats.max;
      meanErrorMm = stats.mean;
    } else {
      maxErrorMm = NaN;
      meanErrorMm = NaN;
    }
  }
  return { ...compact, maxErrorMm, meanErrorMm, simplifierErrorMm: simplifierError, closedManifold, passes };
}
