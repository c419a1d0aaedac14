import { randomBytes } from 'node:crypto';
import { link, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';

/** What a lock file holds: who took it, so that another process can tell a dead holder's lock. */
interface LockOwner {
  pid: number;
  /** When the holder's process started (ms): tells it from an earlier process that had the same pid (a restarted container). */
  started: number;
  host: string;
  token: string;
}

export interface FileLockOptions {
  /** A lock older than this is taken to be left by a holder that hangs or died elsewhere (ms). */
  staleMs?: number;
  /** Give up waiting for a lock after this long (ms). */
  timeoutMs?: number;
}

const DEFAULT_STALE_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 20_000;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (typeof value.pid === 'number' && typeof value.started === 'number' && typeof value.host === 'string' && typeof value.token === 'string') return value as LockOwner;
  } catch {
    // a lock file being written, or damaged: judged by its age
  }
  return undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Exclusive locks between the processes that share a data folder, one lock file per resource
 * (Node has no flock, and a native addon is what this project avoids). A lock file appears
 * atomically with its owner inside (written to a private temp file, then `link`ed: fails when the
 * lock exists) and is removed on release. A lock is stale when its holder, on this host, is no
 * longer running (a killed server: taken over at once) or when it is older than `staleMs` (a
 * holder on another host, or one that hangs). Within one process, callers of the same lock queue
 * in memory instead of polling the file.
 */
export class FileLocks {
  private readonly host = hostname();
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly staleMs: number;
  private readonly timeoutMs: number;

  constructor(options: FileLockOptions = {}) {
    this.staleMs = options.staleMs ?? DEFAULT_STALE_MS;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Runs `job` while holding the lock file `lockPath`. */
  run<T>(lockPath: string, job: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(lockPath) ?? Promise.resolve();
    const next = previous.then(() => this.holding(lockPath, job), () => this.holding(lockPath, job));
    const tail = next.catch(() => undefined);
    this.queues.set(lockPath, tail);
    void tail.then(() => {
      if (this.queues.get(lockPath) === tail) this.queues.delete(lockPath);
    });
    return next;
  }

  /** Waits for every queued job of this process. */
  async drain(): Promise<void> {
    while (this.queues.size > 0) await Promise.all([...this.queues.values()]);
  }

  private async holding<T>(lockPath: string, job: () => Promise<T>): Promise<T> {
    const token = await this.acquire(lockPath);
    try {
      return await job();
    } finally {
      // Only our own lock: after a takeover (we hung past staleMs) the file is someone else's.
      const owner = parseOwner(await readFile(lockPath, 'utf8').catch(() => ''));
      if (owner?.token === token) await unlink(lockPath).catch(() => undefined);
    }
  }

  private async acquire(lockPath: string): Promise<string> {
    const owner: LockOwner = { pid: process.pid, started: performance.timeOrigin, host: this.host, token: randomBytes(12).toString('hex') };
    const temp = `${lockPath}.${owner.token}.tmp`;
    await writeFile(temp, JSON.stringify(owner), { mode: 0o600 });
    const deadline = Date.now() + this.timeoutMs;
    try {
      for (let wait = 2; ; wait = Math.min(50, wait * 2)) {
        try {
          await link(temp, lockPath);
          return owner.token;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`cannot create the lock ${lockPath}: ${(error as Error).message}`, { cause: error });
        }
        if (await this.breakIfStale(lockPath)) continue;
        if (Date.now() > deadline) throw new Error(`timed out after ${this.timeoutMs} ms waiting for the lock ${lockPath}`);
        await sleep(wait + Math.random() * wait);
      }
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  }

  private async isStale(lockPath: string): Promise<{ stale: boolean; token?: string }> {
    const [text, info] = await Promise.all([readFile(lockPath, 'utf8').catch(() => undefined), stat(lockPath).catch(() => undefined)]);
    if (text === undefined || !info) return { stale: false };
    const owner = parseOwner(text);
    const old = Date.now() - info.mtimeMs > this.staleMs;
    if (!owner) return { stale: old };
    if (owner.host === this.host) {
      const dead = owner.pid === process.pid ? owner.started !== performance.timeOrigin : !processAlive(owner.pid);
      if (dead) return { stale: true, token: owner.token };
    }
    return { stale: old, token: owner.token };
  }

  /**
   * Removes a stale lock. The lock is moved aside first and checked: when another process replaced
   * it between our look and the move, it is put back (`link` fails if a third took the name meanwhile).
   */
  private async breakIfStale(lockPath: string): Promise<boolean> {
    const judged = await this.isStale(lockPath);
    if (!judged.stale) return false;
    const aside = `${lockPath}.${randomBytes(8).toString('hex')}.stale`;
    try {
      await rename(lockPath, aside);
    } catch {
      return true; // gone already: try again
    }
    const moved = parseOwner(await readFile(aside, 'utf8').catch(() => ''));
    if (moved?.token !== judged.token) await link(aside, lockPath).catch(() => undefined);
    await unlink(aside).catch(() => undefined);
    return true;
  }
}
