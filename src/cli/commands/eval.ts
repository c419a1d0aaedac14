import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { evaluateLabels, formatComparison, mapLabels, parseReferenceClasses, referenceLookup, thresholdBaseline, type Coverage, type EvaluationReport } from '../../evaluation/metrics';
import { DEFAULT_SURFACE_MM, formatSurfaceDice, groupSurfaceDice, type GroupSurfaceDice } from '../../evaluation/surface-dice';
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

const USAGE = `usage: holoct eval --pred labels.nii.gz --ref <ref.nii.gz | masks-folder> [--ref-classes classes.tsv] [--ct <ct.nii.gz | dicom-folder>]
                   [--complete a,b] [--only a,b] [--ignore-slices K0-K1] [--surface-mm 2,3] [--model manifest.json] [--json]
  --ref           reference labels: a label map (with --ref-classes for its ids), or a folder of binary
                  masks named <reference class name>.nii.gz (a partial reference: see --complete)
  --ref-classes   TSV (id, name, group) naming the reference's label ids, e.g. TotalSegmentator's classes.tsv;
                  without it the reference must already use the model's class ids
  --complete      (masks folder) model classes whose every voxel the masks hold: scored with IoU, precision
                  and recall; the other classes the masks touch get recall only; unlabelled voxels are
                  background for complete classes and unknown for all others
  --only          comma-separated model classes to score; the others' predictions count as unknown
  --ignore-slices reference slices k0..k1 (inclusive, 0-based) not scored, e.g. slices a model trained on
  --ct            the CT, for the 150 HU threshold baseline on the same case
  --surface-mm    tolerances (mm) of the surface Dice per group: the share of both boundaries within that
                  distance of the other, beside IoU (default 2,3; "none" to skip); groups a partial
                  reference holds completely only`;

export interface EvalOutput {
  prediction: string;
  reference: string;
  partialReference: boolean;
  ignoredSlices?: [number, number];
  /** Classes scored (all model classes, or the ones a partial reference covers). */
  scoredClasses: string[];
  model: EvaluationReport;
  threshold150?: EvaluationReport;
  /** Surface Dice per group at each tolerance (surface-dice.ts); absent when not asked for. */
  surface?: GroupSurfaceDice[];
  /** The grid scores are taken on: the reference's (mm per voxel along its axes). */
  referenceSpacing: [number, number, number];
}

interface Reference {
  labels: LabelMap;
  classes: ClassInfo[];
  /** Set for a partial reference (see metrics.ts Coverage). */
  coverage?: Map<number, Coverage>;
}

async function loadMaskFolder(folder: string, classes: readonly ClassInfo[], complete: readonly string[]): Promise<Reference> {
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
  const scored = classes.filter((c) => covered.has(c));
  const unknown = complete.filter((n) => !scored.some((c) => c.name === n));
  if (unknown.length) throw new Error(`--complete names classes no mask in ${folder} covers: ${unknown.join(', ')} (covered: ${scored.map((c) => c.name).join(', ')})`);
  return { labels, classes: scored, coverage: new Map(scored.map((c) => [c.id, complete.includes(c.name) ? 'complete' : 'inside-only'])) };
}

/** `--surface-mm`: "none", or distances in mm ("2,3"); an empty entry is refused, not read as 0. */
export function parseTolerances(value: string): number[] {
  if (value.trim() === 'none') return [];
  const entries = value.split(',').map((s) => s.trim());
  const list = entries.map(Number);
  if (entries.some((s) => s === '') || list.some((t) => !Number.isFinite(t) || t < 0)) {
    throw new UsageError(`--surface-mm must be distances in mm, e.g. 2,3, or none (got ${JSON.stringify(value)})`);
  }
  return list;
}

export async function run(args: string[], io: CliIO): Promise<number> {
  let parsed;
  let surfaceMm: number[];
  try {
    parsed = parseArgs(args, { values: ['pred', 'ref', 'ref-classes', 'ct', 'model', 'only', 'complete', 'ignore-slices', 'surface-mm'], flags: ['json'] });
    if (!parsed.values.get('pred') || !parsed.values.get('ref')) throw new UsageError('--pred and --ref are required');
    surfaceMm = parseTolerances(parsed.values.get('surface-mm') ?? DEFAULT_SURFACE_MM.join(','));
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
    only: list(parsed.values.get('only')),
    complete: list(parsed.values.get('complete')),
    ignoreSlices: parseSliceRange(parsed.values.get('ignore-slices')),
    surfaceMm,
  });
  if (parsed.flags.has('json')) io.stdout(JSON.stringify(output, null, 2));
  else io.stdout(formatEvalText(output));
  return 0;
}

const list = (value: string | undefined) => value?.split(',').map((s) => s.trim()).filter(Boolean);

function parseSliceRange(value: string | undefined): [number, number] | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)-(\d+)$/.exec(value.trim());
  if (!m || Number(m[1]) > Number(m[2])) throw new UsageError(`--ignore-slices must be K0-K1 with K0 <= K1 (got ${JSON.stringify(value)})`);
  return [Number(m[1]), Number(m[2])];
}

