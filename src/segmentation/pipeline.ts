import { canonicalGrid, resampleNearestLabels, resampleTrilinear } from '../volume/resample';
import type { Grid, LabelMap, Volume } from '../volume/types';
import type { ModelManifest, Normalization } from './manifest';
import { DEFAULT_POSTPROCESS, postprocessLabels, type PostprocessOptions, type PostprocessReport } from './postprocess';
import type { Backend, SegmentationSession } from './session';
import { countWindows, sliceContextOf, slidingWindowSegment, type SlidingWindowOptions } from './sliding-window';

export type SegmentationStage = 'resample' | 'inference' | 'postprocess' | 'restore';

export interface SegmentationProgress {
  stage: SegmentationStage;
  /** 0..1 within the stage. */
  fraction: number;
  /** e.g. "window 12 / 48". */
  detail?: string;
}

export interface SegmentOptions {
  onProgress?: (progress: SegmentationProgress) => void;
  signal?: AbortSignal;
  /** Post-processing steps (default: DEFAULT_POSTPROCESS); evaluation switches them one by one. */
  postprocess?: PostprocessOptions;
}

export interface SegmentationResult {
  /** Labels on the input CT's own grid (exactly its dims, spacing, origin, direction). */
  labels: LabelMap;
  /**
   * Labels on the model's canonical grid (LPS-aligned at the model spacing): the provenance of the
   * resampling step, and a compact input for surface extraction.
   */
  canonicalLabels: LabelMap;
  /** The patient's body on the CT's own grid (1 = body), when the body mask step ran. */
  body: Uint8Array | null;
  postprocess: PostprocessReport;
  backend: Backend;
  windows: number;
  /** Wall time per stage, ms. */
  timings: Record<SegmentationStage, number>;
}

/** clamp to [clipMin, clipMax], then (hu - mean) / std, in place */
export function normalizeInPlace(values: Float32Array, n: Normalization): Float32Array {
  const { clipMin, clipMax, mean, std } = n;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] < clipMin ? clipMin : values[i] > clipMax ? clipMax : values[i];
    values[i] = (v - mean) / std;
  }
  return values;
}

export function normalizeValue(hu: number, n: Normalization): number {
  return (Math.min(Math.max(hu, n.clipMin), n.clipMax) - n.mean) / n.std;
}

/** The canonical grid the model will see for this CT. */
export function modelGrid(volume: Grid, manifest: ModelManifest): Grid {
  return canonicalGrid(volume, manifest.spacing);
}

/**
 * What the network sees of a CT: HU resampled (trilinear) onto the model's canonical grid, then
 * normalized. Normalizing after resampling lets padding and interpolation see HU, as training does.
 */
export function modelInput(volume: Volume, manifest: ModelManifest, onProgress?: (fraction: number) => void): { grid: Grid; input: Float32Array } {
  const grid = modelGrid(volume, manifest);
  const input = resampleTrilinear(volume, grid, { padValue: manifest.padHU, onProgress });
  normalizeInPlace(input, manifest.normalization);
  return { grid, input };
}

/** The network's own labels on the model's canonical grid, before any post-processing. */
export async function inferCanonical(
  volume: Volume,
  deps: { session: SegmentationSession; manifest: ModelManifest },
  options: Pick<SegmentOptions, 'onProgress' | 'signal'> = {},
): Promise<{ grid: Grid; raw: LabelMap; windows: number; timings: Pick<Record<SegmentationStage, number>, 'resample' | 'inference'> }> {
  const { manifest } = deps;
  const { onProgress, signal } = options;
  let t = performance.now();
  const { grid, input } = modelInput(volume, manifest, (fraction) => onProgress?.({ stage: 'resample', fraction }));
  const resample = performance.now() - t;
  if (signal?.aborted) throw signal.reason ?? new DOMException('Segmentation cancelled', 'AbortError');

  t = performance.now();
  const windows = countWindows(grid.dims, manifest.patchSize, manifest.overlap, sliceContextOf(manifest));
  const data = await labelModelInput(input, grid.dims, deps, {
    signal,
    onWindow: (done, total) => onProgress?.({ stage: 'inference', fraction: done / total, detail: `window ${done} / ${total}` }),
  });
  return { grid, raw: { ...grid, data }, windows, timings: { resample, inference: performance.now() - t } };
}

