import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { FileLocks } from './file-lock';
import { encodeRecord, mergeRecords, parseLog, UpdateLogs } from './update-log';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'holoct-update-log-'));
  dirs.push(dir);
  return dir;
}

/** A writer's edits as Yjs diffs: update i sets `<prefix>:<i>` = i in the map `cuts`. */
function edits(prefix: string, count: number, doc = new Y.Doc()): Uint8Array[] {
  const cuts = doc.getMap<number>('cuts');
  const updates: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const before = Y.encodeStateVector(doc);
    cuts.set(`${prefix}:${i}`, i);
    updates.push(Y.encodeStateAsUpdate(doc, before));
  }
  return updates;
}

function cutsOf(update: Uint8Array | null): Record<string, number> {
  const doc = new Y.Doc();
  if (update) Y.applyUpdate(doc, update);
  return Object.fromEntries([...doc.getMap<number>('cuts').entries()].sort(([a], [b]) => a.localeCompare(b)));
}

const expected = (...writers: Array<[string, number]>) =>
  Object.fromEntries(writers.flatMap(([prefix, count]) => Array.from({ length: count }, (_, i) => [`${prefix}:${i}`, i] as const)).sort(([a], [b]) => a.localeCompare(b)));

describe('update log records', () => {
  it('a record is [magic HYU1][u32 LE length][4 bytes of the payload sha256][payload]', () => {
    const payload = new Uint8Array([1, 2, 3]);
    const record = encodeRecord(payload);
    expect(record.length).toBe(15);
    expect(record.subarray(0, 4).toString('latin1')).toBe('HYU1');
    expect(record.readUInt32LE(4)).toBe(3);
    expect(record.subarray(8, 12)).toEqual(createHash('sha256').update(payload).digest().subarray(0, 4));
    expect([...record.subarray(12)]).toEqual([1, 2, 3]);
  });

  it('reads every record back, in order', () => {
    const payloads = [new Uint8Array([7]), new Uint8Array(0), new Uint8Array(300).fill(9)];
    const parsed = parseLog(Buffer.concat(payloads.map(encodeRecord)));
    expect(parsed.records.map((r) => [...r])).toEqual(payloads.map((p) => [...p]));
    expect(parsed.intactEnd).toBe(13 + 12 + 312);
    expect(parsed.damagedBytes).toBe(0);
  });

  it('a torn last record (cut at any byte) is left out, and intactEnd marks where to cut', () => {
    const [a, b, c] = [new Uint8Array([1, 2]), new Uint8Array([3, 4, 5]), new Uint8Array([6, 7, 8, 9])].map(encodeRecord);
    const whole = Buffer.concat([a, b, c]);
    for (let cut = a.length + b.length + 1; cut < whole.length; cut++) {
      const parsed = parseLog(whole.subarray(0, cut));
      expect(parsed.records.map((r) => [...r]), `cut at ${cut}`).toEqual([[1, 2], [3, 4, 5]]);
      expect(parsed.intactEnd).toBe(a.length + b.length);
      expect(parsed.damagedBytes).toBe(0);
    }
  });

  it('a damaged record between intact ones is skipped and counted, the records after it are kept', () => {
    const [a, b, c] = [new Uint8Array([1]), new Uint8Array([2, 2]), new Uint8Array([3, 3, 3])].map(encodeRecord);
    const damaged = Buffer.concat([a, b, c]);
    damaged[a.length + 12] ^= 0xff; // first payload byte of b: its checksum no longer matches
    const parsed = parseLog(damaged);
    expect(parsed.records.map((r) => [...r])).toEqual([[1], [3, 3, 3]]);
    expect(parsed.damagedBytes).toBe(b.length);
    expect(parsed.intactEnd).toBe(damaged.length);
  });

  it('merges records into one update, skipping one Yjs cannot read', () => {
    const updates = edits('a', 3);
    expect(cutsOf(mergeRecords([...updates.slice(0, 2), new Uint8Array([255, 255, 255]), updates[2]]))).toEqual(expected(['a', 3]));
    expect(mergeRecords([])).toBeNull();
  });
});

