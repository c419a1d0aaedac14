/**
 * `node --import tsx scripts/eval/tta-trial.ts [--out training/results/trials/NAME.json]`: test-time
 * augmentation, measured (issue 9 asks for mirrored TTA). Each held-out pair of `npm run eval` (a fold on
 * its case, the shipped model on D) runs the network on the CT as it is, mirrored left–right, and with
 * the windows shifted half a window in-plane; the labels are combined by vote and go through
 * the shipped post-processing, scored by the one scorer. The graph ends in ArgMax, so passes combine by
 * label vote, not by averaging probabilities. A measurement, not product code: it ships only if it wins.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluate } from '../../src/cli/commands/eval';
import { readInputFiles } from '../../src/cli/files';
import { DEFAULT_MANIFEST, loadNodeModel, readManifest } from '../../src/cli/node-model';
import { loadInput } from '../../src/pipeline/input';
import type { ModelManifest } from '../../src/segmentation/manifest';
import { finishSegmentation, labelModelInput, modelInput, normalizeValue } from '../../src/segmentation/pipeline';
import type { SegmentationSession } from '../../src/segmentation/session';
import type { Grid, LabelMap } from '../../src/volume/types';
import { committedHead, EVAL_INPUTS } from './commit';
import { findModels, heldOut, KEPT_FOLDS, withShippedPostprocessing, type CaseSpec } from './models';
import { group, ipr } from './step-table';

const DATA = '../shared/data';
const { values: args } = parseArgs({ options: { out: { type: 'string' } }, strict: true });
const CASES: CaseSpec[] = JSON.parse(readFileSync('scripts/eval-cases.json', 'utf8')).cases;
// a record names the code that measured it
const COMMIT = args.out ? committedHead(EVAL_INPUTS, 'tta-trial: --out') : '';

/** Mirrors a volume on the canonical grid along x (patient left–right), in place-free. */
function mirrorX<T extends Float32Array | Uint8Array>(data: T, dims: readonly number[]): T {
  const [nx] = dims;
  const out = data.slice() as T;
  for (let row = 0; row < data.length; row += nx) for (let i = 0; i < nx; i++) out[row + i] = data[row + nx - 1 - i];
  return out;
}

/** Pads the volume by `pad` voxels before each axis (so the windows fall half a window off), and crops labels back. */
function shifted(data: Float32Array, dims: readonly [number, number, number], pad: readonly [number, number, number], padValue: number) {
  const [nx, ny, nz] = dims;
  const big = [nx + pad[0], ny + pad[1], nz + pad[2]] as [number, number, number];
  const out = new Float32Array(big[0] * big[1] * big[2]).fill(padValue);
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) {
    out.set(data.subarray(nx * (j + ny * k), nx * (j + ny * k) + nx), pad[0] + big[0] * (j + pad[1] + big[1] * (k + pad[2])));
  }
  const crop = (labels: Uint8Array) => {
    const back = new Uint8Array(nx * ny * nz);
    for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) {
      const from = pad[0] + big[0] * (j + pad[1] + big[1] * (k + pad[2]));
      back.set(labels.subarray(from, from + nx), nx * (j + ny * k));
    }
    return back;
  };
  return { data: out, dims: big, crop };
}

async function passes(session: SegmentationSession, manifest: ModelManifest, volume: Parameters<typeof modelInput>[0]) {
  const { grid, input } = modelInput(volume, manifest);
  const padValue = normalizeValue(manifest.padHU, manifest.normalization);
  const run = (data: Float32Array, dims: readonly [number, number, number]) => labelModelInput(data, dims, { session, manifest });
  const dims = grid.dims as [number, number, number];
  const plain = await run(input, dims);
  const mirrored = mirrorX(await run(mirrorX(input, dims), dims), dims);
  // in-plane only: the 2.5D network labels each slice from its own slice stack, so a shift along z would
  // only pad the volume's first slices with air, not move the windows
  const half = [Math.floor(manifest.patchSize[0] / 2), Math.floor(manifest.patchSize[1] / 2), 0] as [number, number, number];
  const s = shifted(input, dims, half, padValue);
  const shift = s.crop(await run(s.data, s.dims));
  return { grid, plain, mirrored, shift };
}

