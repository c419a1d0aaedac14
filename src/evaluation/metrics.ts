import type { ClassInfo, StructureGroup } from '../segmentation/manifest';
import { STRUCTURE_GROUPS } from '../segmentation/manifest';

/**
 * How much of a class a reference tells. A full reference (every structure traced) is 'complete' for
 * every class. A partial reference (masks of a few structures) is 'complete' for a class when its
 * masks hold every voxel of that class in the volume (then a prediction of it anywhere else is a
 * false positive), and 'inside-only' when they hold only some of it (e.g. the pulmonary artery of the
 * "arteries" class, with the aorta unlabelled): then only recall inside the masks is defined.
 */
export type Coverage = 'complete' | 'inside-only';

/** Overlap scores of one class (or group) against a reference. */
export interface OverlapScore {
  name: string;
  coverage: Coverage;
  /** Voxels labelled in the reference / in the prediction / in both. */
  referenceVoxels: number;
  predictedVoxels: number;
  truePositiveVoxels: number;
  /** |P ∩ R| / |P ∪ R|; null when both are empty (undefined, not perfect) or coverage is inside-only. */
  iou: number | null;
  /** 2|P ∩ R| / (|P| + |R|); null like iou. */
  dice: number | null;
  /** |P ∩ R| / |P|; null when nothing is predicted or coverage is inside-only. */
  precision: number | null;
  /** |P ∩ R| / |R|; null when the reference holds none. */
  recall: number | null;
}

export interface EvaluationReport {
  /** Voxels scored (outside the ignore region). */
  voxels: number;
  /** Fraction of voxels whose class matches, background included; null for a partial reference. */
  pixelAccuracy: number | null;
  classes: OverlapScore[];
  groups: OverlapScore[];
  /** Mean IoU over classes with a defined IoU, background included / excluded. */
  meanIouWithBackground: number;
  meanIouWithoutBackground: number;
}

export interface ScoringOptions {
  /** 1 = not scored at all (e.g. slices a model trained on, or outside a reference's field of view). */
  ignore?: Uint8Array;
  /**
   * For a partial reference: the classes it scores and how much of each it covers. Predictions of
   * classes not listed count as background (the reference cannot tell them). Unset: full reference.
   */
  coverage?: ReadonlyMap<number, Coverage>;
}

/**
 * The classes of a group that a reference scores, and whether it holds every one of them completely:
 * the overlap scores and the surface Dice pool the same classes.
 */
export function groupClasses(classes: readonly ClassInfo[], group: StructureGroup, coverage?: ReadonlyMap<number, Coverage>): { scored: ClassInfo[]; complete: boolean } {
  const scored = classes.filter((c) => c.group === group && (!coverage || coverage.has(c.id)));
  return { scored, complete: scored.every((c) => (coverage?.get(c.id) ?? 'complete') === 'complete') };
}

function score(name: string, coverage: Coverage, tp: number, ref: number, pred: number): OverlapScore {
  const complete = coverage === 'complete';
  const union = ref + pred - tp;
  return {
    name,
    coverage,
    referenceVoxels: ref,
    predictedVoxels: pred,
    truePositiveVoxels: tp,
    iou: !complete || union === 0 ? null : tp / union,
    dice: !complete || ref + pred === 0 ? null : (2 * tp) / (ref + pred),
    precision: !complete || pred === 0 ? null : tp / pred,
    recall: ref === 0 ? null : tp / ref,
  };
}

/**
 * The one scorer (CLI `holoct eval`, `npm run eval`, and training through the CLI). Scores a
 * prediction against a reference on the same grid; both hold class ids of `classes` (0 = background).
 * Groups pool their scored classes: a voxel of one artery class predicted as another class of the
 * same group counts for the group.
 */
