import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gitIn, workingTreeDigest } from '../../scripts/eval/commit';

let repo: string;
afterEach(() => rmSync(repo, { recursive: true, force: true }));

/** A git repository with a tracked src/a.ts, an ignored src/cache.bin and a tracked other/b.ts. */
function makeRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'holoct-digest-'));
  mkdirSync(join(dir, 'src'));
  mkdirSync(join(dir, 'other'));
  writeFileSync(join(dir, 'src/a.ts'), 'export const a = 1;\n');
  writeFileSync(join(dir, 'other/b.ts'), 'export const b = 1;\n');
  writeFileSync(join(dir, '.gitignore'), 'src/cache.bin\n');
  expect(gitIn(dir, 'init', '-q').status).toBe(0);
  expect(gitIn(dir, 'add', '.').status).toBe(0);
  expect(gitIn(dir, '-c', 'user.name=t', '-c', 'user.email=t@localhost', 'commit', '-qm', 'one').status).toBe(0);
  return dir;
}

describe('the digest npm run eval writes beside its results (scripts/eval/commit.ts)', () => {
  it('changes with a file under the paths, an untracked one included, and not with ignored files or other paths', () => {
    repo = makeRepo();
    const first = workingTreeDigest(['src'], { cwd: repo });
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    writeFileSync(join(repo, 'src/cache.bin'), 'ignored');
    writeFileSync(join(repo, 'other/b.ts'), 'export const b = 2;\n');
    expect(workingTreeDigest(['src'], { cwd: repo })).toBe(first);
    writeFileSync(join(repo, 'src/a.ts'), 'export const a = 2;\n');
    const edited = workingTreeDigest(['src'], { cwd: repo });
    expect(edited).not.toBe(first);
    writeFileSync(join(repo, 'src/new.ts'), '');
    expect(workingTreeDigest(['src'], { cwd: repo })).not.toBe(edited);
  });

  it('leaves out what it is told to (the manifest npm run eval rewrites with its scores), and folders git lists', () => {
    repo = makeRepo();
    const without = workingTreeDigest(['src'], { cwd: repo, exclude: ['src/a.ts'] });
    writeFileSync(join(repo, 'src/a.ts'), 'export const a = 4; // scores rewritten\n');
    expect(workingTreeDigest(['src'], { cwd: repo, exclude: ['src/a.ts'] })).toBe(without);
    expect(workingTreeDigest(['src'], { cwd: repo })).not.toBe(without);
    // a nested repository shows in ls-files as "src/nested/": skipped, not read as a file
    mkdirSync(join(repo, 'src/nested'));
    expect(gitIn(join(repo, 'src/nested'), 'init', '-q').status).toBe(0);
    writeFileSync(join(repo, 'src/nested/x'), 'x');
    expect(() => workingTreeDigest(['src'], { cwd: repo })).not.toThrow();
  });

  it('tells two files from one whose content holds the other\'s path and bytes', () => {
    repo = makeRepo();
    writeFileSync(join(repo, 'src/b.ts'), '2');
    const two = workingTreeDigest(['src'], { cwd: repo });
    rmSync(join(repo, 'src/b.ts'));
    // without each file's length, "src/a.ts\0<a>\0src/b.ts\0 2" could be read either way
    writeFileSync(join(repo, 'src/a.ts'), 'export const a = 1;\n\0src/b.ts\0' + '2');
    expect(workingTreeDigest(['src'], { cwd: repo })).not.toBe(two);
  });
});
