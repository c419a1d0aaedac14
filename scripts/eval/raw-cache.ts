/**
 * The network's raw labels on the model's grid, cached per model and case (.cache/eval, git-ignored),
 * so post-processing experiments do not run the network again. The key is the ONNX file's content (a
 * retrained model is never scored from another model's cache) and what else decides the network's
 * output: the manifest's grid, window and normalization (a trial may run one model on another grid) and
 * the code that resamples and slides the window, so a change there runs the network again.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ModelManifest } from '../../src/segmentation/manifest';
import { inferCanonical, modelGrid } from '../../src/segmentation/pipeline';
import type { SegmentationSession } from '../../src/segmentation/session';
import { readNiftiLabels, writeNifti } from '../../src/volume/nifti';
import type { LabelMap, Volume } from '../../src/volume/types';
import { workingTreeDigest } from './commit';
import type { CaseSpec, ModelEntry } from './models';

export interface RawCacheOptions {
  dir: string;
  /** false: run the network even when a cached result exists (and refresh it). */
  read: boolean;
}

function sha12(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 12);
}

/** The code between the CT and the network's raw labels (resampling, normalization, sliding window, the inference entry point). */
const INFERENCE_CODE = ['src/volume', 'src/segmentation/sliding-window.ts', 'src/segmentation/pipeline.ts', 'src/segmentation/session.ts', 'src/cli/node-model.ts'];

/** The part of the cache key besides the ONNX file: the manifest fields and the code that shape the raw labels. */
function inferenceKey(manifest: ModelManifest): string {
  const { spacing, patchSize, overlap, padHU, normalization, inputName, outputName } = manifest;
  return sha12(JSON.stringify({ spacing, patchSize, overlap, padHU, normalization, inputName, outputName, code: workingTreeDigest(INFERENCE_CODE) }));
}

/** The network's raw canonical labels for a case: from the cache, or by running the model (`session` only then). */
export async function rawLabels(
  model: ModelEntry, manifest: ModelManifest, c: CaseSpec, volume: Volume,
  session: () => Promise<SegmentationSession>, cache: RawCacheOptions,
): Promise<LabelMap> {
  const onnx = resolve(dirname(model.manifestPath), manifest.file);
  const file = join(cache.dir, `${sha12(readFileSync(onnx))}-${inferenceKey(manifest)}-${manifest.spacing.join('x')}mm-${c.id}.nii.gz`);
  const grid = modelGrid(volume, manifest);
  if (cache.read && existsSync(file)) {
    const cached = readNiftiLabels(readFileSync(file), file);
    if (cached.dims.join() === grid.dims.join()) return { ...grid, data: cached.data } as LabelMap;
  }
  process.stderr.write(`eval: running ${model.label} on case ${c.id}…\n`);
  const inferred = await inferCanonical(volume, { session: await session(), manifest });
  mkdirSync(cache.dir, { recursive: true });
  writeFileSync(file, writeNifti(inferred.grid, inferred.raw.data));
  return inferred.raw;
}
