#!/usr/bin/env node
// `npm run train`: generates the phantom pool, trains and scores the leave-one-case-out models,
// trains the shipped model on every real case not excluded + phantoms (+ images synthesised from the
// real label maps when --mix gives synth a share; the default mix gives it none: training/README.md), exports models/holoct-seg.{onnx,json},
// and writes training/results/*.json. Python is Debian's /usr/bin/python3 (torch, onnx, numpy,
// scipy, nibabel, pydicom); override with HOLOCT_PYTHON.
//
//   node training/run.mjs                 full run (≈ 3.7 h on 2 CPU cores: three 3000-step folds and a 3000-step
//                                         model in two lanes; see training/README.md)
//   node training/run.mjs --check         fast checks: phantom sanity, pipeline mirror, export path
//   node training/run.mjs --quick         smoke run (tiny steps) into training/runs/quick-*, models/ untouched
//   node training/run.mjs --only-loco C --skip-final
//                                         only fold C (kept in training/folds), then npm run eval: completes the
//                                         shipped model's validation without re-training it (same recipe options)
//   node training/run.mjs --skip-loco     only the shipped model (npm run eval then scores the folds in training/runs/loco-*,
//                                         else those kept in training/folds/loco-*)
//   options: --loco-steps N --final-steps N --phantoms N --seed N --only-loco A,B --lanes 1|2
//            --mix real=0.6,synth=0,phantom=0.4 (weights of real / synthesised / phantom slabs)
//            --rephase P (share of real patches shifted to another contrast phase; train.py's default)
//            --exclude D (real cases kept out of training altogether; default D, `--exclude none` trains on all four:
//            D labels only the heart and pulmonary artery, and drawn as often as the others it cost held-out B its
//            spleen, training/README.md. The shipped model is scored on an excluded case as on a patient it never
//            saw, so no leave-one-case-out run is trained for it.)
//            --fold-record FILE (repeatable; with --only-loco): passed to npm run eval, which takes a fold not trained
//            here from the scores a trial recorded while its run was on the machine (same recipe, steps and scorer only;
//            scripts/eval/fold-records.ts), e.g. --only-loco B --fold-record training/results/trials/<A and C>.json
//
// On 2+ cores the shipped model and the LOCO runs train side by side in two lanes of one thread each
// (a single-thread process: 1.39 s/step alone on this machine, real + phantom slabs; synthesised
// slabs cost 0.07 s CPU each vs 0.01 s for a real patch;
// see training/README.md for the measured step times).
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const python = process.env.HOLOCT_PYTHON || '/usr/bin/python3';
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};