/**
 * The network's labels for an input already on the model's grid and normalized (`modelInput`): the
 * sliding window with the manifest's patch, overlap, slice context and padding.
 */
export function labelModelInput(
  input: Float32Array,
  dims: readonly [number, number, number],
  deps: { session: SegmentationSession; manifest: ModelManifest },
  options: Pick<SlidingWindowOptions, 'signal' | 'onWindow'> = {},
): Promise<Uint8Array> {
  const { session, manifest } = deps;
  return slidingWindowSegment(input, dims, (patch, size) => session.run(patch, size), {
    patchSize: manifest.patchSize,
    overlap: manifest.overlap,
    sliceContext: sliceContextOf(manifest),
    classCount: Math.max(...manifest.classes.map((c) => c.id)) + 1,
    padValue: normalizeValue(manifest.padHU, manifest.normalization),
    ...options,
  });
}

/**
 * The network's labels (`raw`, on the model's grid; not changed) through post-processing onto the
 * CT's own grid. Evaluation calls this on cached network outputs.
 */
export function finishSegmentation(
  volume: Volume,
  raw: LabelMap,
  manifest: ModelManifest,
  options: PostprocessOptions = DEFAULT_POSTPROCESS,
): { labels: LabelMap; canonicalLabels: LabelMap; body: Uint8Array | null; report: PostprocessReport } {
  const canonicalLabels: LabelMap = { ...raw, data: raw.data.slice() };
  const { labels, body, report } = postprocessLabels(canonicalLabels, volume, manifest.classes, options);
  return { labels, canonicalLabels, body, report };
}

/**
 * The segmentation pipeline, identical in the browser worker, the CLI and tests:
 * resample to the model's canonical grid → normalize → sliding-window inference (Gaussian-weighted
 * vote of the in-graph ArgMax) → body mask and component rules → labels back onto the CT's own grid
 * (nearest) → HU refinement there (see postprocess.ts).
 */
export async function segmentVolume(
  volume: Volume,
  deps: { session: SegmentationSession; manifest: ModelManifest },
  options: SegmentOptions = {},
): Promise<SegmentationResult> {
  const { session, manifest } = deps;
  const { onProgress, signal } = options;
  const throwIfAborted = () => {
    if (signal?.aborted) throw signal.reason ?? new DOMException('Segmentation cancelled', 'AbortError');
  };
  const inferred = await inferCanonical(volume, deps, { onProgress, signal });
  throwIfAborted();

  // post-processing ends on the CT's own grid: the nearest resampling ('restore') runs inside it and
  // is counted in 'postprocess'
  const t = performance.now();
  // announced before it starts: on a 512²×300 CT it takes seconds, and the progress bar (and the
  // browser benchmark, which times stages by it) must not count them as inference
  onProgress?.({ stage: 'postprocess', fraction: 0 });
  const finished = finishSegmentation(volume, inferred.raw, manifest, options.postprocess ?? DEFAULT_POSTPROCESS);
  onProgress?.({ stage: 'postprocess', fraction: 1 });
  onProgress?.({ stage: 'restore', fraction: 1 });
  const timings: Record<SegmentationStage, number> = { ...inferred.timings, postprocess: performance.now() - t, restore: 0 };

  return {
    labels: finished.labels,
    canonicalLabels: finished.canonicalLabels,
    body: finished.body,
    postprocess: finished.report,
    backend: session.backend,
    windows: inferred.windows,
    timings,
  };
}