describe('UpdateLogs (files)', () => {
  it('appends updates and reads back their merge; no log reads as null', async () => {
    const logs = new UpdateLogs(tempDir(), new FileLocks());
    expect(await logs.read('room')).toBeNull();
    for (const update of edits('a', 5)) await logs.append('room', update);
    expect(cutsOf(await logs.read('room'))).toEqual(expected(['a', 5]));
    expect(await logs.names()).toEqual(['room']);
  });

  it('a torn tail left by a crash is ignored and cut off on read; appends after it are read', async () => {
    const dir = tempDir();
    const logs = new UpdateLogs(dir, new FileLocks());
    const updates = edits('a', 3);
    for (const update of updates.slice(0, 2)) await logs.append('room', update);
    const path = join(dir, 'room.ylog');
    const intact = statSync(path).size;
    const torn = encodeRecord(updates[2]).subarray(0, 20);
    writeFileSync(path, torn, { flag: 'a' });
    expect(cutsOf(await logs.read('room'))).toEqual(expected(['a', 2]));
    expect(statSync(path).size).toBe(intact);

    // After a power loss the torn bytes may stay and later appends follow them: skipped, then rewritten away.
    writeFileSync(path, torn, { flag: 'a' });
    await logs.append('room', updates[2]);
    expect(cutsOf(await logs.read('room'))).toEqual(expected(['a', 3]));
    expect(parseLog(readFileSync(path))).toMatchObject({ damagedBytes: 0, intactEnd: statSync(path).size });
  });

  it('compacts to one record holding everything, by request or once the log grows past the threshold', async () => {
    const dir = tempDir();
    const logs = new UpdateLogs(dir, new FileLocks());
    const updates = edits('a', 60);
    for (const update of updates.slice(0, 30)) await logs.append('room', update);
    const path = join(dir, 'room.ylog');
    const before = statSync(path).size;
    expect(parseLog(readFileSync(path)).records).toHaveLength(30);
    const after = await logs.compact('room');
    expect(after).toBe(statSync(path).size);
    expect(after).toBeLessThan(before);
    expect(parseLog(readFileSync(path)).records).toHaveLength(1);
    expect(cutsOf(await logs.read('room'))).toEqual(expected(['a', 30]));

    let compactions = 0;
    for (const update of updates.slice(30)) if ((await logs.append('room', update, 200)).compacted) compactions++;
    expect(compactions).toBeGreaterThan(0);
    expect(statSync(path).size).toBeLessThanOrEqual(before);
    expect(cutsOf(await logs.read('room'))).toEqual(expected(['a', 60]));
    expect(readdirSync(dir).sort()).toEqual(['room.ylog']);
  });

  it('deletes a log', async () => {
    const dir = tempDir();
    const logs = new UpdateLogs(dir, new FileLocks());
    await logs.append('room', edits('a', 1)[0]);
    await logs.delete('room');
    expect(readdirSync(dir)).toEqual([]);
    expect(await logs.read('room')).toBeNull();
  });

  it('two writers with their own locks (as two processes have) append and compact at once: nothing is lost', async () => {
    const dir = tempDir();
    const [one, two] = [new UpdateLogs(dir, new FileLocks()), new UpdateLogs(dir, new FileLocks())];
    const write = (logs: UpdateLogs, updates: Uint8Array[]) => Promise.all(updates.map((u) => logs.append('room', u, 150)));
    await Promise.all([write(one, edits('a', 40)), write(two, edits('b', 40))]);
    expect(cutsOf(await one.read('room'))).toEqual(expected(['a', 40], ['b', 40]));
    expect(readdirSync(dir).sort()).toEqual(['room.ylog']);
  });

  it('two processes append to one log, each compacting after nearly every append: the log holds both writers\' edits', async () => {
    const dir = tempDir();
    const root = new URL('../..', import.meta.url).pathname;
    const writer = (prefix: string) => promisify(execFile)(process.execPath, ['--import', 'tsx', 'tests/fixtures/update-log-writer.ts', dir, prefix, '60'], { cwd: root });
    await Promise.all([writer('a'), writer('b')]);
    const logs = new UpdateLogs(dir, new FileLocks());
    expect(cutsOf(await logs.read('room'))).toEqual(expected(['a', 60], ['b', 60]));
    expect(readdirSync(dir).sort()).toEqual(['room.ylog']);
  });
});
