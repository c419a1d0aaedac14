/**
 * Which models `npm run eval` scores, and on what: the shipped model and the leave-one-case-out runs
 * (`<runs>/loco-*`: training/runs, or the folder a trial names; a fold not trained here from the fold
 * models kept in git, training/folds/loco-*), each read from its manifest's `training` block, and the rule
 * that a model is never scored on what it trained on. Pure but for `findModels` (which reads the manifests).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ClassInfo, ModelManifest } from '../../src/segmentation/manifest';

/**
 * Where `npm run train` keeps its fold models in git (ONNX + manifest, ~7 MB each): without them a
 * post-processing change could be measured on held-out cases only after re-training every fold (hours here).
 */
export const KEPT_FOLDS = 'training/folds';

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
  /** A fold's folder: a run on this machine (training/runs/loco-X) or a fold model kept in git (training/folds/loco-X). */
  folder?: string;
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

/** The fold folders (`loco-*`) in `dir`, sorted; a file of that name (a run's side output) is not a fold. */
function foldFolders(dir: string | undefined, onSkip?: (message: string) => void): string[] {
  if (!dir || !existsSync(dir)) return [];
  return readdirSync(dir).filter((d) => d.startsWith('loco-')).sort().filter((d) => {
    if (statSync(join(dir, d)).isDirectory()) return true;
    onSkip?.(`eval: ${join(dir, d)} is a file, not a fold's folder: not scored`);
    return false;
  });
}

/** A fold folder's manifest: holoct-seg.json as train.py exports it, else its one manifest-like .json. */
function foldManifest(folder: string): string | undefined {
  const files = readdirSync(folder);
  if (files.includes('holoct-seg.json')) return join(folder, 'holoct-seg.json');
  const other = files.find((f) => f.endsWith('.json') && !f.includes('result') && !f.includes('score') && f !== 'info.json');
  return other && join(folder, other);
}

/**
 * The shipped model (when `shipped` is given), then the leave-one-case-out runs under `runs`, then the
 * fold models kept under `kept` for the cases no run here holds out (a run here wins). A run that holds out
 * a case the shipped recipe excludes (e.g. a loco-D kept from an `--exclude none` run) is not a fold of
 * that recipe: skipped, and `onSkip` says so.
 */
export function findModels(options: { shipped?: string; runs: string; kept?: string; cases: CaseSpec[]; onSkip?: (message: string) => void }): ModelEntry[] {
  const read = (label: string, manifestPath: string) =>
    modelEntry(label, manifestPath, JSON.parse(readFileSync(manifestPath, 'utf8')).training, options.cases);
  const out: ModelEntry[] = options.shipped ? [read('shipped model', options.shipped)] : [];
  const shippedExcludes = out[0]?.excluded ?? [];
  const here = new Set<string>();
  for (const [dir, fromRuns] of [[options.runs, true], [options.kept, false]] as const) {
    for (const name of foldFolders(dir, options.onSkip)) {
      const folder = join(dir!, name);
      const manifest = foldManifest(folder);
      if (!manifest) continue;
      const fold = { ...read(`leave-out ${name.slice(5)}`, manifest), folder };
      if (fold.holdout !== undefined && shippedExcludes.includes(fold.holdout)) {
        options.onSkip?.(`eval: ${folder} holds out ${fold.holdout}, which the shipped model never trained on: not a fold of its recipe, not scored`);
        continue;
      }
      const held = fold.holdout ?? name.slice(5);
      if (!fromRuns && here.has(held)) continue;
      if (fromRuns) here.add(held);
      out.push(fold);
    }
  }
  return out;
}

/**
 * A fold model's manifest with the shipped model's post-processing rules (`components`, `refine`): a fold
 * stands in for the shipped model on the case it held out, so the app's post-processing is what is scored,
 * whatever rules the fold's manifest was exported with. The class lists must be the same (ids and names).
 */
export function withShippedPostprocessing(fold: ModelManifest, shipped: ModelManifest, foldPath: string): ModelManifest {
  const names = (classes: readonly ClassInfo[]) => classes.map((c) => `${c.id}:${c.name}`).join(',');
  if (names(fold.classes) !== names(shipped.classes)) {
    throw new Error(`eval: ${foldPath} has other classes (${names(fold.classes)}) than the shipped model (${names(shipped.classes)}): not a fold of it`);
  }
  return { ...fold, classes: fold.classes.map((c, i) => ({ ...c, components: shipped.classes[i].components, refine: shipped.classes[i].refine })) };
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

/**
 * The folds the shipped recipe has: one per real case it trained on (a case it left out has none: the
 * shipped model itself never saw it). Parts of a case (A30) are not folds of their own.
 */
export function expectedFolds(shipped: ModelEntry, cases: CaseSpec[]): string[] {
  return cases.filter((c) => shipped.trainedOn.includes(c.id) && !shipped.excluded.includes(c.id)).map((c) => c.id);
}
