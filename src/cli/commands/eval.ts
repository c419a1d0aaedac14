import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { evaluateLabels, formatComparison, mapLabels, parseReferenceClasses, referenceLookup, thresholdBaseline, type EvaluationReport } from '../../evaluation/metrics';
import { loadInput } from '../../pipeline/input';
import type { ClassInfo } from '../../segmentation/manifest';
import { sameGeometry } from '../../volume/geometry';
import { readNiftiLabels } from '../../volume/nifti';
import { resampleNearestLabels } from '../../volume/resample';
import type { LabelMap } from '../../volume/types';
import { parseArgs, UsageError } from '../args';
import { readInputFiles } from '../files';
import type { CliIO } from '../main';
import { DEFAULT_MANIFEST, readManifest } from '../node-model';

const USAGE = `usage: holoct eval --pred labels.nii.gz --ref <ref.nii.gz | masks-folder> [--ref-classes classes.tsv] [--ct <ct.nii.gz | dicom-folder>] [--model manifest.json] [--json]
  --ref           reference labels: a label map (with --ref-classes for its ids), or a folder of binary
                  masks named <reference class name>.nii.gz (partial reference: only covered classes are scored)
  --ref-classes   TSV (id, name, group) naming the reference's label ids, e.g. TotalSegmentator's classes.tsv;
                  without it the reference must already use the model's class ids
  --ct            the CT, for the 150 HU threshold baseline on the same case
  --only          comma-separated model classes to score (e.g. a partial reference that covers one class fully)`;

export interface EvalOutput {
  prediction: string;
  reference: string;
  partialReference: boolean;
  /** Classes scored (all model classes, or the ones a partial reference covers). */
  scoredClasses: string[];
  model: EvaluationReport;
  threshold150?: EvaluationReport;
}

interface Reference {
  labels: LabelMap;
  classes: ClassInfo[];
  partial: boolean;
}

async function loadMaskFolder(folder: string, classes: readonly ClassInfo[]): Promise<Reference> {
  const byName = new Map<string, ClassInfo>();
  for (const c of classes) for (const s of c.sourceNames) byName.set(s, c);
  const entries = (await readdir(folder)).filter((f) => /\.nii(\.gz)?$/.test(f)).sort();
  let labels: LabelMap | undefined;
  const covered = new Set<ClassInfo>();
  for (const file of entries) {
    const info = byName.get(basename(file).replace(/\.nii(\.gz)?$/, ''));
    if (!info) continue;
    const mask = readNiftiLabels(await readFile(join(folder, file)), file);
    labels ??= { ...mask, data: new Uint8Array(mask.data.length) };
    if (!sameGeometry(mask, labels)) throw new Error(`${file}: mask grid differs from the other masks in ${folder}`);
    for (let n = 0; n < mask.data.length; n++) if (mask.data[n]) labels.data[n] = info.id;
    covered.add(info);
  }
  if (!labels) throw new Error(`${folder}: no mask is named after a class the model covers`);
  return { labels, classes: classes.filter((c) => covered.has(c)), partial: true };
}

