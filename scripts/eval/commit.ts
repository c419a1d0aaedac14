/**
 * Which commit a record names. A score, a trial or a step table is recorded with the commit whose code
 * produced it, read before any scoring and refused while that code has changes not committed (untracked
 * files included), so a record never names code other than what ran.
 */
import { spawnSync } from 'node:child_process';

/** What a recorded score depends on besides the model: the pipeline, post-processing, scorer and cases. */
export const SCORING_CODE = ['src/evaluation', 'src/segmentation', 'src/volume', 'src/pipeline', 'src/dicom', 'src/cli', 'scripts/eval-cases.json', 'scripts/eval/models.ts', 'package-lock.json'];

/** Runs git; throws only when git cannot run at all (a non-zero status is the caller's to read). */
export function git(...args: string[]): { status: number; stdout: string } {
  const r = spawnSync('git', args, { encoding: 'utf8' });
  if (r.error || r.status === null) throw new Error(`git ${args[0]} could not run (${r.error?.message ?? r.signal}): records need git`);
  return { status: r.status, stdout: r.stdout };
}

/** HEAD's commit, refused (an error starting with `who`) when `paths` have changes not committed. */
export function committedHead(paths: readonly string[], who: string): string {
  const dirty = git('status', '--porcelain', '--', ...paths).stdout.trim();
  if (dirty) throw new Error(`${who}: ${paths.join(', ')} have changes not committed: commit them first, so the record names the code that made it\n${dirty}`);
  const head = git('rev-parse', 'HEAD');
  if (head.status !== 0) throw new Error(`${who}: no commit to name (git rev-parse HEAD failed)`);
  return head.stdout.trim();
}
