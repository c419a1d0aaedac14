/**
 * Leave-one-case-out scores recorded while a fold's run was on the machine (`npm run eval -- --trial`
 * writes them with the run's recipe, steps and the commit that scored them), for
 * `npm run eval -- --fold-record FILE` when the run itself is gone (a fresh machine keeps no
 * training/runs). Training here is deterministic (the same train.py call gives the same weights), so a
 * recorded score is what re-training and re-scoring the fold would give, as long as the pipeline and
 * scorer are those of the record's commit (the caller checks that with git). Pure.
 */
import { recipeOf, trainedOnIds, type CaseSpec } from './models';
import { ipr, summaryRow } from './step-table';

type Score = { iou: number | null; precision: number | null; recall: number | null };

export interface RecordedFold {
  /** The held-out case. */
  caseId: string;
  /** The record it came from, when and by which commit it was scored. */
  file: string;
  date: string;
  commit: string;
  /** `recipeOf` the fold's recipe (the same string recipeOf gives for its training block). */
  recipe: string;
  steps: number;
  /** The grid the fold ran on (records from before 2026-12-02 12:10 UTC lack it: 2 mm, the only grid folds were run on). */
  spacing?: number[];
  /** The entry as recorded (training fields, scoredPart, groups, classes, threshold150BoneIoU). */
  entry: Record<string, unknown> & { groups: Record<string, Score>; classes: Record<string, Score>; scoredPart: string; trainedOn: string[] };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isScore = (v: unknown): v is Score =>
  isObject(v) && ['iou', 'precision', 'recall'].every((k) => v[k] === null || (typeof v[k] === 'number' && v[k] >= 0 && v[k] <= 1));

/** The folds a trial record holds; throws naming the file, the case and what is missing or malformed. */
export function recordedFolds(file: string, record: unknown, cases: CaseSpec[]): RecordedFold[] {
  const bad = (why: string) => new Error(`eval: --fold-record ${file}: ${why}`);
  if (!isObject(record) || !isObject(record.loco)) throw bad('not a leave-one-case-out record (no "loco" object)');
  if (typeof record.date !== 'string') throw bad('no "date" (when the folds were scored)');
  if (typeof record.commit !== 'string' || !/^[0-9a-f]{7,40}$/.test(record.commit)) throw bad('no "commit" (the code that scored it): records scored before 2026-12-02 10:30 UTC lack it');
  const ids = cases.map((c) => c.id);
  return Object.entries(record.loco).map(([caseId, entry]) => {
    if (!ids.includes(caseId)) throw bad(`case "${caseId}" is not one of scripts/eval-cases.json (${ids.join(', ')})`);
    if (!isObject(entry)) throw bad(`case ${caseId}: not an object`);
    if (!isObject(entry.recipe)) throw bad(`case ${caseId}: no "recipe": a fold of unknown recipe cannot validate the shipped model`);
    if (!Number.isInteger(entry.steps)) throw bad(`case ${caseId}: no "steps"`);
    for (const key of ['groups', 'classes'] as const) {
      const scores = entry[key];
      if (!isObject(scores) || !Object.values(scores).every(isScore)) throw bad(`case ${caseId}: "${key}" must map names to { iou, precision, recall } in 0..1 or null`);
    }
    if (typeof entry.scoredPart !== 'string' || !Array.isArray(entry.trainedOn)) throw bad(`case ${caseId}: no "scoredPart" or "trainedOn"`);
    if (trainedOnIds(entry.trainedOn, cases).includes(caseId)) throw bad(`case ${caseId}: trained on ${caseId}, so not its fold`);
    return {
      caseId, file, date: record.date as string, commit: record.commit as string,
      recipe: recipeOf(entry.recipe), steps: entry.steps as number, entry: entry as RecordedFold['entry'],
      ...(Array.isArray(entry.spacing) ? { spacing: entry.spacing as number[] } : {}),
    };
  });
}

/** What the folds scored from runs here were: their recipes and step counts per held-out case. */
export interface FoldsPresent {
  recipes: Record<string, string>;
  steps: Record<string, number>;
}

/**
 * Which recorded folds complete the shipped model's validation: one per case with no run here, of the
 * shipped recipe, of the recipe's fold length (`shipped.locoSteps`; else that of the folds already in),
 * on the shipped grid, scored by the pipeline and scorer of this checkout (`sameScoringCode`). The rest
 * are skipped with the reason; `refused` are those skipped for another reason than a run here.
 */
export function chooseRecordedFolds(
  folds: RecordedFold[], present: FoldsPresent, shipped: { recipe: string; excluded: string[]; locoSteps?: number; spacing?: number[] }, sameScoringCode: (commit: string) => boolean,
): { used: RecordedFold[]; skipped: string[]; refused: string[] } {
  const used: RecordedFold[] = [];
  const skipped: string[] = [];
  const refused: string[] = [];
  // the recipe's fold length where the shipped manifest names it, else that of the folds already in
  const stepCounts = new Set(shipped.locoSteps !== undefined ? [shipped.locoSteps] : Object.values(present.steps));
  for (const fold of folds) {
    const why = present.recipes[fold.caseId] !== undefined ? 'its run here was scored'
      : used.some((u) => u.caseId === fold.caseId) ? `an earlier record (${used.find((u) => u.caseId === fold.caseId)!.file}) gave it`
      : shipped.excluded.includes(fold.caseId) ? `the shipped recipe never trains on ${fold.caseId}, so it has no fold`
      : fold.recipe !== shipped.recipe ? 'another recipe than the shipped model\'s'
      : stepCounts.size && !stepCounts.has(fold.steps) ? `${fold.steps} steps, the ${shipped.locoSteps !== undefined ? 'recipe\'s' : 'other'} folds ${[...stepCounts].join(', ')}`
      : fold.spacing && shipped.spacing && fold.spacing.join() !== shipped.spacing.join() ? `run on a ${fold.spacing.join(' × ')} mm grid, the shipped model's is ${shipped.spacing.join(' × ')} mm`
      : !sameScoringCode(fold.commit) ? `the pipeline or scorer changed since commit ${fold.commit.slice(0, 10)}: score it again`
      : null;
    if (why) {
      const message = `eval: fold ${fold.caseId} of ${fold.file} not used: ${why}`;
      skipped.push(message);
      if (present.recipes[fold.caseId] === undefined) refused.push(message);
      continue;
    }
    used.push(fold);
    stepCounts.add(fold.steps);
  }
  return { used, skipped, refused };
}

/** A recorded fold's row of the summary table and its section of docs/accuracy.md (no step table, threshold comparison or picture: those need the run). */
export function recordedFoldDoc(fold: RecordedFold, c: CaseSpec, cases: CaseSpec[]): { summaryRow: string; section: string } {
  const { entry } = fold;
  const trainedOn = trainedOnIds(entry.trainedOn, cases);
  const label = `leave-out ${c.id} (recorded ${fold.date.slice(0, 10)})`;
  const threshold = typeof entry.threshold150BoneIoU === 'number' ? entry.threshold150BoneIoU : null;
  const classRows = Object.entries(entry.classes)
    .filter(([, s]) => s.iou !== null || s.recall !== null)
    .map(([name, s]) => `| ${name} | ${ipr(s)} |`);
  return {
    summaryRow: summaryRow({ label, caseId: c.id, scoredPart: entry.scoredPart, trainedOn, threshold150BoneIoU: threshold, ...entry.groups }),
    section: [
      `### ${label}: case ${c.title}`,
      '',
      `Its run was not on the machine that generated this page: the scores ${fold.file} recorded on ${fold.date} with the pipeline and scorer of commit ${fold.commit.slice(0, 10)}, the same as this page's (trained on: ${trainedOn.join(', ')}; ${fold.steps} steps; scored: ${entry.scoredPart}).`,
      '',
      '| class | IoU / precision / recall |',
      '|---|---|',
      ...classRows,
      '',
    ].join('\n'),
  };
}
