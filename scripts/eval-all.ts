/**
 * `npm run eval`: scores the shipped model (and the leave-one-case-out models in training/runs, when
 * present) on the real cases of scripts/eval-cases.json through the real pipeline, with the one
 * scorer (src/evaluation/metrics.ts via `holoct eval`), next to the 150 HU threshold, before and
 * after each post-processing step; checks the post-processing guarantees on every case; draws an
 * axial and a coronal slice per case; writes docs/accuracy.md, docs/accuracy/*.png and
 * training/results/accuracy.json. A model is never scored on what it trained on.
 *
 * This file runs the cases and collects the tables; the parts live in scripts/eval/: which models on
 * which cases (models.ts), the raw-label cache (raw-cache.ts), the step tables (step-table.ts), the
 * pictures (pictures.ts), the document (accuracy-doc.ts), the manifest's scores (validation.ts).
 * The network's raw labels are cached per model and case in .cache/eval (git-ignored), so
 * post-processing experiments do not run the network again. `--no-cache` ignores the cache.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluate, type EvalOutput } from '../src/cli/commands/eval';
import { readInputFiles } from '../src/cli/files';
import { DEFAULT_MANIFEST, loadNodeModel, readManifest } from '../src/cli/node-model';
import { formatComparison, type OverlapScore } from '../src/evaluation/metrics';
import { DEFAULT_SURFACE_MM } from '../src/evaluation/surface-dice';
import { loadInput } from '../src/pipeline/input';
import { classesCutByFieldOfView, plausibilityNotes } from '../src/pipeline/plausibility';
import { checkAnatomy } from '../src/segmentation/guarantees';
import { finishSegmentation } from '../src/segmentation/pipeline';
import { componentRules, DEFAULT_POSTPROCESS } from '../src/segmentation/postprocess';
import type { SegmentationSession } from '../src/segmentation/session';
import { accuracyDoc } from './eval/accuracy-doc';
import { committedHead, EVAL_INPUTS, git, SCORING_CODE, workingTreeDigest } from './eval/commit';
import { chooseRecordedFolds, recordedFoldDoc, recordedFolds } from './eval/fold-records';
import { recipeFoldSteps } from './eval/validation';
import { expectedFolds, findModels, heldOut, KEPT_FOLDS, recipeOf, withShippedPostprocessing, type CaseSpec } from './eval/models';
import { drawSlices } from './eval/pictures';
import { rawLabels } from './eval/raw-cache';
import { boundaryRow, group, stepTable, summaryRow } from './eval/step-table';
import { LOCO_METHOD, manifestWithScores } from './eval/validation';

const DATA = '../shared/data';
// `--trial FILE [--runs DIR]`: score only the leave-one-case-out runs in DIR/loco-* (default training/runs;
// a recipe under trial, not the shipped model's) and write their scores to FILE; docs/accuracy.md and the
// manifest stay as they are. `--no-cache`: run the network even where .cache/eval holds its labels.
// `--fold-record FILE` (repeatable): a fold whose run is not in training/runs is taken from the scores a
// trial recorded while the run was here (scripts/eval/fold-records.ts); a run present wins.
const { values: args } = parseArgs({
  options: { trial: { type: 'string' }, runs: { type: 'string' }, 'no-cache': { type: 'boolean' }, 'fold-record': { type: 'string', multiple: true } },
  strict: true,
});
const CACHE = { dir: '.cache/eval', read: !args['no-cache'] };
const trialFile = args.trial;
if (trialFile !== undefined && !trialFile.endsWith('.json')) throw new Error(`eval: --trial ${trialFile}: needs the .json file to write the leave-one-case-out scores to`);
if (args.runs !== undefined) {
  if (trialFile === undefined) throw new Error('eval: --runs is for trials (with --trial FILE): docs/accuracy.md is made from training/runs only');
  if (!existsSync(args.runs)) throw new Error(`eval: --runs ${args.runs}: no such folder`);
}
if (args['fold-record'] && trialFile !== undefined) throw new Error('eval: --fold-record completes the shipped model\'s folds in docs/accuracy.md; a trial scores its own runs only');
// training/runs may be missing (a fresh clone): then the shipped model alone is scored
const RUNS = args.runs ?? 'training/runs';

/** True when the scoring code here is that of `commit` (false also when this clone lacks the commit). */
const sameScoringCode = (commit: string) => git('diff', '--quiet', commit, '--', ...SCORING_CODE).status === 0;

