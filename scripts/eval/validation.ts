/**
 * What `npm run eval` writes into the shipped model's manifest: its held-out scores
 * (`training.evaluation`) and, when the leave-one-case-out runs were trained by its very recipe,
 * their scores as its validation (`training.validation`, also training/results/loco.json).
 * Pure: the caller reads and writes the files.
 */
import { recipeOf } from './models';

export const LOCO_METHOD = 'leave-one-case-out: for each real case the recipe trains on, a model trained by the same recipe on the others ' +
  '(training/runs/loco-*; a case the recipe leaves out of training altogether has no fold: the shipped model never saw it) ' +
  'is run through the app pipeline with the shipped post-processing and scored by holoct eval on the case it did not train on (npm run eval)';

/** Why a fold of the recipe is missing from a validation. */
export const NOT_SCORED = 'no model of this fold in training/runs or training/folds and no usable --fold-record when npm run eval ran: not scored';

const EVALUATION_HOW = 'npm run eval (scripts/eval-all.ts): the app pipeline with the shipped post-processing, scored by holoct eval (src/evaluation/metrics.ts) on the parts of the real cases this model did not train on; details in docs/accuracy.md';

/**
 * The recipe's fold length: `training.locoSteps` (npm run train writes it), else the one step count of the
 * folds of its current validation (a manifest from before locoSteps), else unknown.
 */
export function recipeFoldSteps(training: Record<string, any> | undefined): number | undefined {
  if (typeof training?.locoSteps === 'number') return training.locoSteps;
  const steps = new Set(Object.values(training?.validation?.loco ?? {}).map((f: any) => f?.steps));
  const [only] = [...steps];
  return steps.size === 1 && typeof only === 'number' ? only : undefined;
}

export interface ManifestUpdate {
  /** The manifest JSON to write (a new object; the input is not changed). */
  manifest: Record<string, any>;
  /** The validation block when the runs validate the shipped model (also written to loco.json), else null. */
  validation: { method: string; loco: Record<string, unknown>; notScored?: Record<string, string> } | null;
  /** Leave-one-case-out runs were scored, but by another recipe than the shipped model's. */
  otherRecipe: boolean;
}

/**
 * Folds count as the validation only when trained by the shipped recipe and, where the manifest names it
 * (`recipeFoldSteps`), for the recipe's fold length.
 * @param heldOutScores the shipped model's scores per case it did not train on
 * @param locoScores each held-out case scored by the run that did not train on it
 * @param locoRecipes each of those runs' `recipeOf(training)`
 */
export function manifestWithScores(
  manifestJson: Record<string, any>, heldOutScores: Record<string, unknown>,
  locoScores: Record<string, unknown>, locoRecipes: Record<string, string>, locoSteps: Record<string, number> = {},
  notScored: string[] = [],
): ManifestUpdate {
  const training = { ...manifestJson.training, evaluation: { how: EVALUATION_HOW, cases: heldOutScores } };
  const scored = Object.keys(locoScores).length > 0;
  const shippedRecipe = recipeOf(manifestJson.training ?? {});
  const foldSteps = recipeFoldSteps(manifestJson.training);
  const sameRecipe = Object.values(locoRecipes).every((r) => r === shippedRecipe)
    && (foldSteps === undefined || Object.values(locoSteps).every((s) => s === foldSteps));
  // a fold of the recipe with no model here and no record is named, so a shorter table is not read as the whole
  const validation = scored && sameRecipe
    ? { method: LOCO_METHOD, loco: locoScores, ...(notScored.length ? { notScored: Object.fromEntries(notScored.map((c) => [c, NOT_SCORED])) } : {}) }
    : null;
  if (validation) training.validation = validation;
  return { manifest: { ...manifestJson, training }, validation, otherRecipe: scored && !sameRecipe };
}