/** Runs a training script (niced, output inherited); resolves when it exits, ends the run if it fails. */
function py(script, scriptArgs) {
  const cmd = [join(here, script), ...scriptArgs];
  console.log(`\n$ ${python} ${cmd.map((a) => a.replace(root + '/', '')).join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn('nice', ['-n', '10', python, ...cmd], { cwd: root, stdio: 'inherit', env: { ...process.env, PYTHONUNBUFFERED: '1' } });
    child.on('exit', (status) => {
      if (status !== 0) {
        console.error(`training step failed: ${script} ${scriptArgs.join(' ')} (exit ${status})`);
        process.exit(status || 1);
      }
      resolve();
    });
  });
}

const probe = spawnSync(python, ['-c', 'import torch, onnx, numpy, scipy, nibabel, pydicom; print(torch.__version__)'], { encoding: 'utf8' });
if (probe.status !== 0) {
  console.error(`${python} lacks torch/onnx/numpy/scipy/nibabel/pydicom: ${probe.stderr}`);
  process.exit(1);
}

if (flag('--check')) {
  await py('tests.py', []);
  process.exit(0);
}

const quick = flag('--quick');
const seed = option('--seed', '1234');
const phantoms = option('--phantoms', quick ? '4' : '48');
const locoSteps = option('--loco-steps', quick ? '4' : '3000');
const finalSteps = option('--final-steps', quick ? '4' : '3000');
const lanes = Number(option('--lanes', availableParallelism() >= 2 ? '2' : '1'));
const threads = lanes === 2 ? '1' : String(Math.max(1, availableParallelism()));
const cases = option('--only-loco', 'A,B,C,D').split(',').filter(Boolean);
const mix = option('--mix', 'real=0.6,synth=0,phantom=0.4');
const rephase = option('--rephase', null); // train.py's default unless given
const excludeOption = option('--exclude', 'D');
const foldRecords = args.flatMap((a, i) => {
  if (a.startsWith('--fold-record=')) return ['--fold-record', a.slice('--fold-record='.length)];
  if (a !== '--fold-record') return [];
  if (i + 1 >= args.length || args[i + 1].startsWith('--')) {
    console.error('--fold-record needs a record file (training/results/trials/NAME.json)');
    process.exit(1);
  }
  return ['--fold-record', args[i + 1]];
});
if (foldRecords.length && flag('--quick')) {
  console.error('--fold-record is for npm run eval after a full run; --quick runs no eval');
  process.exit(1);
}
const excluded = excludeOption === 'none' ? [] : excludeOption.split(',').filter(Boolean);
const prefix = quick ? 'quick-' : '';
const runs = join(here, 'runs');
const results = join(here, 'results');
mkdirSync(runs, { recursive: true });
mkdirSync(results, { recursive: true });
const t0 = Date.now();

// 1. phantom pool (cached in training/cache/phantoms; two processes)
const mixHasPhantoms = /(^|,)phantom=(?!0*(\.0*)?(,|$))/.test(mix);
if (mixHasPhantoms) await py('phantom.py', ['--generate', phantoms, '--workers', '2']);

// 2. leave-one-case-out: train on the other real cases (+ phantoms, + synthesis from them if the mix
//    has it), score on the held-out case;
// 3. the shipped model: every real case not excluded (same mix). With two lanes: lane 1 runs the
//    first LOCO cases, lane 2 the shipped model and then the last LOCO case (balanced step counts).
const loco = {};
const finalOut = join(runs, `${prefix}final`);
const common = ['--phantoms', phantoms, '--mix', mix, '--seed', seed, '--threads', threads,
  ...(rephase === null ? [] : ['--rephase', rephase]), ...(excluded.length ? ['--exclude', excluded.join(',')] : [])];
async function locoRuns(list) {
  for (const c of list) {
    const out = join(runs, `${prefix}loco-${c}`);
    await py('train.py', ['--out', out, '--holdout', c, '--steps', locoSteps, ...common]);
    loco[c] = JSON.parse(readFileSync(join(out, 'info.json'), 'utf8'));
    if (!quick) keepFold(out, c);
  }
}
/**
 * The fold's model and manifest into training/folds/loco-X, which git keeps: npm run eval scores a fold
 * from there on a machine that did not train it, so a post-processing change is measured on held-out
 * cases without re-training every fold (scripts/eval/models.ts KEPT_FOLDS).
 */
function keepFold(out, c) {
  const kept = join(here, 'folds', `loco-${c}`);
  mkdirSync(kept, { recursive: true });
  for (const file of ['holoct-seg.onnx', 'holoct-seg.json']) copyFileSync(join(out, file), join(kept, file));
}
const excludedFolds = cases.filter((c) => excluded.includes(c));
if (flag('--only-loco') && excludedFolds.length) {
  console.error(`--only-loco ${excludedFolds.join(',')}: excluded from training (--exclude ${excluded.join(',')}), so no fold is trained for it; the shipped model never saw it and is scored on it by npm run eval`);
  process.exit(1);
}
const locoCases = flag('--skip-loco') ? [] : cases.filter((c) => !excluded.includes(c));
const skipFinal = flag('--skip-final');
if (skipFinal && (quick || !locoCases.length)) {
  console.error('--skip-final trains folds only (for the shipped model, with its recipe): give it folds to train, without --quick or --skip-loco');
  process.exit(1);
}
const finalRun = () => py('train.py', ['--out', finalOut, '--steps', finalSteps, ...common]);
if (skipFinal) {
  // folds only, split between the lanes; the shipped model stays as it is
  const half = lanes === 2 ? Math.ceil(locoCases.length / 2) : locoCases.length;
  await Promise.all([locoRuns(locoCases.slice(0, half)), locoRuns(locoCases.slice(half))]);
} else if (lanes === 2 && locoCases.length > 1) {
  const split = locoCases.length - 1;
  await Promise.all([locoRuns(locoCases.slice(0, split)), finalRun().then(() => locoRuns(locoCases.slice(split)))]);
} else if (lanes === 2) {
  await Promise.all([locoRuns(locoCases), finalRun()]);
} else {
  await locoRuns(locoCases);
  await finalRun();
}
// The Python mirror's scores of each LOCO run are a progress check only (kept in training/runs);
// the figures that travel with the model come from `npm run eval` below (the app pipeline + holoct eval).
// Not named loco-*: those are the folds' folders (npm run eval skips a file of that name, and says so).
const locoSummary = summarizeLoco(Object.fromEntries(locoCases.map((c) => [c, loco[c]])));
writeFileSync(join(runs, `${prefix}mirror-scores-loco.json`), JSON.stringify(locoSummary, null, 1) + '\n');
if (!skipFinal) {
  const manifestPath = join(finalOut, 'holoct-seg.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  manifest.training = {
    ...manifest.training,
    // the arguments too: a partial run (--only-loco, --fold-record) is not a whole npm run train
    command: ['npm run train', ...(args.length ? ['--', ...args] : [])].join(' '),
    // the recipe's fold length: npm run eval takes only folds of this many steps as the model's validation
    locoSteps: Number(locoSteps),
    wallTimeMinutes: Math.round((Date.now() - t0) / 600) / 100,
  };
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 1) + '\n');
  if (!quick) {
    mkdirSync(join(root, 'models'), { recursive: true });
    copyFileSync(join(finalOut, 'holoct-seg.onnx'), join(root, 'models', 'holoct-seg.onnx'));
    copyFileSync(manifestPath, join(root, 'models', 'holoct-seg.json'));
    writeFileSync(join(results, 'final.json'), JSON.stringify({ ...manifest.training }, null, 1) + '\n');
    console.log('\nshipped models/holoct-seg.onnx + models/holoct-seg.json');
  }
}
if (!quick) {
  // One scorer: the LOCO models and the shipped model go through the app's own pipeline and
  // `holoct eval`; this writes the manifest's validation, training/results/loco.json and docs/accuracy.md.
  const evaluation = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'eval-all.ts'), ...foldRecords], { cwd: root, stdio: 'inherit' });
  if (evaluation.status !== 0) {
    console.error(`npm run eval failed after training: ${skipFinal ? 'the folds are in training/folds' : 'the model is in models/'} but the validation is not written`);
    process.exit(evaluation.status || 1);
  }
}
console.log(`\ntotal wall time ${((Date.now() - t0) / 60000).toFixed(1)} min`);
console.log('\nPython-mirror progress check (the reported figures are in docs/accuracy.md):');
printTable(locoSummary);

function summarizeLoco(runsByCase) {
  const table = {};
  for (const [c, inf] of Object.entries(runsByCase)) {
    const s = inf.scores;
    if (!s) continue;
    const g = (name) => (s.groups[name] ? round(s.groups[name].iou) : null);
    table[c] = {
      trainedOn: inf.trainedOn,
      steps: inf.steps,
      mix: inf.mix,
      groupIoU: { bone: g('bone'), vessel: g('vessel'), organ: g('organ') },
      groupPrecision: Object.fromEntries(Object.entries(s.groups).map(([k, v]) => [k, round(v.precision)])),
      groupRecall: Object.fromEntries(Object.entries(s.groups).map(([k, v]) => [k, round(v.recall)])),
      classIoU: Object.fromEntries(Object.entries(s.classes).filter(([, v]) => v.ref > 0).map(([k, v]) => [k, round(v.iou)])),
      pixelAccuracy: round(s.pixelAccuracy, 5),
      meanIoUForeground: round(s.meanIoU_fg),
      threshold150BoneIoU: round(s.threshold150.bone.iou),
      outsidePatientForegroundVoxels: s.outsidePatient.predictedForeground,
      ...(s.recall ? { recall: Object.fromEntries(Object.entries(s.recall).map(([k, v]) => [k, round(v)])) } : {}),
      ...(s.note ? { note: s.note } : {}),
      trainSeconds: inf.trainSeconds,
    };
  }
  return { loco: table };
}

function round(v, d = 3) {
  return v === null || v === undefined ? null : Math.round(v * 10 ** d) / 10 ** d;
}

function printTable(summary) {
  const rows = Object.entries(summary.loco || {});
  if (!rows.length) return;
  console.log('\nLOCO (held-out case | bone vessel organ IoU | threshold-150 bone IoU | pixel acc)');
  for (const [c, r] of rows) {
    console.log(`  ${c} | ${r.groupIoU.bone} ${r.groupIoU.vessel} ${r.groupIoU.organ} | ${r.threshold150BoneIoU} | ${r.pixelAccuracy}`);
  }
}