export async function run(args: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(args, { values: ['pred', 'ref', 'ref-classes', 'ct', 'model', 'only'], flags: ['json'] });
    if (!parsed.values.get('pred') || !parsed.values.get('ref')) throw new UsageError('--pred and --ref are required');
  } catch (error) {
    io.stderr(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const output = await evaluate({
    pred: parsed.values.get('pred')!,
    ref: parsed.values.get('ref')!,
    refClasses: parsed.values.get('ref-classes'),
    ct: parsed.values.get('ct'),
    model: parsed.values.get('model'),
    only: parsed.values.get('only')?.split(',').map((s) => s.trim()).filter(Boolean),
  });
  if (parsed.flags.has('json')) io.stdout(JSON.stringify(output, null, 2));
  else io.stdout(formatEvalText(output));
  return 0;
}

export interface EvaluateOptions {
  /** Predicted labels: a NIfTI path, or a label map already in memory (with a display name). */
  pred: string | { labels: LabelMap; name: string };
  ref: string;
  refClasses?: string;
  ct?: string;
  model?: string;
  only?: string[];
}

export async function evaluate(options: EvaluateOptions): Promise<EvalOutput> {
  const manifest = await readManifest(options.model ?? DEFAULT_MANIFEST);
  const predName = typeof options.pred === 'string' ? options.pred : options.pred.name;
  const predicted = typeof options.pred === 'string' ? readNiftiLabels(await readFile(options.pred), options.pred) : options.pred.labels;

  let reference: Reference;
  const refFiles = await readInputFiles(options.ref);
  if (refFiles.length > 1 || !/\.nii(\.gz)?$/.test(options.ref)) {
    reference = await loadMaskFolder(options.ref, manifest.classes);
  } else {
    let labels = readNiftiLabels(refFiles[0].bytes, options.ref);
    if (options.refClasses) {
      const names = parseReferenceClasses(await readFile(options.refClasses, 'utf8'));
      labels = { ...labels, data: mapLabels(labels.data, referenceLookup(names, manifest.classes)) };
    }
    reference = { labels, classes: manifest.classes, partial: false };
  }
  if (options.only) {
    const unknown = options.only.filter((n) => !manifest.classes.some((c) => c.name === n));
    if (unknown.length) throw new Error(`--only names unknown classes: ${unknown.join(', ')} (model classes: ${manifest.classes.map((c) => c.name).join(', ')})`);
    const keep = new Set(manifest.classes.filter((c) => options.only!.includes(c.name)).map((c) => c.id));
    reference = {
      labels: { ...reference.labels, data: reference.labels.data.map((v) => (keep.has(v) ? v : 0)) },
      classes: reference.classes.filter((c) => keep.has(c.id)),
      partial: true,
    };
  }
  // Score on the reference's grid: a prediction on another grid is brought over by nearest neighbour.
  const pred = sameGeometry(predicted, reference.labels, 0.01) ? predicted : resampleNearestLabels(predicted, reference.labels);
  // A partial reference only tells us about the classes it covers: other predicted classes count as background.
  const scoredIds = new Set(reference.classes.map((c) => c.id));
  const predData = reference.partial ? pred.data.map((v) => (scoredIds.has(v) ? v : 0)) : pred.data;
  const model = evaluateLabels(predData, reference.labels.data, reference.classes);

  let threshold150: EvaluationReport | undefined;
  if (options.ct) {
    const ct = (await loadInput(await readInputFiles(options.ct))).volume;
    const bone = manifest.classes.find((c) => c.group === 'bone');
    if (bone) {
      // Threshold on the CT's own grid, then brought to the reference's grid like the prediction.
      const onCt: LabelMap = { ...ct, data: thresholdBaseline(ct.data, bone.id, 150) };
      const baseline = sameGeometry(ct, reference.labels, 0.01) ? onCt.data : resampleNearestLabels(onCt, reference.labels).data;
      const scored = reference.partial ? baseline.map((v) => (scoredIds.has(v) ? v : 0)) : baseline;
      threshold150 = evaluateLabels(scored, reference.labels.data, reference.classes);
    }
  }
  return {
    prediction: predName,
    reference: options.ref,
    partialReference: reference.partial,
    scoredClasses: reference.classes.map((c) => c.name),
    model,
    threshold150,
  };
}

export function formatEvalText(out: EvalOutput): string {
  const lines = [
    `prediction: ${out.prediction}`,
    `reference:  ${out.reference}${out.partialReference ? ` (partial: scores ${out.scoredClasses.join(', ')} only)` : ''}`,
    `voxels scored: ${out.model.voxels}`,
    '',
  ];
  if (out.threshold150) {
    lines.push(formatComparison(out.model, out.threshold150));
  } else {
    lines.push('| | IoU | Dice | reference voxels | predicted voxels |', '|---|---|---|---|---|');
    const f = (v: number | null) => (v === null ? '—' : v.toFixed(3));
    for (const g of out.model.groups) lines.push(`| **${g.name}** (group) | ${f(g.iou)} | ${f(g.dice)} | ${g.referenceVoxels} | ${g.predictedVoxels} |`);
    for (const c of out.model.classes) lines.push(`| ${c.name} | ${f(c.iou)} | ${f(c.dice)} | ${c.referenceVoxels} | ${c.predictedVoxels} |`);
    lines.push(`| pixel accuracy | ${out.model.pixelAccuracy.toFixed(4)} | | | |`);
    lines.push(`| mean IoU (with / without background) | ${out.model.meanIouWithBackground.toFixed(3)} / ${out.model.meanIouWithoutBackground.toFixed(3)} | | | |`);
  }
  return lines.join('\n');
}