/** Per voxel, the label most passes gave; ties go to the first pass (the plain one). */
function vote(...labelMaps: Uint8Array[]): Uint8Array {
  const out = labelMaps[0].slice();
  const counts = new Uint8Array(256);
  for (let n = 0; n < out.length; n++) {
    let best = labelMaps[0][n], bestCount = 0;
    for (const m of labelMaps) counts[m[n]]++;
    for (const m of labelMaps) if (counts[m[n]] > bestCount) { best = m[n]; bestCount = counts[m[n]]; }
    for (const m of labelMaps) counts[m[n]] = 0;
    out[n] = best;
  }
  return out;
}

const models = findModels({ shipped: DEFAULT_MANIFEST, runs: 'training/runs', kept: KEPT_FOLDS, cases: CASES, onSkip: () => {} });
const shippedManifest = await readManifest(DEFAULT_MANIFEST);
const record: Record<string, Record<string, unknown>> = {};
for (const model of models) {
  const own = await readManifest(model.manifestPath);
  const manifest = model.manifestPath === DEFAULT_MANIFEST ? own : withShippedPostprocessing(own, shippedManifest, model.manifestPath);
  const { session } = await loadNodeModel(model.manifestPath);
  for (const c of CASES) {
    const held = heldOut(model, c);
    if (!held.scored || held.trainedPart) continue;
    const volume = (await loadInput(await readInputFiles(join(DATA, c.ct)))).volume;
    const t = performance.now();
    const { grid, plain, mirrored, shift } = await passes(session, manifest, volume);
    process.stderr.write(`tta: ${model.label} on ${c.id}: three passes in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
    const refArgs = { ref: join(DATA, c.ref), refClasses: c.refClasses ? join(DATA, c.refClasses) : undefined, complete: c.complete, model: model.manifestPath };
    const variants: Record<string, Uint8Array> = {
      'one pass (shipped)': plain,
      'mirrored pass alone': mirrored,
      'shifted pass alone': shift,
      'vote of the three (ties to the plain pass)': vote(plain, mirrored, shift),
    };
    const rows: Record<string, unknown> = {};
    let agree = 0;
    for (let n = 0; n < plain.length; n++) if (plain[n] === mirrored[n]) agree++;
    for (const [name, data] of Object.entries(variants)) {
      const raw: LabelMap = { ...(grid as Grid), data };
      const finished = finishSegmentation(volume, raw, manifest);
      const r = await evaluate({ pred: { labels: finished.labels, name }, ...refArgs });
      const scores = Object.fromEntries(['bone', 'vessel', 'organ'].map((g) => [g, group(r.model, g) ?? null]));
      rows[name] = Object.fromEntries(Object.entries(scores).map(([g, s]) => [g, s ? { iou: s.iou, precision: s.precision, recall: s.recall } : null]));
      console.log(`| ${model.label} | ${c.id} | ${name} | ${ipr(group(r.model, 'bone'))} | ${ipr(group(r.model, 'vessel'))} | ${ipr(group(r.model, 'organ'))} |`);
    }
    record[`${model.label} ${c.id}`] = { rows, mirroredAgreesWithPlain: agree / plain.length };
  }
}
if (args.out) {
  writeFileSync(args.out, JSON.stringify({
    trial: 'test-time augmentation: a left-right mirrored pass and a pass with the windows shifted half a window in-plane, alone and in a label vote with the plain pass; shipped post-processing; the held-out pairs of npm run eval',
    how: 'node --import tsx scripts/eval/tta-trial.ts --out FILE at the commit below',
    date: new Date().toISOString().slice(0, 16) + 'Z',
    machine: `${cpus()[0]?.model.trim()}, ${cpus().length} cores, Node ${process.versions.node}, onnxruntime-node CPU`,
    scoredAtCommit: COMMIT,
    cases: record,
  }, null, 1) + '\n');
}
