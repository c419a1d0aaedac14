/**
 * Benchmark of the surface stage, for `npm run bench`: times the full-resolution meshing,
 * decimation and error measurement per structure on a label map, and the end-to-end
 * `extractSurfaces` call the worker makes. Returns numbers; prints nothing.
 */

import type { LabelMap } from '../src/volume/types';
import { decimateMesh, simplifierReady } from '../src/surfaces/decimate';
import { pointsToMeshDistance } from '../src/surfaces/distance';
import { DEFAULT_MAX_ERROR_MM, DEFAULT_MAX_TRIANGLES, extractSurfaces, fullResolutionSurface, type SurfacesOptions } from '../src/surfaces/extract';
import { classStats } from '../src/surfaces/field';
import { phantomLabelMap } from '../tests/fixtures/synthetic-labels';

export interface SurfaceBenchStructure {
  classId: number;
  name: string;
  /** Crop → smoothed mask → marching tetrahedra → speck removal, ms. */
  meshMs: number;
  /** meshoptimizer passes and topology repair, ms. */
  decimateMs: number;
  /** Measuring full-resolution vertices against the decimated surface, ms. */
  errorMs: number;
  fullTriangles: number;
  triangles: number;
  maxErrorMm: number;
  meanErrorMm: number;
  closedManifold: boolean;
}

export interface SurfaceBenchResult {
  dims: [number, number, number];
  spacing: [number, number, number];
  /** One pass over the labels: boxes, voxel and boundary counts, ms. */
  statsMs: number;
  structures: SurfaceBenchStructure[];
  /** `extractSurfaces` end to end (what the worker runs), second run, ms. */
  endToEndMs: number;
  /** The first end-to-end run, ms: includes JIT warm-up and meshoptimizer's wasm start. */
  firstRunMs: number;
  fullTriangles: number;
  triangles: number;
  maxTriangles: number;
  /** Largest measured decimation error over all structures, mm. */
  maxErrorMm: number;
  /** Mean measured decimation error over all full-resolution vertices, mm. */
  meanErrorMm: number;
  allClosed: boolean;
}

/** The benchmark's default input: an 11-structure phantom on a 200×200×250 grid at 1.5 mm. */
export function benchLabelMap(): LabelMap {
  return phantomLabelMap([200, 200, 250], 11, { spacing: [1.5, 1.5, 1.5] });
}

export async function benchSurfaces(
  labels: LabelMap = benchLabelMap(),
  classes?: { id: number; name: string }[],
  options: SurfacesOptions = {},
): Promise<SurfaceBenchResult> {
  await simplifierReady();
  const now = () => performance.now();
  let t = now();
  const stats = classStats(labels);
  const statsMs = now() - t;
  const list = classes ?? Array.from({ length: 255 }, (_, i) => ({ id: i + 1, name: `class ${i + 1}` })).filter((c) => stats.voxels[c.id] > 0);
  const maxTriangles = options.maxTriangles ?? DEFAULT_MAX_TRIANGLES;

  // End to end, as the worker calls it (twice: cold, then warm); it also fixes each structure's
  // triangle budget for the per-phase timings below.
  t = now();
  const meshes = await extractSurfaces(labels, list, { ...options, stats });
  const firstRunMs = now() - t;
  t = now();
  await extractSurfaces(labels, list, { ...options, stats });
  const endToEndMs = now() - t;

  // Per phase, with each structure's budget taken from the end-to-end run.
  const structures: SurfaceBenchStructure[] = [];
  let weightedError = 0;
  let errorCount = 0;
  for (const mesh of meshes) {
    const box = stats.boxes.subarray(mesh.classId * 6, mesh.classId * 6 + 6);
    t = now();
    const full = fullResolutionSurface(labels, mesh.classId, options, box, stats.voxels[mesh.classId]);
    const meshMs = now() - t;
    t = now();
    const decimated = decimateMesh(full, {
      maxTriangles: mesh.indices.length / 3,
      maxErrorMm: options.maxErrorMm ?? DEFAULT_MAX_ERROR_MM,
      measureError: false,
      inputClosedManifold: true,
    });
    const decimateMs = now() - t;
    t = now();
    const error = pointsToMeshDistance(full.positions, decimated.positions, decimated.indices);
    const errorMs = now() - t;
    weightedError += error.mean * error.count;
    errorCount += error.count;
    structures.push({
      classId: mesh.classId,
      name: mesh.name,
      meshMs,
      decimateMs,
      errorMs,
      fullTriangles: full.indices.length / 3,
      triangles: mesh.indices.length / 3,
      maxErrorMm: mesh.decimationErrorMm,
      meanErrorMm: mesh.decimationMeanErrorMm ?? NaN,
      closedManifold: decimated.closedManifold,
    });
  }
  return {
    dims: [...labels.dims],
    spacing: [...labels.spacing],
    statsMs,
    structures,
    endToEndMs,
    firstRunMs,
    fullTriangles: structures.reduce((s, x) => s + x.fullTriangles, 0),
    triangles: meshes.reduce((s, m) => s + m.indices.length / 3, 0),
    maxTriangles,
    maxErrorMm: Math.max(0, ...meshes.map((m) => m.decimationErrorMm)),
    meanErrorMm: errorCount ? weightedError / errorCount : 0,
    allClosed: structures.every((s) => s.closedManifold),
  };
}
