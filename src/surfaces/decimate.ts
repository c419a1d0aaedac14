/**
 * Decimation with meshoptimizer's edge-collapse simplifier (wasm), with the real geometric error
 * measured afterwards and the closed-manifold property checked.
 */

import { MeshoptSimplifier } from 'meshoptimizer';
import { pointsToMeshDistance } from './distance';
import { checkTopology, compactMesh, removeFlaps, splitNonManifold, topologyProblemVertices, type IndexedMesh } from './meshOps';

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

function simplifyOnce(mesh: IndexedMesh, targetTriangles: number, errorMm: number, prune: boolean, lock: Uint8Array | null): [Uint32Array, number] {
  const target = Math.min(mesh.indices.length, Math.max(0, Math.floor(targetTriangles)) * 3);
  const flags: ('ErrorAbsolute' | 'Prune')[] = ['ErrorAbsolute'];
  if (prune) flags.push('Prune');
  if (!lock) return MeshoptSimplifier.simplify(mesh.indices, mesh.positions, 3, target, errorMm, flags);
  return MeshoptSimplifier.simplifyWithAttributes(mesh.indices, mesh.positions, 3, NO_ATTRIBUTES, 0, [], lock, target, errorMm, flags);
}

const NO_ATTRIBUTES = new Float32Array(0);

/**
 * Locks (sets to 1) every vertex of `positions` within `radius` of one of `centres` (xyz triples):
 * the neighbourhood where a simplification pass broke the topology, kept at full resolution on the
 * next try. Centres are bucketed in a grid of cell `radius`, so each vertex looks at 27 cells.
 */
export function lockAround(lock: Uint8Array, positions: Float32Array, centres: ArrayLike<number>, radius: number): number {
  if (centres.length === 0 || !(radius > 0)) return 0;
  let x0 = Infinity, y0 = Infinity, z0 = Infinity, x1 = -Infinity, y1 = -Infinity, z1 = -Infinity;
  for (let c = 0; c < centres.length; c += 3) {
    x0 = Math.min(x0, centres[c]); x1 = Math.max(x1, centres[c]);
    y0 = Math.min(y0, centres[c + 1]); y1 = Math.max(y1, centres[c + 1]);
    z0 = Math.min(z0, centres[c + 2]); z1 = Math.max(z1, centres[c + 2]);
  }
  x0 -= radius; y0 -= radius; z0 -= radius;
  x1 += radius; y1 += radius; z1 += radius;
  const nx = Math.floor((x1 - x0) / radius) + 1, ny = Math.floor((y1 - y0) / radius) + 1;
  const key = (i: number, j: number, k: number) => i + nx * (j + ny * k);
  const buckets = new Map<number, number[]>();
  for (let c = 0; c < centres.length; c += 3) {
    const k = key(Math.floor((centres[c] - x0) / radius), Math.floor((centres[c + 1] - y0) / radius), Math.floor((centres[c + 2] - z0) / radius));
    const bucket = buckets.get(k);
    if (bucket) bucket.push(c);
    else buckets.set(k, [c]);
  }
  const r2 = radius * radius;
  let locked = 0;
  for (let v = 0; v < positions.length; v += 3) {
    const x = positions[v], y = positions[v + 1], z = positions[v + 2];
    if (x < x0 || x > x1 || y < y0 || y > y1 || z < z0 || z > z1) continue;
    const ci = Math.floor((x - x0) / radius), cj = Math.floor((y - y0) / radius), ck = Math.floor((z - z0) / radius);
    search: for (let k = ck - 1; k <= ck + 1; k++) for (let j = cj - 1; j <= cj + 1; j++) for (let i = ci - 1; i <= ci + 1; i++) {
      if (i < 0 || j < 0 || k < 0 || i >= nx || j >= ny) continue;
      const bucket = buckets.get(key(i, j, k));
      if (!bucket) continue;
      for (const c of bucket) {
        const dx = x - centres[c], dy = y - centres[c + 1], dz = z - centres[c + 2];
        if (dx * dx + dy * dy + dz * dz <= r2) {
          if (!lock[v / 3]) locked++;
          lock[v / 3] = 1;
          break search;
        }
      }
    }
  }
  return locked;
}

/** Radius (mm) kept at full resolution around a topology break on the first local retry; doubled on each further one. */
export const LOCK_RADIUS_MM = 2;
/** Local retries allowed per mesh (over all passes: the locked regions carry over). */
const LOCAL_RETRIES = 4;

/** xyz of the listed vertices. */
function positionsOf(positions: Float32Array, vertices: Uint32Array): Float32Array {
  const out = new Float32Array(vertices.length * 3);
  vertices.forEach((v, k) => out.set(positions.subarray(v * 3, v * 3 + 3), k * 3));
  return out;
}

