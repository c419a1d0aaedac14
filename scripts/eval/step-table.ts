/**
 * "Post-processing, step by step": each variant of the post-processing run on a model's raw labels
 * for one case, scored by `holoct eval`, with the guarantees (outside body, extra fragments) per row.
 */
import { evaluate, type EvalOutput } from '../../src/cli/commands/eval';
import type { OverlapScore } from '../../src/evaluation/metrics';
import type { GroupSurfaceDice } from '../../src/evaluation/surface-dice';
import { DEFAULT_BODY_MASK } from '../../src/segmentation/body-mask';
import type { ComponentRule } from '../../src/segmentation/component-rules';
import { checkAnatomy } from '../../src/segmentation/guarantees';
import type { ClassInfo, ModelManifest } from '../../src/segmentation/manifest';
import { finishSegmentation } from '../../src/segmentation/pipeline';
import { componentRules, DEFAULT_POSTPROCESS, NO_POSTPROCESS, type PostprocessOptions } from '../../src/segmentation/postprocess';
import { DEFAULT_REFINE, type RefineRule } from '../../src/segmentation/refine';
import type { LabelMap, Volume } from '../../src/volume/types';

const NO_REFINE = { bodyMask: DEFAULT_BODY_MASK, refine: false } as const;
const COMPONENTS = { dropTo: 'background', defaultMinMl: 0.1, fillHoles: true } as const;
/** Bone's marrow rule as shipped: the bone variants below keep it unless they say otherwise. */
const MARROW = { maxMm2: 3000 } as const;

/** The classes with some refine rules replaced (by class name; null: no rule). */
const withRules = (rules: Record<string, RefineRule | null>) => (classes: readonly ClassInfo[]): ClassInfo[] =>
  classes.map((c) => (c.name in rules ? { ...c, refine: rules[c.name] ?? undefined } : c));

/** The classes with some component rules replaced (by class name). */
const withComponents = (rules: Record<string, ComponentRule>) => (classes: readonly ClassInfo[]): ClassInfo[] =>
  classes.map((c) => (c.name in rules ? { ...c, components: { ...c.components, ...rules[c.name] } } : c));

/**
 * Each row adds one step to the one above it; rows in parentheses replace the step above them. A row
 * may also change the classes' refine rules (`classes`), which otherwise come from the model's manifest.
 */
