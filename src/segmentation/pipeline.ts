import { canonicalGrid, resampleNearestLabels, resampleTrilinear } from '../volume/resample';
import type { Grid, LabelMap, Volume } from '../volume/types';
import type { ModelManifest, Normalization } from './manifest';
import { removeSmallComponents } from './postprocess';
import type { Backend, SegmentationSession } from './session';
import { countWindows, sliceContextOf, slidingWindowSegment } from './sliding-window';

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
}

export interface SegmentationResult {
  /** Labels on the input CT's own grid (exactly its dims, spacing, origin, direction). */
  labels: LabelMap;
  /**
   * Labels on the model's canonical grid (LPS-aligned at the model spacing): the provenance of the
   * resampling step, and a compact input for surface extraction.
   */
  canonicalLabels: LabelMap;
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

/**
 * The segmentation pipeline, identical in the browser worker, the CLI and tests:
 * resample to the model's canonical grid → normalize → sliding-window inference (Gaussian-weighted
 * vote of the in-graph ArgMax) → remove specks → labels back onto the CT's own grid (nearest).
 */
export async function segmentVolume(
  volume: Volume,
  deps: { session: SegmentationSession; manifest: ModelManifest },
  options: SegmentOptions = {},
): Promise<SegmentationResult> {
  const { session, manifest } = deps;
  const { onProgress, signal } = options;
  const timings: Record<SegmentationStage, number> = { resample: 0, inference: 0, postprocess: 0, restore: 0 };
  const throwIfAborted = () => {
    if (signal?.aborted) throw signal.reason ?? new DOMException('Segmentation cancelled', 'AbortError');
  };

  let t = performance.now();
  const { grid, input } = modelInput(volume, manifest, (fraction) => onProgress?.({ stage: 'resample', fraction }));
  timings.resample = performance.now() - t;
  throwIfAborted();

  t = performance.now();
  const sliceContext = sliceContextOf(manifest);
  const windows = countWindows(grid.dims, manifest.patchSize, manifest.overlap, sliceContext);
  const canonical = await slidingWindowSegment(input, grid.dims, (patch, size) => session.run(patch, size), {
    patchSize: manifest.patchSize,
    overlap: manifest.overlap,
    sliceContext,
    classCount: Math.max(...manifest.classes.map((c) => c.id)) + 1,
    padValue: normalizeValue(manifest.padHU, manifest.normalization),
    signal,
    onWindow: (done, total) => onProgress?.({ stage: 'inference', fraction: done / total, detail: `window ${done} / ${total}` }),
  });
  timings.inference = performance.now() - t;
  throwIfAborted();

  t = performance.now();
  const canonicalLabels: LabelMap = { ...grid, data: canonical };
  removeSmallComponents(canonicalLabels, manifest.classes);
  onProgress?.({ stage: 'postprocess', fraction: 1 });
  timings.postprocess = performance.now() - t;

  t = performance.now();
  const labels = resampleNearestLabels(canonicalLabels, volume);
  onProgress?.({ stage: 'restore', fraction: 1 });
  timings.restore = performance.now() - t;

  return { labels, canonicalLabels, backend: session.backend, windows, timings };
}
