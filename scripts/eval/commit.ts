/**
 * Which commit a record names. A score, a trial or a step table is recorded with the commit whose code
 * produced it, read before any scoring and refused while that code has changes not committed (untracked
 * files included), so a record never names code other than what ran.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** What a recorded score depends on besides the model: the pipeline, post-processing, scorer and cases. */
export const SCORING_CODE = ['src/evaluation', 'src/segmentation', 'src/volume', 'src/pipeline', 'src/dicom', 'src/cli', 'scripts/eval-cases.json', 'scripts/eval/models.ts', 'package-lock.json'];

/** Runs git; throws only when git cannot run at all (a non-zero status is the caller's to read). */
export function git(...args: string[]): { status: number; stdout: string } {
  return gitIn('.', ...args);
}

/** git in another folder. */
export function gitIn(cwd: string, ...args: string[]): { status: number; stdout: string } {
  const r = spawnSync('git', args, { encoding: 'utf8', cwd });
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

/** What `npm run eval`'s results depend on: the scoring code, the eval scripts, the shipped model and the kept folds. */
export const EVAL_INPUTS = [...SCORING_CODE, 'scripts/eval', 'scripts/eval-all.ts', 'models', 'training/folds'];

/**
 * A digest of the files under `paths` as they are in the working tree (tracked, and untracked but not
 * ignored), less `exclude`: each file's path, length and content, in path order. `npm run eval` writes
 * it beside its results, so a reader can tell whether committed results came from the code committed
 * with them (equal digests), whatever commit, clean or not, ran the eval.
 */
export function workingTreeDigest(paths: readonly string[], options: { cwd?: string; exclude?: readonly string[] } = {}): string {
  const cwd = options.cwd ?? '.';
  const listed = gitIn(cwd, 'ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', ...paths);
  if (listed.status !== 0) throw new Error(`git ls-files failed for ${paths.join(', ')}`);
  const excluded = new Set(options.exclude ?? []);
  const hash = createHash('sha256');
  for (const file of [...new Set(listed.stdout.split('\0').filter(Boolean))].sort()) {
    const path = join(cwd, file);
    // deleted in the working tree and not yet committed, or a nested repository git lists as a folder
    if (excluded.has(file) || !existsSync(path) || !statSync(path).isFile()) continue;
    const bytes = readFileSync(path);
    hash.update(`${file}\0${bytes.length}\0`).update(bytes);
  }
  return hash.digest('hex');
}
