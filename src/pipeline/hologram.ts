import type { ClassInfo, ModelManifest } from '../segmentation/manifest';
import { segmentVolume, type SegmentationProgress, type SegmentationStage } from '../segmentation/pipeline';
import type { PostprocessOptions, PostprocessReport } from '../segmentation/postprocess';
import { classesCutByFieldOfView, plausibilityNotes } from './plausibility';
import { checkSeriesScope, scopeNoteLine, type ScopeCheck, type SeriesRegion } from '../segmentation/scope';
import type { Backend, SegmentationSession } from '../segmentation/session';
import { extractSurfaces, type SurfacesExtractor } from '../surfaces/extract';
import { triangleCount, type SurfaceMesh } from '../surfaces/types';
import type { LabelMap, Volume } from '../volume/types';

/**
 * The whole compute path from a CT volume to the hologram's meshes: the one function the browser
 * worker, the CLI and the tests all run.
 */

export type PipelineStage = SegmentationStage | 'surfaces';

export interface PipelineProgress {
  stage: PipelineStage;
  fraction: number;
  detail?: string;
}

export interface StructureReport {
  id: number;
  name: string;
  group: ClassInfo['group'];
  /** Voxels of this class on the CT's own grid. */
  voxels: number;
  /** Volume from the voxel count on the CT grid, mL. */
  voxelVolumeMl: number;
  /** Triangles of the decimated surface (0 when the structure was not found). */
  triangles: number;
  /** Volume enclosed by the surface, mL. */
  surfaceVolumeMl: number;
  /** Largest vertex distance between full-resolution and decimated surface, mm. */
  decimationErrorMm: number;
  /** Set when the volume is far outside the adult range, or the structure is missing where expected (plausibility.ts). */
  note?: string;
}

export interface PipelineReport {
  model: string;
  backend: Backend;
  windows: number;
  /** Wall time per stage, ms. */
  timingsMs: Record<PipelineStage, number>;
  structures: StructureReport[];
  totalTriangles: number;
  drawCalls: number;
  /** What post-processing did (voxels outside the body removed, fragments dropped, refinement bands). */
  postprocess: PostprocessReport;
  /** The series' region against the model's scope (Body Part Examined, else its free-text names); absent when the input names no region. */
  scope?: ScopeCheck;
  /** The scope's note when out of scope, then the structures' plausibility notes, one line each ("liver: 4.2 L is far above…"). */
  notes: string[];
}

export interface HologramResult {
  labels: LabelMap;
  meshes: SurfaceMesh[];
  report: PipelineReport;
}

export interface HologramOptions {
  onProgress?: (progress: PipelineProgress) => void;
  /** Called with each structure's mesh as soon as it is ready; it may transfer the mesh's buffers (the report counts them first). */
  onMesh?: (mesh: SurfaceMesh) => void;
  signal?: AbortSignal;
  /** Triangle budget of the whole hologram (Quest 3: 750k). */
  triangleBudget?: number;
  /** Post-processing steps (default: all that won on the real cases). */
  postprocess?: PostprocessOptions;
  /** Runs the surface stage (default `extractSurfaces` on this thread; the CLI passes a worker pool with the same result). */
  surfaces?: SurfacesExtractor;
  /** The DICOM series, whose Body Part Examined (or else free-text names) is checked against the model's scope. */
  series?: SeriesRegion;
}

export const QUEST_TRIANGLE_BUDGET = 750_000;

export async function buildHologram(
  volume: Volume,
  deps: { session: SegmentationSession; manifest: ModelManifest },
  options: HologramOptions = {},
): Promise<HologramResult> {
  const { manifest } = deps;
  // Only what the hologram needs is kept: the body mask (one byte per CT voxel) is let go before the surfaces.
  const { labels, canonicalLabels, timings, backend, windows, postprocess } = await segmentVolume(volume, deps, {
    signal: options.signal,
    postprocess: options.postprocess,
    onProgress: (p: SegmentationProgress) => options.onProgress?.(p),
  });
  const t = performance.now();
  const present = new Set(canonicalLabels.data);
  const classes = manifest.classes.filter((c) => present.has(c.id));
  let done = 0;
  // Counted as each mesh is made: onMesh may transfer its buffers to another thread (the worker does).
  const trianglesByClass = new Map<number, number>();
  // announced before the first mesh: the browser's progress (and its benchmark) would count that mesh as the previous stage
  options.onProgress?.({ stage: 'surfaces', fraction: 0 });
  // Surfaces come from the canonical grid: it carries all the model's information at a fraction of the CT's voxels.
  const meshes = await (options.surfaces ?? extractSurfaces)(canonicalLabels, classes, {
    maxTriangles: options.triangleBudget ?? QUEST_TRIANGLE_BUDGET,
    signal: options.signal,
  }, (mesh) => {
    done++;
    trianglesByClass.set(mesh.classId, triangleCount(mesh));
    options.onProgress?.({ stage: 'surfaces', fraction: done / Math.max(1, classes.length), detail: mesh.name });
    options.onMesh?.(mesh);
  });
  const surfacesMs = performance.now() - t;

  const counts = new Float64Array(256);
  for (const v of labels.data) counts[v]++;
  const atScanEnds = classesCutByFieldOfView(labels);
  const voxelMl = (volume.spacing[0] * volume.spacing[1] * volume.spacing[2]) / 1000;
  const structures: StructureReport[] = manifest.classes.map((c) => {
    const mesh = meshes.find((m) => m.classId === c.id);
    return {
      id: c.id,
      name: c.name,
      group: c.group,
      voxels: counts[c.id],
      voxelVolumeMl: round(counts[c.id] * voxelMl, 2),
      triangles: trianglesByClass.get(c.id) ?? 0,
      surfaceVolumeMl: mesh ? round(mesh.volumeMl, 2) : 0,
      decimationErrorMm: mesh ? round(mesh.decimationErrorMm, 3) : 0,
    };
  });
  const notes = plausibilityNotes(structures.map((s) => ({ name: s.name, volumeMl: s.voxelVolumeMl, touchesScanEnd: atScanEnds.has(s.id) })));
  for (const s of structures) if (notes.has(s.name)) s.note = notes.get(s.name);
  const scope = options.series && checkSeriesScope(options.series, manifest.scope);
  const scopeLine = scopeNoteLine(scope);
  const timingsMs = { ...timings, surfaces: surfacesMs };
  for (const key of Object.keys(timingsMs) as PipelineStage[]) timingsMs[key] = Math.round(timingsMs[key]);
  return {
    labels,
    meshes,
    report: {
      model: manifest.name,
      backend: backend,
      windows: windows,
      timingsMs,
      structures,
      totalTriangles: [...trianglesByClass.values()].reduce((n, t) => n + t, 0),
      drawCalls: meshes.length,
      postprocess: postprocess,
      scope,
      notes: [...(scopeLine ? [scopeLine] : []), ...[...notes].map(([name, note]) => `${name}: ${note}`)],
    },
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