const VARIANTS: Array<{ name: string; options: PostprocessOptions; classes?: (classes: readonly ClassInfo[]) => ClassInfo[] }> = [
  { name: 'network only', options: NO_POSTPROCESS },
  { name: '+ body mask', options: { ...NO_POSTPROCESS, bodyMask: DEFAULT_BODY_MASK } },
  { name: '+ components (fragments → background)', options: { ...NO_REFINE, components: { ...COMPONENTS, fillHoles: false } } },
  { name: '+ hole filling', options: { ...NO_REFINE, components: COMPONENTS } },
  { name: '  (fragments → surrounding label instead)', options: { ...NO_REFINE, components: { ...COMPONENTS, dropTo: 'neighbour' } } },
  { name: '  (fragments → the structure they touch most instead)', options: { ...NO_REFINE, components: { ...COMPONENTS, dropTo: 'adjacent' } } },
  { name: '+ HU refinement (≤ 3 mm: add in the band; then bone grown through ≥ 150 HU up to 30 mm, not through the scan’s contrast; then bone’s marrow filled per axial slice, holes ≤ 3000 mm², fluid-like holes open)', options: { bodyMask: DEFAULT_BODY_MASK, components: COMPONENTS, refine: DEFAULT_REFINE } },
  { name: '  (vessels also trimmed outside their band, as until 2026-12-03)', options: DEFAULT_POSTPROCESS, classes: withRules({ arteries: { contrast: true, remove: true }, veins: { contrast: true, remove: true } }) },
  { name: '  (refinement: add and remove, every class)', options: { bodyMask: DEFAULT_BODY_MASK, components: COMPONENTS, refine: { ...DEFAULT_REFINE, remove: 'all' } } },
  { name: '  (refinement ≤ 1 mm)', options: { bodyMask: DEFAULT_BODY_MASK, components: COMPONENTS, refine: { ...DEFAULT_REFINE, distanceMm: 1 } } },
  { name: '  (refinement ≤ 2 mm)', options: { bodyMask: DEFAULT_BODY_MASK, components: COMPONENTS, refine: { ...DEFAULT_REFINE, distanceMm: 2 } } },
  { name: '  (refinement ≤ 4 mm)', options: { bodyMask: DEFAULT_BODY_MASK, components: COMPONENTS, refine: { ...DEFAULT_REFINE, distanceMm: 4 } } },
  { name: '  (bone ≥ 200 HU, not grown, as until 2026-12-03)', options: DEFAULT_POSTPROCESS, classes: withRules({ bone: { minHU: 200 } }) },
  { name: '  (bone ≥ 200 HU, grown up to 30 mm)', options: DEFAULT_POSTPROCESS, classes: withRules({ bone: { minHU: 200, growMm: 30, marrow: MARROW } }) },
  { name: '  (bone ≥ 300 HU, grown up to 30 mm)', options: DEFAULT_POSTPROCESS, classes: withRules({ bone: { minHU: 300, growMm: 30, marrow: MARROW } }) },
  { name: '  (bone ≥ 150 HU, not grown)', options: DEFAULT_POSTPROCESS, classes: withRules({ bone: { minHU: 150, marrow: MARROW } }) },
  { name: '  (bone ≥ 150 HU, grown up to 10 mm)', options: DEFAULT_POSTPROCESS, classes: withRules({ bone: { minHU: 150, growMm: 10, marrow: MARROW } }) },
  { name: '  (bone ≥ 150 HU, grown up to 60 mm)', options: DEFAULT_POSTPROCESS, classes: withRules({ bone: { minHU: 150, growMm: 60, marrow: MARROW } }) },
  { name: '  (lungs grown through ≤ −500 HU up to 50 mm)', options: DEFAULT_POSTPROCESS, classes: withRules({ lungs: { maxHU: -500, growMm: 50 } }) },
  { name: '  (lungs grown through ≤ −500 HU up to 200 mm)', options: DEFAULT_POSTPROCESS, classes: withRules({ lungs: { maxHU: -500, growMm: 200 } }) },
  { name: '  (lungs grown through ≤ −300 HU up to 200 mm)', options: DEFAULT_POSTPROCESS, classes: withRules({ lungs: { maxHU: -300, growMm: 200 } }) },
  { name: '  (bone’s marrow not filled, as until 2026-12-03)', options: DEFAULT_POSTPROCESS, classes: withRules({ bone: { minHU: 150, growMm: 30 } }) },
  { name: '  (marrow holes ≤ 1000 mm²)', options: DEFAULT_POSTPROCESS, classes: withRules({ bone: { minHU: 150, growMm: 30, marrow: { maxMm2: 1000 } } }) },
  { name: '  (marrow holes ≤ 10000 mm²)', options: DEFAULT_POSTPROCESS, classes: withRules({ bone: { minHU: 150, growMm: 30, marrow: { maxMm2: 10000 } } }) },
  { name: '  (marrow holes ≤ 3000 mm², fluid-like ones too: the spinal canal where the arch closes)', options: DEFAULT_POSTPROCESS, classes: withRules({ bone: { minHU: 150, growMm: 30, marrow: { ...MARROW, fluidStaysOpen: false } } }) },
  { name: '  (bone also trimmed outside its band near its edge, before growth and marrow)', options: DEFAULT_POSTPROCESS, classes: withRules({ bone: { minHU: 150, growMm: 30, marrow: MARROW, remove: true } }) },
  { name: '  (bone ≥ 200 HU, trimmed outside it near its edge, grown, marrow filled)', options: DEFAULT_POSTPROCESS, classes: withRules({ bone: { minHU: 200, growMm: 30, marrow: MARROW, remove: true } }) },
  { name: '  (bone’s holes ≤ 3000 mm² filled on the model’s grid before refinement instead)', options: DEFAULT_POSTPROCESS, classes: (c) => withComponents({ bone: { fillHoles: true, maxHoleMm2: 3000 } })(withRules({ bone: { minHU: 150, growMm: 30 } })(c)) },
  { name: 'shipped default', options: DEFAULT_POSTPROCESS },
];

