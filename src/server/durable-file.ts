import { randomBytes } from 'node:crypto';
import { open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Flushes a folder's entries (a created, renamed or removed name) to disk. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function writeAndSync(path: string, flags: string, bytes: Uint8Array | string): Promise<void> {
  const handle = await open(path, flags, 0o600);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Creates `path` (fails with EEXIST when it exists) and makes it and its name durable. */
export async function createFileDurably(path: string, bytes: Uint8Array | string): Promise<void> {
  await writeAndSync(path, 'wx', bytes);
  await fsyncDir(dirname(path));
}

/**
 * Replaces `path` with `bytes` so that a crash leaves either the old file or the new one, never a
 * mix: a temp file beside it (`<name>.<random>.tmp`), fsync, rename over, fsync the folder.
 */
export async function writeFileDurably(path: string, bytes: Uint8Array | string): Promise<void> {
  const temp = `${path}.${randomBytes(8).toString('hex')}.tmp`;
  try {
    await writeAndSync(temp, 'wx', bytes);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await fsyncDir(dirname(path));
}

/** Removes temp files (`*.tmp`, `*.stale`) older than `ageMs` that a crashed writer left in `dir`. */
export async function removeLeftovers(dir: string, ageMs: number): Promise<void> {
  const now = Date.now();
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.endsWith('.tmp') && !name.endsWith('.stale')) continue;
    const info = await stat(join(dir, name)).catch(() => undefined);
    if (info && now - info.mtimeMs > ageMs) await rm(join(dir, name), { force: true });
  }
}
