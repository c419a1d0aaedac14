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
    const first = workingTreeDigest(['src'], repo);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    writeFileSync(join(repo, 'src/cache.bin'), 'ignored');
    writeFileSync(join(repo, 'other/b.ts'), 'export const b = 2;\n');
    expect(workingTreeDigest(['src'], repo)).toBe(first);
    writeFileSync(join(repo, 'src/a.ts'), 'export const a = 2;\n');
    const edited = workingTreeDigest(['src'], repo);
    expect(edited).not.toBe(first);
    writeFileSync(join(repo, 'src/new.ts'), '');
    expect(workingTreeDigest(['src'], repo)).not.toBe(edited);
  });

  it('is the same for the committed tree and for a working tree holding the same files', () => {
    repo = makeRepo();
    writeFileSync(join(repo, 'src/a.ts'), 'export const a = 3;\n');
    const before = workingTreeDigest(['src'], repo);
    gitIn(repo, '-c', 'user.name=t', '-c', 'user.email=t@localhost', 'commit', '-qam', 'two');
    expect(workingTreeDigest(['src'], repo)).toBe(before);
  });
});
