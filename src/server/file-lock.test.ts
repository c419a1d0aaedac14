import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileLocks } from './file-lock';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
function lockIn(): string {
  const dir = mkdtempSync(join(tmpdir(), 'holoct-lock-'));
  dirs.push(dir);
  return join(dir, 'room.lock');
}

/** A lock file as another process writes it. */
function foreignLock(path: string, pid: number, started = 1): void {
  writeFileSync(path, JSON.stringify({ pid, started, host: hostname(), token: 'someone-else' }));
}

describe('FileLocks', () => {
  it('runs jobs on one lock one at a time, also across two lock sets (two processes), and removes the lock file after', async () => {
    const path = lockIn();
    const [a, b] = [new FileLocks(), new FileLocks()];
    let inside = 0;
    let most = 0;
    const job = async () => {
      most = Math.max(most, ++inside);
      await new Promise((r) => setTimeout(r, 5));
      inside--;
    };
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).run(path, job)));
    expect(most).toBe(1);
    expect(existsSync(path)).toBe(false);
  });

  it('takes over at once a lock whose holder on this host is no longer running (a killed server)', async () => {
    const path = lockIn();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    foreignLock(path, dead);
    expect(await new FileLocks({ timeoutMs: 1000 }).run(path, async () => 'ran')).toBe('ran');
  });

  it('takes over a lock of this pid left by an earlier process (a restarted container reuses pids)', async () => {
    const path = lockIn();
    foreignLock(path, process.pid, performance.timeOrigin - 60_000);
    expect(await new FileLocks({ timeoutMs: 1000 }).run(path, async () => 'ran')).toBe('ran');
  });

  it('waits for a running holder, and gives up with a message naming the lock; an old lock is taken over', async () => {
    const path = lockIn();
    foreignLock(path, process.ppid);
    await expect(new FileLocks({ timeoutMs: 200 }).run(path, async () => 'ran')).rejects.toThrow(`timed out after 200 ms waiting for the lock ${path}`);
    expect(existsSync(path)).toBe(true);
    const old = (Date.now() - 60_000) / 1000;
    utimesSync(path, old, old);
    expect(await new FileLocks({ timeoutMs: 1000, staleMs: 30_000 }).run(path, async () => 'ran')).toBe('ran');
  });

  it('releases the lock when the job throws', async () => {
    const path = lockIn();
    const locks = new FileLocks();
    await expect(locks.run(path, async () => { throw new Error('job failed'); })).rejects.toThrow('job failed');
    expect(existsSync(path)).toBe(false);
    expect(await locks.run(path, async () => 'next')).toBe('next');
  });
});
