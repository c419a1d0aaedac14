import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Document, fetchPayload, storePayload } from '@hocuspocus/server';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { TeamDocumentStore } from './document-store';
import { FileLocks } from './file-lock';
import { newRoomId } from './ids';
import { parseLog } from './update-log';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'holoct-documents-'));
  dirs.push(dir);
  return dir;
}

/** The hooks as Hocuspocus calls them (only the fields the store reads). */
const fetchFor = (store: TeamDocumentStore, documentName: string) => store.configuration.fetch({ documentName } as fetchPayload);
const storeFrom = (store: TeamDocumentStore, documentName: string, doc: Y.Doc) =>
  store.configuration.store({ documentName, document: doc as Document, state: Buffer.from(Y.encodeStateAsUpdate(doc)) } as storePayload);

function cuts(update: Uint8Array | null): string[] {
  const doc = new Y.Doc();
  if (update) Y.applyUpdate(doc, update);
  return [...doc.getMap('cuts').keys()].sort();
}

describe('TeamDocumentStore', () => {
  it('stores only what changed since its last store, and a reload gets everything', async () => {
    const dir = tempDir();
    const room = newRoomId();
    const store = new TeamDocumentStore(dir, new FileLocks(), async () => true);
    expect(await fetchFor(store, room)).toBeNull();
    const doc = new Y.Doc();
    for (let i = 0; i < 20; i++) {
      doc.getMap('cuts').set(`c:${i}`, 'x'.repeat(200));
      await storeFrom(store, room, doc);
    }
    doc.getMap('cuts').delete('c:0');
    await storeFrom(store, room, doc);
    const records = parseLog(readFileSync(join(dir, `${room}.ylog`))).records;
    expect(records).toHaveLength(21);
    // Diffs, not the whole document each time: the log is far smaller than 21 full states.
    expect(records.reduce((n, r) => n + r.length, 0)).toBeLessThan(4 * Y.encodeStateAsUpdate(doc).length);
    const again = new TeamDocumentStore(dir, new FileLocks(), async () => true);
    expect(cuts(await fetchFor(again, room))).toEqual(Array.from({ length: 19 }, (_, i) => `c:${i + 1}`).sort());
  });

  it('two processes storing one room (scale-out) keep both sides\' edits', async () => {
    const dir = tempDir();
    const room = newRoomId();
    const [a, b] = [new TeamDocumentStore(dir, new FileLocks(), async () => true), new TeamDocumentStore(dir, new FileLocks(), async () => true)];
    const [docA, docB] = [new Y.Doc(), new Y.Doc()];
    await Promise.all([fetchFor(a, room), fetchFor(b, room)]);
    docA.getMap('cuts').set('a:1', 1);
    docB.getMap('cuts').set('b:1', 1);
    await Promise.all([storeFrom(a, room, docA), storeFrom(b, room, docB)]);
    // Redis relays A's edit to B; B stores again; A edits on.
    Y.applyUpdate(docB, Y.encodeStateAsUpdate(docA));
    docA.getMap('cuts').set('a:2', 2);
    await Promise.all([storeFrom(a, room, docA), storeFrom(b, room, docB)]);
    expect(cuts(await fetchFor(new TeamDocumentStore(dir, new FileLocks(), async () => true), room))).toEqual(['a:1', 'a:2', 'b:1']);
  });

  it('stores nothing for a closed room, deletes a closed room\'s log, and removes logs of rooms that no longer exist', async () => {
    const dir = tempDir();
    const [open, closed, orphan] = [newRoomId(), newRoomId(), newRoomId()];
    const live = new Set([open, orphan]);
    const store = new TeamDocumentStore(dir, new FileLocks(), async (id) => live.has(id));
    const doc = new Y.Doc();
    doc.getMap('cuts').set('m:1', 1);
    for (const room of [open, closed, orphan]) await storeFrom(store, room, doc);
    expect(readdirSync(dir).sort()).toEqual([`${open}.ylog`, `${orphan}.ylog`].sort());
    await store.deleteDocument(open);
    expect(readdirSync(dir)).toEqual([`${orphan}.ylog`]);
    expect(await store.deleteOrphans(async (id) => id !== orphan)).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
  });
});
