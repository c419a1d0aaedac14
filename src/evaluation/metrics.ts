import type { ClassInfo, StructureGroup } from '../segmentation/manifest';
import { STRUCTURE_GROUPS } from '../segmentation/manifest';

/** Overlap scores of one class (or group) against a reference. */
export interface OverlapScore {
  name: string;
  /** Voxels labelled in the reference / in the prediction. */
  referenceVoxels: number;
  predictedVoxels: number;
  /** |P ∩ R| / |P ∪ R|; null when both are empty (undefined, not perfect). */
  iou: number | null;
  /** 2|P ∩ R| / (|P| + |R|); null when both are empty. */
  dice: number | null;
}

export interface EvaluationReport {
  voxels: number;
  /** Fraction of voxels whose class matches, background included. */
  pixelAccuracy: number;
  classes: OverlapScore[];
  groups: OverlapScore[];
  /** Mean IoU over classes present in the reference or the prediction, background included / excluded. */
  meanIouWithBackground: number;
  meanIouWithoutBackground: number;
}

function score(name: string, intersection: number, ref: number, pred: number): OverlapScore {
  const union = ref + pred - intersection;
  return {
    name,
    referenceVoxels: ref,
    predictedVoxels: pred,
    iou: union === 0 ? null : intersection / union,
    dice: ref + pred === 0 ? null : (2 * intersection) / (ref + pred),
  };
}

/**
 * Scores a prediction against a reference on the same grid. Both hold class ids of `classes`
 * (0 = background). Voxels where `ignore` is 1 (e.g. unknown class in a partial reference) are skipped.
 */
export function evaluateLabels(
  predicted: Uint8Array,
  reference: Uint8Array,
  classes: readonly ClassInfo[],
  ignore?: Uint8Array,
): EvaluationReport {
  if (predicted.length !== reference.length) {
    throw new Error(`prediction has ${predicted.length} voxels, reference ${reference.length}: they must share one grid`);
  }
  const size = 256;
  const confusion = new Float64Array(size * size);
  let voxels = 0;
  for (let n = 0; n < predicted.length; n++) {
    if (ignore && ignore[n]) continue;
    confusion[reference[n] * size + predicted[n]]++;
    voxels++;
  }
  const rowSum = (r: number) => { let s = 0; for (let c = 0; c < size; c++) s += confusion[r * size + c]; return s; };
  const colSum = (c: number) => { let s = 0; for (let r = 0; r < size; r++) s += confusion[r * size + c]; return s; };
  let correct = 0;
  for (let c = 0; c < size; c++) correct += confusion[c * size + c];

  const background = score('background', confusion[0], rowSum(0), colSum(0));
  const classScores = classes.map((info) => score(info.name, confusion[info.id * size + info.id], rowSum(info.id), colSum(info.id)));
  const groupScores = STRUCTURE_GROUPS.map((group: StructureGroup) => {
    const ids = classes.filter((c) => c.group === group).map((c) => c.id);
    let intersection = 0, ref = 0, pred = 0;
    for (const r of ids) {
      ref += rowSum(r);
      for (const p of ids) intersection += confusion[r * size + p];
    }
    for (const p of ids) pred += colSum(p);
    return score(group, intersection, ref, pred);
  });
  const mean = (scores: OverlapScore[]) => {
    const defined = scores.map((s) => s.iou).filter((v): v is number => v !== null);
    return defined.length ? defined.reduce((a, b) => a + b, 0) / defined.length : 0;
  };
  return {
    voxels,
    pixelAccuracy: voxels ? correct / voxels : 0,
    classes: classScores,
    groups: groupScores,
    meanIouWithBackground: mean([background, ...classScores]),
    meanIouWithoutBackground: mean(classScores),
  };
}

/** The classic baseline: every voxel at or above `hu` (default 150 HU) is bone (class `boneId`). */
export function thresholdBaseline(hu: ArrayLike<number>, boneId: number, threshold = 150): Uint8Array {
  const out = new Uint8Array(hu.length);
  for (let n = 0; n < hu.length; n++) if (hu[n] >= threshold) out[n] = boneId;
  return out;
}

/** Parses TotalSegmentator's classes.tsv (id, name, group) into id → name. */
export function parseReferenceClasses(tsv: string): Map<number, string> {
  const map = new Map<number, string>();
  for (const line of tsv.split(/\r?\n/).slice(1)) {
    const [id, name] = line.split('\t');
    if (id && name && Number.isInteger(Number(id))) map.set(Number(id), name.trim());
  }
  if (map.size === 0) throw new Error('no classes found (expected a TSV with a header and id<TAB>name<TAB>group rows)');
  return map;
}

/**
 * A 256-entry lookup from reference label ids to model class ids, through the classes'
 * `sourceNames`. Reference classes that no model class covers (e.g. muscles) map to background.
 */
export function referenceLookup(referenceNames: Map<number, string>, classes: readonly ClassInfo[]): Uint8Array {
  const byName = new Map<string, number>();
  for (const c of classes) for (const source of c.sourceNames) byName.set(source, c.id);
  const lookup = new Uint8Array(256);
  for (const [id, name] of referenceNames) lookup[id] = byName.get(name) ?? 0;
  return lookup;
}

export function mapLabels(labels: Uint8Array, lookup: Uint8Array): Uint8Array {
  const out = new Uint8Array(labels.length);
  for (let n = 0; n < labels.length; n++) out[n] = lookup[labels[n]];
  return out;
}

const fmt = (v: number | null) => (v === null ? '—' : v.toFixed(3));

/** Markdown table: model vs threshold baseline, per group then per class. */
export function formatComparison(model: EvaluationReport, baseline: EvaluationReport): string {
  const lines = [
    `| | model IoU | model Dice | 150 HU IoU | 150 HU Dice | reference voxels | predicted voxels |`,
    `|---|---|---|---|---|---|---|`,
  ];
  const row = (label: string, m: OverlapScore, b: OverlapScore) =>
    `| ${label} | ${fmt(m.iou)} | ${fmt(m.dice)} | ${fmt(b.iou)} | ${fmt(b.dice)} | ${m.referenceVoxels} | ${m.predictedVoxels} |`;
  model.groups.forEach((g, i) => lines.push(row(`**${g.name}** (group)`, g, baseline.groups[i])));
  model.classes.forEach((c, i) => lines.push(row(c.name, c, baseline.classes[i])));
  lines.push(`| pixel accuracy | ${model.pixelAccuracy.toFixed(4)} | | ${baseline.pixelAccuracy.toFixed(4)} | | | |`);
  lines.push(`| mean IoU (with background) | ${model.meanIouWithBackground.toFixed(3)} | | ${baseline.meanIouWithBackground.toFixed(3)} | | | |`);
  lines.push(`| mean IoU (without background) | ${model.meanIouWithoutBackground.toFixed(3)} | | ${baseline.meanIouWithoutBackground.toFixed(3)} | | | |`);
  return lines.join('\n');
}
