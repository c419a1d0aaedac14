/**
 * From the network's labels to anatomy, in the order the pipeline runs it:
 *   the body mask on the CT's own grid (at 2 mm, ECG electrodes on the skin merge with it);
 *   on the model's grid: labels only inside the body → component rules per class;
 *   on the CT's own grid: labels only inside the body → HU refinement of bone and contrast vessels →
 *   component rules again (so the guarantees hold on the labels the user gets).
 * Each step is switchable, so evaluation can measure each one (scripts/eval-all.ts).
 */
import { resampleNearestLabels } from '../volume/resample';
import type { Grid, LabelMap, Volume } from '../volume/types';
import { bodyMask, DEFAULT_BODY_MASK, type BodyMaskOptions } from './body-mask';
import { applyComponentRules, type ComponentRule, type ComponentRulesOptions, type ComponentRulesResult } from './component-rules';
import type { ClassInfo } from './manifest';
import { DEFAULT_REFINE, refineByHU, type RefineOptions, type RefineResult, type RefineRule } from './refine';

export interface PostprocessOptions {
  /** Labels only inside the patient's body; false = off. */
  bodyMask: BodyMaskOptions | false;
  /** Per-class component rules from the manifest; false = off. */
  components: ComponentRulesOptions | false;
  /** Native-resolution HU refinement of classes with a `refine` rule; false = off. */
  refine: RefineOptions | false;
}

/**
 * Chosen on the four real cases (docs/accuracy.md, "Post-processing, step by step"): the body mask
 * and component rules are guarantees (nothing outside the patient, no detached organ fragment);
 * fragments go to background (to the structure they touch instead: better group IoU on A but
 * vessel precision 0.54 → 0.34 and new fragments); refinement within 3 mm adds in the band for
 * every class with a rule and trims only where the rule says: no class since 2026-12-03 (trimming
 * vessels lost vessel IoU on held-out B and C, trimming bone 0.04 on B: its marrow is below the band).
 * The rules themselves (bands, growth) are the manifest's, per class.
 */
export const DEFAULT_POSTPROCESS: PostprocessOptions = {
  bodyMask: DEFAULT_BODY_MASK,
  components: { dropTo: 'background', defaultMinMl: 0.1, fillHoles: true },
  refine: DEFAULT_REFINE,
};

export const NO_POSTPROCESS: PostprocessOptions = { bodyMask: false, components: false, refine: false };

export interface PostprocessReport {
  /** Labelled voxels outside the body removed on the model's grid. */
  outsideBodyVoxels: number;
  canonicalComponents: ComponentRulesResult | null;
  refine: RefineResult[];
  nativeComponents: ComponentRulesResult | null;
  /** Wall time per step, ms (0 for a step switched off): where post-processing spends its time. */
  timingsMs: PostprocessTimings;
}

export interface PostprocessTimings {
  /** The body mask on the CT's own grid. */
  bodyMask: number;
  /** Body mask and component rules (with hole filling) on the model's grid. */
  canonical: number;
  /** Labels back onto the CT's grid (nearest), kept inside the body. */
  restore: number;
  /** HU refinement of bone and contrast vessels on the CT's grid. */
  refine: number;
  /** Component rules again on the CT's grid (the guarantees hold on what the user gets). */
  nativeComponents: number;
}

export function componentRules(classes: readonly ClassInfo[]): Map<number, ComponentRule> {
  return new Map(classes.filter((c) => c.components).map((c) => [c.id, c.components!]));
}

export function refineRules(classes: readonly ClassInfo[]): Map<number, RefineRule> {
  // bone first: the order of the report's refine entries and of growth (refineByHU still lets contrast
  // vessels take their band before bone's)
  const ordered = [...classes].filter((c) => c.refine).sort((a, b) => Number(b.group === 'bone') - Number(a.group === 'bone'));
  return new Map(ordered.map((c) => [c.id, c.refine!]));
}

/**
 * Post-processes the network's labels on the model's grid (`canonical`, changed in place) and
 * returns the labels on the CT's own grid with the body mask there.
 */
export function postprocessLabels(
  canonical: LabelMap,
  volume: Volume,
  classes: readonly ClassInfo[],
  options: PostprocessOptions,
): { labels: LabelMap; body: Uint8Array | null; report: PostprocessReport } {
  const timingsMs: PostprocessTimings = { bodyMask: 0, canonical: 0, restore: 0, refine: 0, nativeComponents: 0 };
  const report: PostprocessReport = { outsideBodyVoxels: 0, canonicalComponents: null, refine: [], nativeComponents: null, timingsMs };
  let t = performance.now();
  const lap = (step: keyof PostprocessTimings) => { const now = performance.now(); timingsMs[step] = now - t; t = now; };
  const body = options.bodyMask ? bodyMask(volume.data, volume, options.bodyMask) : null;
  lap('bodyMask');
  if (body) {
    const canonicalBody = resampleNearestLabels({ ...(volume as Grid), data: body }, canonical).data;
    for (let n = 0; n < canonical.data.length; n++) {
      if (!canonicalBody[n] && canonical.data[n]) { canonical.data[n] = 0; report.outsideBodyVoxels++; }
    }
  }
  const rules = componentRules(classes);
  if (options.components) report.canonicalComponents = applyComponentRules(canonical, rules, options.components);
  lap('canonical');

  const labels = resampleNearestLabels(canonical, volume, { extendEdges: true });
  // the two grids' voxels do not line up: a label can land just outside the body on the CT's grid
  if (body) for (let n = 0; n < body.length; n++) if (!body[n]) labels.data[n] = 0;
  lap('restore');
  if (options.refine) report.refine = refineByHU(labels, volume.data, refineRules(classes), options.refine, body ?? undefined);
  lap('refine');
  if (options.components) report.nativeComponents = applyComponentRules(labels, rules, { ...options.components, fillHoles: false });
  lap('nativeComponents');
  return { labels, body, report };
}