const CASES: CaseSpec[] = JSON.parse(readFileSync('scripts/eval-cases.json', 'utf8')).cases;
// checked before any scoring: the trial's commit, the records' form
const TRIAL_COMMIT = trialFile !== undefined ? committedHead(SCORING_CODE, 'eval: --trial') : undefined;
// What scores the results below, less the manifest this run rewrites with its scores: checked again at the
// end (no code changed while it ran); accuracy.json then names the digest of everything, the new manifest
// included, so the results and the code committed with them can be checked against each other.
const NOT_CODE = { exclude: [relative('.', DEFAULT_MANIFEST)] };
const CODE_DIGEST = workingTreeDigest(EVAL_INPUTS, NOT_CODE);
const RECORDED = (args['fold-record'] ?? []).flatMap((file) => recordedFolds(file, JSON.parse(readFileSync(file, 'utf8')), CASES));

const round4 = (v: number | null) => (v === null ? null : Math.round(v * 1e4) / 1e4);
/** Group and class scores to 4 decimals, as the manifest and the result files keep them. */
const roundedScores = (r: EvalOutput['model']) => {
  const rounded = (s: OverlapScore) => ({ iou: round4(s.iou), precision: round4(s.precision), recall: round4(s.recall) });
  return {
    groups: Object.fromEntries(r.groups.map((g) => [g.name, rounded(g)])),
    classes: Object.fromEntries(r.classes.map((k) => [k.name, rounded(k)])),
  };
};