export function evaluateLabels(
  predicted: Uint8Array,
  reference: Uint8Array,
  classes: readonly ClassInfo[],
  options: ScoringOptions = {},
): EvaluationReport {
  if (predicted.length !== reference.length) {
    throw new Error(`prediction has ${predicted.length} voxels, reference ${reference.length}: they must share one grid`);
  }
  const { ignore, coverage } = options;
  if (ignore && ignore.length !== reference.length) throw new Error(`ignore mask has ${ignore.length} voxels, reference ${reference.length}`);
  const scored = coverage ? classes.filter((c) => coverage.has(c.id)) : [...classes];
  const coverageOf = (id: number): Coverage => coverage?.get(id) ?? 'complete';
  // predictions the reference cannot judge count as background
  const predLookup = new Uint8Array(256);
  for (const c of scored) predLookup[c.id] = c.id;
  const size = 256;
  const confusion = new Float64Array(size * size);
  let voxels = 0;
  for (let n = 0; n < predicted.length; n++) {
    if (ignore && ignore[n]) continue;
    confusion[reference[n] * size + predLookup[predicted[n]]]++;
    voxels++;
  }
  const rowSum = (r: number) => { let s = 0; for (let c = 0; c < size; c++) s += confusion[r * size + c]; return s; };
  const colSum = (c: number) => { let s = 0; for (let r = 0; r < size; r++) s += confusion[r * size + c]; return s; };
  let correct = 0;
  for (let c = 0; c < size; c++) correct += confusion[c * size + c];

  const background = coverage ? null : score('background', 'complete', confusion[0], rowSum(0), colSum(0));
  const classScores = scored.map((info) => score(info.name, coverageOf(info.id), confusion[info.id * size + info.id], rowSum(info.id), colSum(info.id)));
  const groupScores = STRUCTURE_GROUPS.map((group: StructureGroup) => {
    const inGroup = groupClasses(scored, group, coverage);
    const ids = inGroup.scored.map((c) => c.id);
    let intersection = 0, ref = 0, pred = 0;
    for (const r of ids) {
      ref += rowSum(r);
      for (const p of ids) intersection += confusion[r * size + p];
    }
    for (const p of ids) pred += colSum(p);
    const groupCoverage: Coverage = inGroup.complete ? 'complete' : 'inside-only';
    return score(group, groupCoverage, intersection, ref, pred);
  });
  const mean = (scores: OverlapScore[]) => {
    const defined = scores.map((s) => s.iou).filter((v): v is number => v !== null);
    return defined.length ? defined.reduce((a, b) => a + b, 0) / defined.length : 0;
  };
  return {
    voxels,
    pixelAccuracy: coverage || !voxels ? null : correct / voxels,
    classes: classScores,
    groups: groupScores,
    meanIouWithBackground: mean(background ? [background, ...classScores] : classScores),
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

/** A score as the tables print it: three decimals, "—" where it is undefined. */
export const formatScore = (v: number | null) => (v === null ? '—' : v.toFixed(3));

/** Markdown table: model vs threshold baseline, per group then per class, IoU, precision and recall. */
export function formatComparison(model: EvaluationReport, baseline?: EvaluationReport): string {
  const lines = baseline
    ? ['| | IoU | Dice | precision | recall | 150 HU IoU | 150 HU precision | 150 HU recall | reference voxels | predicted voxels |', '|---|---|---|---|---|---|---|---|---|---|']
    : ['| | IoU | Dice | precision | recall | reference voxels | predicted voxels |', '|---|---|---|---|---|---|---|'];
  const row = (label: string, m: OverlapScore, b?: OverlapScore) =>
    `| ${label} | ${formatScore(m.iou)} | ${formatScore(m.dice)} | ${formatScore(m.precision)} | ${formatScore(m.recall)} | ${b ? `${formatScore(b.iou)} | ${formatScore(b.precision)} | ${formatScore(b.recall)} | ` : ''}${m.referenceVoxels} | ${m.predictedVoxels} |`;
  const tag = (s: OverlapScore) => (s.coverage === 'inside-only' ? ' (recall only: partly labelled)' : '');
  model.groups.forEach((g, i) => lines.push(row(`**${g.name}** (group)${tag(g)}`, g, baseline?.groups[i])));
  model.classes.forEach((c, i) => lines.push(row(`${c.name}${tag(c)}`, c, baseline?.classes[i])));
  const blanks = baseline ? ' | | | | | | | |' : ' | | | | |';
  if (model.pixelAccuracy !== null) lines.push(`| pixel accuracy | ${model.pixelAccuracy.toFixed(4)}${baseline?.pixelAccuracy != null ? ` (150 HU: ${baseline.pixelAccuracy.toFixed(4)})` : ''}${blanks}`);
  lines.push(`| mean IoU (without background) | ${model.meanIouWithoutBackground.toFixed(3)}${baseline ? ` (150 HU: ${baseline.meanIouWithoutBackground.toFixed(3)})` : ''}${blanks}`);
  return lines.join('\n');
}
