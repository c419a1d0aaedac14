import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as Y from 'yjs';
import { fsyncDir, writeFileDurably } from './durable-file';
import type { FileLocks } from './file-lock';

/**
 * One record of a log: `[magic "HYU1"][u32 LE byte length][first 4 bytes of the payload's sha256][payload]`.
 * The magic lets a reader find the next record after damaged bytes; the checksum tells a whole
 * record from a torn or damaged one.
 */
const MAGIC = Buffer.from('HYU1', 'latin1');
const HEADER_BYTES = 12;
/** Far above any Yjs update the server accepts (a WebSocket message is at most a few MiB). */
const MAX_RECORD_BYTES = 1 << 30;

function checksum(payload: Uint8Array): Buffer {
  return createHash('sha256').update(payload).digest().subarray(0, 4);
}

export function encodeRecord(payload: Uint8Array): Buffer {
  if (payload.length > MAX_RECORD_BYTES) throw new Error(`a log record holds at most ${MAX_RECORD_BYTES} bytes, got ${payload.length}`);
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(payload.length, 4);
  checksum(payload).copy(header, 8);
  return Buffer.concat([header, payload]);
}

export interface ParsedLog {
  /** The payloads of the intact records, in file order. */
  records: Uint8Array[];
  /** Where the last intact record ends: bytes past it are a torn tail. */
  intactEnd: number;
  /** Bytes before `intactEnd` that belong to no intact record (a torn write that later appends followed). */
  damagedBytes: number;
}

function recordAt(bytes: Buffer, offset: number): Uint8Array | undefined {
  if (offset + HEADER_BYTES > bytes.length || !bytes.subarray(offset, offset + 4).equals(MAGIC)) return undefined;
  const length = bytes.readUInt32LE(offset + 4);
  const start = offset + HEADER_BYTES;
  if (length > MAX_RECORD_BYTES || start + length > bytes.length) return undefined;
  const payload = bytes.subarray(start, start + length);
  return checksum(payload).equals(bytes.subarray(offset + 8, offset + 12)) ? payload : undefined;
}

/** Reads every intact record of a log's bytes; damaged bytes are skipped up to the next intact record. */
export function parseLog(bytes: Buffer): ParsedLog {
  const records: Uint8Array[] = [];
  let offset = 0;
  let intactEnd = 0;
  let damagedBytes = 0;
  while (offset < bytes.length) {
    const payload = recordAt(bytes, offset);
    if (payload) {
      records.push(payload);
      damagedBytes += offset - intactEnd;
      offset += HEADER_BYTES + payload.length;
      intactEnd = offset;
      continue;
    }
    const next = bytes.indexOf(MAGIC, offset + 1);
    if (next < 0) break;
    offset = next;
  }
  return { records, intactEnd, damagedBytes };
}

/**
 * One Yjs update holding all the records' content (updates are commutative and idempotent, so
 * order and repeats do not matter). A record Yjs cannot read is left out rather than losing the room.
 */
export function mergeRecords(records: Uint8Array[]): Uint8Array | null {
  if (records.length === 0) return null;
  try {
    return Y.mergeUpdates(records);
  } catch {
    let merged: Uint8Array | null = null;
    for (const record of records) {
      try {
        merged = merged ? Y.mergeUpdates([merged, record]) : Y.mergeUpdates([record]);
      } catch {
        // unreadable record: skipped
      }
    }
    return merged;
  }
}

export interface AppendResult {
  /** The log's size after the append (and after compaction, when it ran). */
  bytes: number;
  compacted: boolean;
}

/**
 * Append-only logs of Yjs updates, one file per name (`<dir>/<name>.ylog`), shared by every process
 * that uses the folder. Every change of a log (append, tail repair, compaction, deletion) runs under
 * the name's lock file (`<dir>/<name>.lock`), so a compaction never misses a record another process
 * is appending, and bytes past the last intact record are never another writer's record in flight.
 * Names are the caller's to validate (they become file names).
 */
export class UpdateLogs {
  constructor(private readonly dir: string, private readonly locks: FileLocks) {}

  private logPath(name: string): string {
    return join(this.dir, `${name}.ylog`);
  }

  private lockPath(name: string): string {
    return join(this.dir, `${name}.lock`);
  }

  /**
   * Appends one record in a single write (O_APPEND) and fsyncs it; a failed write is cut off again.
   * When the log is then larger than `compactAboveBytes`, it is compacted in the same lock.
   */
  append(name: string, update: Uint8Array, compactAboveBytes = Infinity): Promise<AppendResult> {
    const record = encodeRecord(update);
    const path = this.logPath(name);
    return this.locks.run(this.lockPath(name), async () => {
      const handle = await open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);
      let before = 0;
      try {
        before = (await handle.stat()).size;
        try {
          const { bytesWritten } = await handle.write(record, 0, record.length);
          if (bytesWritten !== record.length) throw new Error(`short write to ${path}: ${bytesWritten} of ${record.length} bytes (disk full?)`);
          await handle.sync();
        } catch (error) {
          await handle.truncate(before).catch(() => undefined);
          throw error;
        }
      } finally {
        await handle.close();
      }
      if (before === 0) await fsyncDir(this.dir);
      const bytes = before + record.length;
      if (bytes <= compactAboveBytes) return { bytes, compacted: false };
      return { bytes: await this.rewrite(name, parseLog(await readFile(path)).records), compacted: true };
    });
  }

  /**
   * The merged content of every intact record, or null when there is no log. A torn tail (a write
   * cut by a crash) is cut off; damaged bytes between records are dropped by rewriting the log.
   */
  read(name: string): Promise<Uint8Array | null> {
    const path = this.logPath(name);
    return this.locks.run(this.lockPath(name), async () => {
      const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      });
      if (!bytes) return null;
      const parsed = parseLog(bytes);
      const merged = mergeRecords(parsed.records);
      if (parsed.damagedBytes > 0) await this.rewrite(name, parsed.records, merged);
      else if (parsed.intactEnd < bytes.length) await this.truncate(path, parsed.intactEnd);
      return merged;
    });
  }

  /** Replaces the log by one record holding the merge of all its records. */
  compact(name: string): Promise<number> {
    const path = this.logPath(name);
    return this.locks.run(this.lockPath(name), async () => this.rewrite(name, parseLog(await readFile(path)).records));
  }

  delete(name: string): Promise<void> {
    return this.locks.run(this.lockPath(name), async () => {
      await rm(this.logPath(name), { force: true });
      await fsyncDir(this.dir);
    });
  }

  /** Names that have a log. */
  async names(): Promise<string[]> {
    const files = await readdir(this.dir).catch(() => [] as string[]);
    return files.filter((f) => f.endsWith('.ylog')).map((f) => f.slice(0, -'.ylog'.length));
  }

  /** Called with the lock held. */
  private async rewrite(name: string, records: Uint8Array[], merged = mergeRecords(records)): Promise<number> {
    const bytes = merged ? encodeRecord(merged) : Buffer.alloc(0);
    await writeFileDurably(this.logPath(name), bytes);
    return bytes.length;
  }

  /** Called with the lock held. */
  private async truncate(path: string, length: number): Promise<void> {
    const handle = await open(path, 'r+');
    try {
      await handle.truncate(length);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}