/**
 * Simplifies a closed mesh to at most `maxTriangles` triangles. Await `simplifierReady()` first.
 *
 * Pass 1 removes what `maxErrorMm` allows; pass 2, only if the result is still over budget,
 * simplifies further to the budget whatever the error. meshoptimizer does not check the link
 * condition of edge collapse, so on thin parts it can fold a surface into a flap (two triangles on
 * the same vertices) or press two sheets together along an edge or at a vertex. Such output is
 * repaired (flaps removed, touching sheets split into coincident vertices) and checked to be a
 * closed 2-manifold again. Where it still is not, the pass is retried locally: the full-resolution
 * vertices around the vertices left broken are locked (kept as they are) and the same pass runs
 * again, the locked region growing on each retry, so the rest of the mesh keeps the pass's
 * simplification. Only if that fails is the pass discarded for a gentler one, and the last resort
 * is the full-resolution mesh.
 */
export function decimateMesh(mesh: IndexedMesh, options: DecimateOptions): DecimateResult {
  if (!MeshoptSimplifier.supported) throw new SurfaceError('meshoptimizer simplifier is not supported in this environment (no WebAssembly)');
  const vertexCount = mesh.positions.length / 3;
  const mustStayClosed = options.inputClosedManifold ?? checkTopology(mesh.indices, vertexCount).closedManifold;
  const passes: string[] = [];
  const budget = Math.max(0, Math.floor(options.maxTriangles));
  let flapsRemoved = 0;
  let splitVertices = 0;
  /** Full-resolution vertices no pass may move (regions where a pass broke the topology). */
  let lock: Uint8Array | null = null;
  let lockedVertices = 0;
  let localRetries = 0;

  /**
   * Simplified triangles over the input's vertices, repaired if need be; when not closed where the
   * input was, the positions of the vertices left broken (empty if there is nothing to retry around).
   */
  const repaired = (indices: Uint32Array): IndexedMesh | Float32Array => {
    const candidate = { positions: mesh.positions, indices };
    if (!mustStayClosed) return candidate;
    const broken = topologyProblemVertices(indices, vertexCount);
    if (broken.length === 0 && indices.length > 0) return candidate;
    const unflapped = removeFlaps(indices);
    if (unflapped.indices.length === 0) return new Float32Array(0);
    const split = splitNonManifold({ positions: mesh.positions, indices: unflapped.indices });
    if (!split) return positionsOf(mesh.positions, topologyProblemVertices(unflapped.indices, vertexCount));
    const left = topologyProblemVertices(split.indices, split.positions.length / 3);
    if (left.length > 0) return positionsOf(split.positions, left);
    flapsRemoved += unflapped.removed;
    splitVertices += split.splitVertices;
    return split;
  };

  /** One pass, retried locally around broken topology; null if it could not be made closed. */
  const closedPass = (input: Uint32Array, target: number, errorMm: number, prune: boolean) => {
    for (;;) {
      const [raw, error] = simplifyOnce({ positions: mesh.positions, indices: input }, target, errorMm, prune, lock);
      const result = repaired(raw);
      if (!(result instanceof Float32Array)) return { raw, error, mesh: result };
      if (localRetries === LOCAL_RETRIES || result.length === 0) return null;
      lock ??= new Uint8Array(vertexCount);
      lockedVertices += lockAround(lock, mesh.positions, result, LOCK_RADIUS_MM * 2 ** localRetries);
      localRetries++;
    }
  };

  let best: IndexedMesh = mesh;
  let bestRaw: Uint32Array = mesh.indices;
  let simplified = false;
  let simplifierError = 0;
  // Pass 1: remove what the error bound allows, halving the bound if the result cannot be repaired.
  for (let bound = options.maxErrorMm, attempt = 0; attempt < 4 && bound > 0; attempt++, bound /= 2) {
    const pass = closedPass(mesh.indices, 0, bound, false);
    if (pass) {
      best = pass.mesh;
      bestRaw = pass.raw;
      simplified = true;
      simplifierError = pass.error;
      passes.push(`error bound ${bound} mm → ${pass.mesh.indices.length / 3} triangles`);
      break;
    }
    passes.push(`error bound ${bound} mm: topology not repairable, discarded`);
  }
  // Pass 2: meet the budget if still over it, whatever the error.
  if (best.indices.length / 3 > budget) {
    let target = budget;
    let done = false;
    for (let attempt = 0; attempt < 6 && !done && target >= 4; attempt++) {
      const pass = closedPass(bestRaw, target, Number.MAX_VALUE, true);
      if (pass && pass.mesh.indices.length > 0 && pass.mesh.indices.length / 3 <= budget) {
        best = pass.mesh;
        simplified = true;
        simplifierError = Math.max(simplifierError, pass.error);
        passes.push(`budget ${budget} → ${pass.mesh.indices.length / 3} triangles`);
        done = true;
      } else {
        passes.push(`budget pass (target ${target}) gave ${pass ? `${pass.raw.length / 3} triangles` : 'a topology not repairable'}`);
        target = Math.floor(target * 0.8);
      }
    }
    if (!done) {
      // The headset's triangle budget is a hard limit; closedness is not needed to render. Keep the
      // simplifier's output at the budget (flaps removed) and say the mesh is open.
      const [raw, error] = simplifyOnce({ positions: mesh.positions, indices: bestRaw }, budget, Number.MAX_VALUE, true, null);
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
  if (localRetries) passes.push(`${localRetries} local retries: ${lockedVertices} full-resolution vertices kept where topology broke`);
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