async function main() {
  const summary: string[] = [
    '| model | case | scored part | trained on | bone IoU / prec. / recall | vessel IoU / prec. / recall | organ IoU / prec. / recall | 150 HU bone IoU |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const boundary: string[] = [
    `| model | case | ${['bone', 'vessel', 'organ'].map((g) => `${g} ≤ ${DEFAULT_SURFACE_MM.join(' / ≤ ')} mm`).join(' | ')} | reference voxel (mm) |`,
    '|---|---|---|---|---|---|',
  ];
  const steps: string[] = [];
  const trainedSteps: string[] = [];
  const sections: string[] = [];
  const guarantees: string[] = ['| case | model trained on it | labelled voxels outside the body | classes breaking their component rule | plausibility notes |', '|---|---|---|---|---|'];
  const volumes: string[] = [];
  const results: Record<string, unknown> = {};
  const heldOutScores: Record<string, unknown> = {};
  /** Leave-one-case-out: each held-out case scored by the model that did not train on it. */
  const locoScores: Record<string, unknown> = {};
  /** Each leave-one-case-out run's recipe (recipeOf), to tell whether it validates the shipped model, and its steps. */
  const locoRecipes: Record<string, string> = {};
  const locoSteps: Record<string, number> = {};
  mkdirSync('docs/accuracy', { recursive: true });

  // a trial scores its own runs only; npm run eval also the fold models kept in git for folds not trained here
  const models = findModels({ shipped: trialFile ? undefined : DEFAULT_MANIFEST, runs: RUNS, kept: trialFile ? undefined : KEPT_FOLDS, cases: CASES, onSkip: (m) => process.stderr.write(`${m}\n`) });
  const shippedManifest = await readManifest(DEFAULT_MANIFEST);
  for (const model of models) {
    const own = await readManifest(model.manifestPath);
    const manifest = model.manifestPath === DEFAULT_MANIFEST ? own : withShippedPostprocessing(own, shippedManifest, model.manifestPath);
    let session: SegmentationSession | undefined;
    const getSession = async () => (session ??= (await loadNodeModel(model.manifestPath)).session);
    for (const c of CASES) {
      const held = heldOut(model, c);
      const isShipped = model.manifestPath === DEFAULT_MANIFEST;
      if (!held.scored && !isShipped) continue;
      const volume = (await loadInput(await readInputFiles(join(DATA, c.ct)))).volume;
      const raw = await rawLabels(model, manifest, c, volume, getSession, CACHE);
      const refArgs = { ref: join(DATA, c.ref), refClasses: c.refClasses ? join(DATA, c.refClasses) : undefined, complete: c.complete, ignoreSlices: held.ignoreSlices, model: model.manifestPath };
      const finished = finishSegmentation(volume, raw, manifest, DEFAULT_POSTPROCESS);

      if (isShipped) {
        // guarantees, volumes and pictures on every case, scored or not
        const check = checkAnatomy(finished.labels, finished.body, componentRules(manifest.classes), 0.1);
        const voxelMl = (volume.spacing[0] * volume.spacing[1] * volume.spacing[2]) / 1000;
        const counts = new Float64Array(256);
        for (const v of finished.labels.data) counts[v]++;
        const ends = classesCutByFieldOfView(finished.labels);
        const vols = manifest.classes.map((k) => ({ name: k.name, volumeMl: counts[k.id] * voxelMl, touchesScanEnd: ends.has(k.id) }));
        const notes = plausibilityNotes(vols);
        guarantees.push(`| ${c.id} | ${held.scored ? (held.trainedPart ? `${held.trainedPart} only` : 'no') : 'yes'} | ${check.outsideBodyVoxels} | ${check.violations.map((v) => manifest.classes.find((k) => k.id === v.classId)?.name).join(', ') || 'none'} | ${[...notes].map(([n, t]) => `${n}: ${t}`).join('; ') || '—'} |`);
        volumes.push(`| ${c.id} | ${vols.map((v) => (v.volumeMl ? `${Math.round(v.volumeMl)}${v.touchesScanEnd ? '*' : ''}` : '—')).join(' | ')} |`);
        drawSlices(volume, finished.labels, manifest, `docs/accuracy/case-${c.id}.png`);
        results[`guarantees ${c.id}`] = { outsideBodyVoxels: check.outsideBodyVoxels, violations: check.violations, notes: Object.fromEntries(notes) };
      }
      if (!held.scored) {
        // The network saw these labels: no accuracy claim, but the before/after of each
        // post-processing step still shows its direction on contrast CT with full labels.
        trainedSteps.push(...(await stepTable(`${model.label}, case ${c.id} (trained on: not accuracy)`, volume, raw, manifest, refArgs, finished.body)).rows, '');
        continue;
      }

      const scoredPart = held.ignoreSlices ? `slices outside ${held.ignoreSlices[0]}..${held.ignoreSlices[1]}` : 'all';
      process.stderr.write(`eval: scoring ${model.label} on case ${c.id} (${scoredPart})…\n`);
      const { rows, variantResults } = await stepTable(`${model.label}, case ${c.id}`, volume, raw, manifest, refArgs, finished.body);
      steps.push(rows.join('\n'), '');

      // a trial's record holds overlap scores only: no surface Dice for it
      const result = await evaluate({ pred: { labels: finished.labels, name: `${model.label} on ${c.id}` }, ...refArgs, ct: join(DATA, c.ct), surfaceMm: trialFile ? [] : DEFAULT_SURFACE_MM });
      boundary.push(boundaryRow(model.label, c.id, result.surface ?? [], result.referenceSpacing));
      const b = result.threshold150 && group(result.threshold150, 'bone');
      summary.push(summaryRow({
        label: model.label, caseId: c.id, scoredPart, trainedOn: model.trainedOn, threshold150BoneIoU: b?.iou,
        bone: group(result.model, 'bone'), vessel: group(result.model, 'vessel'), organ: group(result.model, 'organ'),
      }));
      sections.push([
        `### ${model.label}: case ${c.title}`,
        '',
        `Model \`${manifest.name}\` (trained on: ${model.trainedOn.join(', ') || 'phantoms only'}); scored: ${scoredPart}. ${c.note ?? ''}${held.trainedPart && c.partNote ? ` ${c.partNote}` : ''}`,
        '',
        formatComparison(result.model, result.threshold150),
        '',
      ].join('\n'));
      if (model.manifestPath === DEFAULT_MANIFEST) {
        heldOutScores[c.id] = {
          scoredPart,
          ...roundedScores(result.model),
        };
      }
      if (model.label.startsWith('leave-out ')) {
        const training = model.training as Record<string, any>;
        locoRecipes[c.id] = recipeOf(training);
        locoSteps[c.id] = training.steps;
        locoScores[c.id] = {
          recipe: JSON.parse(recipeOf(training)),
          spacing: manifest.spacing,
          trainedOn: training.trainedOn,
          steps: training.steps,
          mix: training.mix,
          rephase: training.rephase ?? 0,
          ...(training.caseWeighting ? { caseWeighting: training.caseWeighting } : {}),
          ...(training.excluded ? { excluded: training.excluded } : {}),
          ...(training.aFirstSlice ? { aFirstSlice: training.aFirstSlice } : {}),
          scoredPart,
          ...roundedScores(result.model),
          threshold150BoneIoU: round4(b?.iou ?? null),
        };
      }
      results[`${model.label} ${c.id}`] = { scoredPart, trainedOn: model.trainedOn, model: result.model, threshold150: result.threshold150, surface: result.surface, steps: variantResults };
    }
    await session?.dispose();
  }

  if (trialFile) {
    if (!Object.keys(locoScores).length) throw new Error(`eval: --trial: no finished leave-one-case-out run (loco-*/ with its manifest) in ${RUNS}: nothing written`);
    const trial = { method: LOCO_METHOD, scoredWith: 'npm run eval -- --trial (scripts/eval-all.ts)', runs: RUNS, date: new Date().toISOString(), commit: TRIAL_COMMIT, loco: locoScores };
    writeFileSync(trialFile, `${JSON.stringify(trial, null, 1)}\n`);
    process.stdout.write(`${summary.join('\n')}\nwrote ${trialFile}\n`);
    return;
  }
  const manifest = await readManifest(DEFAULT_MANIFEST);
  const shippedModel = models.find((m) => m.manifestPath === DEFAULT_MANIFEST)!;
  const locoCount = models.length - 1;
  const recorded: string[] = [];
  const present = { recipes: locoRecipes, steps: locoSteps };
  const shippedRecipe = recipeOf(shippedModel.training);
  const locoStepsOfRecipe = recipeFoldSteps(shippedModel.training);
  const choice = chooseRecordedFolds(RECORDED, present, { recipe: shippedRecipe, excluded: shippedModel.excluded, locoSteps: locoStepsOfRecipe, spacing: manifest.spacing }, sameScoringCode);
  for (const message of choice.skipped) process.stderr.write(`${message}\n`);
  // a record asked for but not usable would leave a validation of fewer folds than asked: stop instead
  if (choice.refused.length) throw new Error(`eval: --fold-record: ${choice.refused.length} fold(s) not usable (above): nothing written`);
  for (const fold of choice.used) {
    const c = CASES.find((k) => k.id === fold.caseId)!;
    const doc = recordedFoldDoc(fold, c, CASES);
    summary.push(doc.summaryRow);
    sections.push(doc.section);
    locoScores[c.id] = { ...fold.entry, recordedIn: fold.file, recordedOn: fold.date, scoredAtCommit: fold.commit };
    locoRecipes[c.id] = fold.recipe;
    locoSteps[c.id] = fold.steps;
    recorded.push(`${c.id} (${fold.file})`);
  }
  const notScored = expectedFolds(shippedModel, CASES).filter((c) => !(c in locoScores));
  for (const c of notScored) {
    process.stderr.write(`eval: fold ${c} of the shipped recipe: no model in ${RUNS} or ${KEPT_FOLDS} and no usable --fold-record: not scored (docs/accuracy.md says so)\n`);
    summary.push(`| leave-out ${c} (not scored: no model of this fold here) | ${c} | — | — | — | — | — | — |`);
  }
  const folds = models.filter((m) => m.folder).map((m) => `${m.holdout ?? m.label.slice('leave-out '.length)} (${m.folder}${m.folder!.startsWith(KEPT_FOLDS) ? ', kept in git' : ''})`);
  const doc = accuracyDoc({
    shippedModel, cases: CASES, locoCount, folds, notScored, recorded, summary, boundary, steps, trainedSteps, guarantees,
    classNames: manifest.classes.map((k) => k.name), volumes, sections,
  });
  if (workingTreeDigest(EVAL_INPUTS, NOT_CODE) !== CODE_DIGEST) {
    throw new Error('eval: the scoring code, the models or the folds changed while npm run eval ran: run it again (nothing written)');
  }
  writeFileSync('docs/accuracy.md', `${doc}\n`);
  // the manifest carries the same figures as docs/accuracy.md (one scorer, one run); the leave-one-case-out
  // runs become its validation only when they were trained by its recipe
  const update = manifestWithScores(JSON.parse(readFileSync(DEFAULT_MANIFEST, 'utf8')), heldOutScores, locoScores, locoRecipes, locoSteps, notScored);
  if (update.otherRecipe) {
    process.stderr.write('eval: the leave-one-case-out runs in training/runs were trained by another recipe (mix, re-phasing, seed, fold length) than the shipped model: scored in docs/accuracy.md, not written as its validation\n');
  }
  if (update.validation) writeFileSync('training/results/loco.json', `${JSON.stringify(update.validation, null, 1)}\n`);
  writeFileSync(DEFAULT_MANIFEST, `${JSON.stringify(update.manifest, null, 1)}\n`);
  results.scoredBy = { inputs: EVAL_INPUTS, workingTreeSha256: workingTreeDigest(EVAL_INPUTS), note: 'sha256 of the files under inputs as npm run eval left them, its manifest scores included (scripts/eval/commit.ts workingTreeDigest)' };
  writeFileSync('training/results/accuracy.json', `${JSON.stringify(results, (k, v) => (typeof v === 'number' ? Math.round(v * 1e4) / 1e4 : v), 1)}\n`);
  process.stdout.write(`${summary.join('\n')}\n\n${steps.join('\n')}\n${guarantees.join('\n')}\nwrote docs/accuracy.md, docs/accuracy/*.png, training/results/accuracy.json\n`);
}

await main();