type Ipr = Pick<OverlapScore, 'iou' | 'precision' | 'recall'>;
export const f3 = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toFixed(3));
export const group = (r: EvalOutput['model'], name: string) => r.groups.find((g) => g.name === name);
/** "IoU / precision / recall" of a score, "—" for what a partial reference cannot tell. */
export const ipr = (s: Ipr | undefined) => (s ? `${f3(s.iou)} / ${f3(s.precision)} / ${f3(s.recall)}` : '—');

/** A row of docs/accuracy.md's summary table (a scored run, or a fold's recorded scores). */
export function summaryRow(r: { label: string; caseId: string; scoredPart: string; trainedOn: string[]; bone?: Ipr; vessel?: Ipr; organ?: Ipr; threshold150BoneIoU: number | null | undefined }): string {
  return `| ${r.label} | ${r.caseId} | ${r.scoredPart} | ${r.trainedOn.join(', ') || 'phantoms only'} | ${ipr(r.bone)} | ${ipr(r.vessel)} | ${ipr(r.organ)} | ${f3(r.threshold150BoneIoU)} |`;
}

/** A row of the boundary-agreement table: surface Dice per group at each tolerance ("—" where the reference cannot tell). */
export function boundaryRow(label: string, caseId: string, surface: readonly GroupSurfaceDice[], spacing: readonly number[]): string {
  const cell = (name: string) => {
    const g = surface.find((s) => s.group === name);
    return g ? g.scores.map((s) => f3(s.surfaceDice)).join(' / ') : '—';
  };
  return `| ${label} | ${caseId} | ${cell('bone')} | ${cell('vessel')} | ${cell('organ')} | ${spacing.map((v) => v.toFixed(2)).join(' × ')} |`;
}

type RefArgs = Omit<Parameters<typeof evaluate>[0], 'pred'>;

/** Scores each post-processing variant on one case: a markdown table and the raw results. */
export async function stepTable(title: string, volume: Volume, raw: LabelMap, manifest: ModelManifest, refArgs: RefArgs, body: Uint8Array | null) {
  const rows = [`#### ${title}: before / after each post-processing step`, '', '| step | bone IoU / prec. / recall | vessel IoU / prec. / recall | organ IoU / prec. / recall | outside body | extra fragments |', '|---|---|---|---|---|---|'];
  const variantResults: Record<string, unknown> = {};
  for (const variant of VARIANTS) {
    const out = finishSegmentation(volume, raw, variant.classes ? { ...manifest, classes: variant.classes(manifest.classes) } : manifest, variant.options);
    const r = await evaluate({ pred: { labels: out.labels, name: `${title} (${variant.name.trim()})` }, ...refArgs });
    // the guarantees are judged against the default body mask, whatever the variant used
    const check = checkAnatomy(out.labels, body, componentRules(manifest.classes), 0.1);
    rows.push(`| ${variant.name} | ${ipr(group(r.model, 'bone'))} | ${ipr(group(r.model, 'vessel'))} | ${ipr(group(r.model, 'organ'))} | ${check.outsideBodyVoxels} | ${check.violations.reduce((n, v) => n + (v.max !== null ? Math.max(0, v.components - v.max) : 0), 0)} |`);
    variantResults[variant.name.trim()] = { groups: r.model.groups, classes: r.model.classes };
  }
  return { rows, variantResults };
}
