/**
 * Leave-one-case-out scores recorded while a fold's run was on the machine (`npm run eval -- --trial`
 * writes them with the run's recipe), for `npm run eval -- --fold-record FILE` when the run itself is
 * gone (a fresh machine keeps no training/runs). Training here is deterministic (the same train.py call
 * gives the same weights), so a fold's recorded score is what re-training and re-scoring it would give.
 * Pure: the caller reads the file.
 */
import { modelEntry, type CaseSpec } from './models';
import { f3, ipr } from './step-table';

type Score = { iou: number | null; precision: number | null; recall: number | null };

export interface RecordedFold {
  /** The held-out case. */
  caseId: string;
  /** The record it came from, and when it was scored. */
  file: string;
  date: string;
  /** `recipeOf` the fold's training block (a JSON string, as recipeOf returns it). */
  recipe: string;
  /** The entry as recorded (training fields, scoredPart, groups, classes, threshold150BoneIoU). */
  entry: Record<string, unknown> & { groups: Record<string, Score>; classes: Record<string, Score>; scoredPart: string; trainedOn: string[] };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isScore = (v: unknown): v is Score =>
  isObject(v) && ['iou', 'precision', 'recall'].every((k) => v[k] === null || (typeof v[k] === 'number' && v[k] >= 0 && v[k] <= 1));

/** The folds a trial record holds; throws naming the file, the case and what is missing or malformed. */
export function recordedFolds(file: string, record: unknown, caseIds: string[]): RecordedFold[] {
  const bad = (why: string) => new Error(`eval: --fold-record ${file}: ${why}`);
  if (!isObject(record) || !isObject(record.loco)) throw bad('not a leave-one-case-out record (no "loco" object)');
  if (typeof record.date !== 'string') throw bad('no "date" (when the folds were scored)');
  return Object.entries(record.loco).map(([caseId, entry]) => {
    if (!caseIds.includes(caseId)) throw bad(`case "${caseId}" is not one of scripts/eval-cases.json (${caseIds.join(', ')})`);
    if (!isObject(entry)) throw bad(`case ${caseId}: not an object`);
    if (!isObject(entry.recipe)) throw bad(`case ${caseId}: no "recipe" (records scored before 2026-12-02 lack it): a fold of unknown recipe cannot validate the shipped model`);
    for (const key of ['groups', 'classes'] as const) {
      const scores = entry[key];
      if (!isObject(scores) || !Object.values(scores).every(isScore)) throw bad(`case ${caseId}: "${key}" must map names to { iou, precision, recall } in 0..1 or null`);
    }
    if (typeof entry.scoredPart !== 'string' || !Array.isArray(entry.trainedOn)) throw bad(`case ${caseId}: no "scoredPart" or "trainedOn"`);
    return { caseId, file, date: record.date as string, recipe: JSON.stringify(entry.recipe), entry: entry as RecordedFold['entry'] };
  });
}

/** A recorded fold's row of the summary table and its section of docs/accuracy.md (no step table, threshold comparison or picture: those need the run). */
export function recordedFoldDoc(fold: RecordedFold, c: CaseSpec, cases: CaseSpec[]): { summaryRow: string; section: string } {
  const { entry } = fold;
  const trainedOn = modelEntry('', '', { trainedOn: entry.trainedOn }, cases).trainedOn.join(', ');
  const label = `leave-out ${c.id} (recorded ${fold.date.slice(0, 10)})`;
  const threshold = typeof entry.threshold150BoneIoU === 'number' ? entry.threshold150BoneIoU : null;
  const classRows = Object.entries(entry.classes)
    .filter(([, s]) => s.iou !== null || s.recall !== null)
    .map(([name, s]) => `| ${name} | ${ipr(s)} |`);
  return {
    summaryRow: `| ${label} | ${c.id} | ${entry.scoredPart} | ${trainedOn} | ${ipr(entry.groups.bone)} | ${ipr(entry.groups.vessel)} | ${ipr(entry.groups.organ)} | ${f3(threshold)} |`,
    section: [
      `### ${label}: case ${c.title}`,
      '',
      `Its run was not on the machine that generated this page: the scores ${fold.file} recorded on ${fold.date} (trained on: ${trainedOn}; scored: ${entry.scoredPart}).`,
      '',
      '| class | IoU / precision / recall |',
      '|---|---|',
      ...classRows,
      '',
    ].join('\n'),
  };
}
