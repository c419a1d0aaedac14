/**
 * `node --import tsx scripts/eval/record-steps.ts --out training/results/trials/NAME.json --trial "…" --decision "…" [--extra FILE]`
 *
 * A post-processing trial record from what `npm run eval` wrote to training/results/accuracy.json: every
 * row of the step tables (scripts/eval/step-table.ts, shipped and not) per held-out case, with bone,
 * vessel and organ IoU / precision / recall, the commit whose code scored them and the machine. Refused
 * unless accuracy.json and the code that scores are those of HEAD (run `npm run eval`, commit, then
 * this) and the digest of that code which `npm run eval` wrote into accuracy.json (`scoredBy`) is the
 * digest of HEAD's, so the record names the code it came from. `--extra` adds a JSON object of
 * figures the scorer cannot give (hand counts where a reference is partial), kept apart as `handCounts`:
 * they come from whatever the object says, not from this script.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { committedHead, EVAL_INPUTS, workingTreeDigest } from './commit';

const ACCURACY = 'training/results/accuracy.json';
const SCORED_BY = [ACCURACY, ...EVAL_INPUTS];
const GROUPS = ['bone', 'vessel', 'organ'] as const;

interface GroupScore { name: string; iou: number | null; precision: number | null; recall: number | null }
interface CaseResult { trainedOn: string[]; steps?: Record<string, { groups: GroupScore[] }> }

const { values: args } = parseArgs({
  options: { out: { type: 'string' }, trial: { type: 'string' }, decision: { type: 'string' }, extra: { type: 'string' } },
  strict: true,
});
if (!args.out?.endsWith('.json') || !args.trial || !args.decision) {
  throw new Error('record-steps: needs --out FILE.json, --trial "what was tried" and --decision "what ships and why"');
}
const commit = committedHead(SCORED_BY, 'record-steps');

const { scoredBy, ...accuracy } = JSON.parse(readFileSync(ACCURACY, 'utf8')) as Record<string, CaseResult> & { scoredBy?: { workingTreeSha256?: string } };
// the results must come from the code committed with them: the digest npm run eval wrote is HEAD's
if (scoredBy?.workingTreeSha256 !== workingTreeDigest(EVAL_INPUTS)) {
  throw new Error(`record-steps: ${ACCURACY} was written by other code than HEAD's (${scoredBy?.workingTreeSha256 ? 'its scoredBy digest differs' : 'it names no scoredBy digest'}): run npm run eval, commit its results, then record`);
}
const round4 = (v: number | null) => (v === null ? null : Math.round(v * 1e4) / 1e4);
const cases = Object.fromEntries(
  Object.entries(accuracy)
    .filter(([, r]) => r.steps)
    .map(([name, r]) => [name, {
      trainedOn: r.trainedOn,
      rows: Object.fromEntries(Object.entries(r.steps!).map(([row, s]) => [row, Object.fromEntries(GROUPS.map((g) => {
        const score = s.groups.find((x) => x.name === g);
        return [g, { iou: round4(score?.iou ?? null), precision: round4(score?.precision ?? null), recall: round4(score?.recall ?? null) }];
      }))])),
    }]),
);
if (Object.keys(cases).length === 0) throw new Error(`record-steps: ${ACCURACY} holds no step tables: run npm run eval first`);

const record = {
  trial: args.trial,
  how: `npm run eval (scripts/eval-all.ts) at the commit below, rows of scripts/eval/step-table.ts; recorded by scripts/eval/record-steps.ts from ${ACCURACY}`,
  date: new Date().toISOString().slice(0, 16) + 'Z',
  machine: `${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.versions.node}, onnxruntime-node CPU`,
  scoredAtCommit: commit,
  decision: args.decision,
  ...(args.extra ? { handCounts: JSON.parse(readFileSync(args.extra, 'utf8')) } : {}),
  cases,
};
writeFileSync(args.out, JSON.stringify(record, null, 1) + '\n');
console.log(`wrote ${args.out}: ${Object.keys(cases).length} cases, rows per case ${Object.values(cases).map((c) => Object.keys(c.rows).length).join('/')}`);
