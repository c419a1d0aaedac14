/**
 * Which models `npm run eval` scores, and on what: the shipped model and the leave-one-case-out runs
 * (`<runs>/loco-*`: training/runs, or the folder a trial names), each read from its manifest's `training`
 * block, and the rule that a model is never scored on what it trained on. Pure but for `findModels` (which reads the manifests).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One real case of scripts/eval-cases.json (paths under ../shared/data). */
export interface CaseSpec {
  id: string;
  title: string;
  ct: string;
  ref: string;
  refClasses?: string;
  complete?: string[];
  parts?: Record<string, [number, number]>;
  note?: string;
  /** Added to the note when the model trained on one of the case's parts. */
  partNote?: string;
}

export interface ModelEntry {
  label: string;
  manifestPath: string;
  /** Case ids and parts (e.g. A30) named in training.trainedOn. */
  trainedOn: string[];
  /** A leave-one-case-out run's held-out case: the only case it is scored on (training.holdout). */
  holdout?: string;
  /** Cases left out of training altogether (`train.py --exclude`). */
  excluded: string[];
  /** The manifest's whole `training` block (recipe fields, steps), as read once. */
  training: Record<string, unknown>;
}

type Training = Record<string, unknown> | undefined;

/** A model as its manifest's `training` block describes it (train.py writes holdout: null for the shipped model). */
export function modelEntry(label: string, manifestPath: string, training: Training, cases: CaseSpec[]): ModelEntry {
  const trainedOn = trainedOnIds((training?.trainedOn ?? []) as unknown[], cases);
  return {
    label, manifestPath, trainedOn, training: training ?? {},
    holdout: (training?.holdout as string | null | undefined) ?? undefined, excluded: (training?.excluded as string[] | undefined) ?? [],
  };
}

/** The case ids and parts (e.g. A30) a `training.trainedOn` list names ("real case A", "48 procedural phantoms"). */
export function trainedOnIds(list: unknown[], cases: CaseSpec[]): string[] {
  const ids = cases.flatMap((c) => [c.id, ...Object.keys(c.parts ?? {})]);
  return ids.filter((id) => list.some((s) => typeof s === 'string' && new RegExp(`\\bcase ${id}\\b`).test(s)));
}

/**
 * The shipped model (when `shipped` is given), then the leave-one-case-out runs under `runs`. A run that
 * holds out a case the shipped recipe excludes (e.g. a loco-D kept from an `--exclude none` run) is not a
 * fold of that recipe: skipped, and `onSkip` says so.
 */
export function findModels(options: { shipped?: string; runs: string; cases: CaseSpec[]; onSkip?: (message: string) => void }): ModelEntry[] {
  const read = (label: string, manifestPath: string) =>
    modelEntry(label, manifestPath, JSON.parse(readFileSync(manifestPath, 'utf8')).training, options.cases);
  const out: ModelEntry[] = options.shipped ? [read('shipped model', options.shipped)] : [];
  const shippedExcludes = out[0]?.excluded ?? [];
  if (!existsSync(options.runs)) return out;
  for (const dir of readdirSync(options.runs).filter((d) => d.startsWith('loco-')).sort()) {
    const manifest = readdirSync(join(options.runs, dir)).find((f) => f.endsWith('.json') && !f.includes('result') && !f.includes('score'));
    if (!manifest) continue;
    const fold = read(`leave-out ${dir.slice(5)}`, join(options.runs, dir, manifest));
    if (fold.holdout !== undefined && shippedExcludes.includes(fold.holdout)) {
      options.onSkip?.(`eval: ${join(options.runs, dir)} holds out ${fold.holdout}, which the shipped model never trained on: not a fold of its recipe, not scored`);
      continue;
    }
    out.push(fold);
  }
  return out;
}

/**
 * Which part of a case a model may be scored on: all, some slices left out, or none. A leave-one-case-out
 * run is scored on its held-out case only (a case it merely left out, `train.py --exclude`, is not its fold);
 * the shipped model on every case it did not train on, a case it left out included (a patient it never saw).
 */
export function heldOut(model: ModelEntry, c: CaseSpec): { scored: boolean; ignoreSlices?: [number, number]; trainedPart?: string } {
  if (model.trainedOn.includes(c.id) || (model.holdout !== undefined && model.holdout !== c.id)) return { scored: false };
  for (const [part, slices] of Object.entries(c.parts ?? {})) {
    if (model.trainedOn.includes(part)) return { scored: true, ignoreSlices: slices, trainedPart: part };
  }
  return { scored: true };
}

/** "**D** (a patient it never saw) is" / "A's slices 0..81 (…) and **D** (…) are": what the shipped model is scored on. */
export function heldOutText(model: ModelEntry, cases: CaseSpec[]): string {
  const parts = cases.flatMap((c) => {
    const held = heldOut(model, c);
    if (!held.scored) return [];
    if (held.ignoreSlices) {
      const [a, b] = held.ignoreSlices;
      return [`**${c.id} outside its slices ${a}..${b}** (the same patient as its ${held.trainedPart} training slices: anatomy it never saw, but the same body, scanner and reconstruction)`];
    }
    return [`**${c.id}** (a patient it never saw)`];
  });
  if (!parts.length) return 'no case is';
  return `${parts.join(' and ')} ${parts.length === 1 ? 'is' : 'are'}`;
}

type RecipeFields = Record<string, unknown>;
/**
 * What makes two training runs the same recipe: the sample mix, re-phasing, case draw, the trial
 * options and the network and optimiser settings (a run recorded before an option existed had its
 * default). Steps and the cases trained on differ between a leave-one-case-out run and the final model.
 */
export function recipeOf(t: RecipeFields): string {
  const defaults: RecipeFields = { rephase: 0, caseWeighting: 'uniform', excluded: [], aFirstSlice: 0 };
  const keys = ['mix', 'rephase', 'caseWeighting', 'excluded', 'aFirstSlice', 'arch', 'context', 'norm', 'channels', 'patch', 'batch', 'lr', 'seed'];
  return JSON.stringify(Object.fromEntries(keys.map((k) => [k, t[k] ?? defaults[k] ?? null])));
}