export interface EvaluateOptions {
  /** Predicted labels: a NIfTI path, or a label map already in memory (with a display name). */
  pred: string | { labels: LabelMap; name: string };
  ref: string;
  refClasses?: string;
  ct?: string;
  model?: string;
  only?: string[];
  /** Masks folder: classes the masks cover completely (see metrics.ts Coverage). */
  complete?: string[];
  /** Reference slices k0..k1 (inclusive) left out of the score. */
  ignoreSlices?: [number, number];
  /** Tolerances (mm) of the surface Dice per group; unset or empty: not computed (it costs a distance transform per mask). */
  surfaceMm?: readonly number[];
}

export async function evaluate(options: EvaluateOptions): Promise<EvalOutput> {
  const manifest = await readManifest(options.model ?? DEFAULT_MANIFEST);
  const predName = typeof options.pred === 'string' ? options.pred : options.pred.name;
  const predicted = typeof options.pred === 'string' ? readNiftiLabels(await readFile(options.pred), options.pred) : options.pred.labels;

  let reference: Reference;
  const refFiles = await readInputFiles(options.ref);
  if (refFiles.length > 1 || !/\.nii(\.gz)?$/.test(options.ref)) {
    reference = await loadMaskFolder(options.ref, manifest.classes, options.complete ?? []);
  } else {
    if (options.complete) throw new Error('--complete applies to a folder of masks, not to a label map (a label map is a full reference)');
    let labels = readNiftiLabels(refFiles[0].bytes, options.ref);
    if (options.refClasses) {
      const names = parseReferenceClasses(await readFile(options.refClasses, 'utf8'));
      labels = { ...labels, data: mapLabels(labels.data, referenceLookup(names, manifest.classes)) };
    }
    reference = { labels, classes: manifest.classes };
  }
  if (options.only) {
    const unknown = options.only.filter((n) => !manifest.classes.some((c) => c.name === n));
    if (unknown.length) throw new Error(`--only names unknown classes: ${unknown.join(', ')} (model classes: ${manifest.classes.map((c) => c.name).join(', ')})`);
    const keep = reference.classes.filter((c) => options.only!.includes(c.name));
    const coverage = new Map(keep.map((c) => [c.id, reference.coverage?.get(c.id) ?? ('complete' as Coverage)]));
    const keepIds = new Set(coverage.keys());
    reference = { labels: { ...reference.labels, data: reference.labels.data.map((v) => (keepIds.has(v) ? v : 0)) }, classes: keep, coverage };
  }
  let ignore: Uint8Array | undefined;
  if (options.ignoreSlices) {
    const [nx, ny, nz] = reference.labels.dims;
    const [k0, k1] = options.ignoreSlices;
    if (k1 >= nz) throw new Error(`--ignore-slices ${k0}-${k1}: the reference has ${nz} slices (0..${nz - 1})`);
    ignore = new Uint8Array(nx * ny * nz);
    ignore.fill(1, k0 * nx * ny, (k1 + 1) * nx * ny);
  }
  const scoring = { ignore, coverage: reference.coverage };
  // Score on the reference's grid: a prediction on another grid is brought over by nearest neighbour.
  const pred = sameGeometry(predicted, reference.labels, 0.01) ? predicted : resampleNearestLabels(predicted, reference.labels);
  const model = evaluateLabels(pred.data, reference.labels.data, reference.classes, scoring);
  const surface = options.surfaceMm?.length ? groupSurfaceDice(pred.data, reference.labels.data, reference.labels, reference.classes, options.surfaceMm, scoring) : undefined;

  let threshold150: EvaluationReport | undefined;
  if (options.ct) {
    const ct = (await loadInput(await readInputFiles(options.ct))).volume;
    const bone = manifest.classes.find((c) => c.group === 'bone');
    if (bone) {
      // Threshold on the CT's own grid, then brought to the reference's grid like the prediction.
      const onCt: LabelMap = { ...ct, data: thresholdBaseline(ct.data, bone.id, 150) };
      const baseline = sameGeometry(ct, reference.labels, 0.01) ? onCt.data : resampleNearestLabels(onCt, reference.labels).data;
      threshold150 = evaluateLabels(baseline, reference.labels.data, reference.classes, scoring);
    }
  }
  return {
    prediction: predName,
    reference: options.ref,
    partialReference: reference.coverage !== undefined,
    ignoredSlices: options.ignoreSlices,
    scoredClasses: reference.classes.map((c) => c.name),
    model,
    threshold150,
    ...(surface ? { surface } : {}),
    referenceSpacing: [...reference.labels.spacing] as [number, number, number],
  };
}

export function formatEvalText(out: EvalOutput): string {
  const partial = out.model.classes.filter((c) => c.coverage === 'inside-only').map((c) => c.name);
  const lines = [
    `prediction: ${out.prediction}`,
    `reference:  ${out.reference}${out.partialReference ? ` (partial: scores ${out.scoredClasses.join(', ')} only${partial.length ? `; recall only for ${partial.join(', ')}` : ''})` : ''}`,
    `voxels scored: ${out.model.voxels}${out.ignoredSlices ? ` (slices ${out.ignoredSlices[0]}..${out.ignoredSlices[1]} left out)` : ''}`,
    '',
    formatComparison(out.model, out.threshold150),
    ...(out.surface ? ['', out.surface.length ? formatSurfaceDice(out.surface) : 'surface Dice: no group is held completely by this reference'] : []),
  ];
  return lines.join('\n');
}
