import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { connectMember, openRoom, snapshot, startServer, stopAll, tempDir, testPort, waitFor, type Member, type ServerProcess } from './harness';

let server: ServerProcess;

beforeAll(async () => {
  server = await startServer({ port: testPort(1), dataDir: tempDir('sync') });
});
afterAll(stopAll);

const allEqual = (members: Member[]) => members.every((m) => snapshot(m) === snapshot(members[0]));

describe('team sync: members converge', () => {
  it('three members editing cuts and structures at once, one of them offline for a while, end with the same document', async () => {
    const room = await openRoom(server);
    const [a, b, c] = [0, 1, 2].map(() => connectMember(server.ws, room.roomId, room.secret));
    await Promise.all([a, b, c].map((m) => m.synced()));

    // c goes offline and keeps editing.
    c.provider.disconnect();
    await waitFor('c to be offline', () => c.provider.configuration.websocketProvider.status === 'disconnected');
    c.doc.transact(() => {
      c.cuts.set('c:1', { normal: [0, 0, 1], offsetMm: -12 });
      c.structures.set('liver', { visible: false, opacity: 1 });
    });

    // a and b edit concurrently, including the same keys.
    a.doc.transact(() => {
      a.cuts.set('a:1', { normal: [1, 0, 0], offsetMm: 4 });
      a.structures.set('liver', { visible: true, opacity: 0.5 });
      a.structures.set('bone', { visible: true, opacity: 1 });
    });
    b.doc.transact(() => {
      b.cuts.set('b:1', { normal: [0, 1, 0], offsetMm: 20 });
      b.structures.set('bone', { visible: false, opacity: 0.3 });
    });
    b.cuts.set('b:2', { normal: [0, 0, -1], offsetMm: 7 });
    b.cuts.delete('b:2');

    await waitFor('a and b to converge', () => snapshot(a) === snapshot(b) && a.cuts.size === 2);
    expect(a.cuts.has('c:1')).toBe(false);
    c.provider.connect();
    await waitFor('a, b and c to converge', () => allEqual([a, b, c]) && a.cuts.size === 3);

    expect([...a.cuts.keys()].sort()).toEqual(['a:1', 'b:1', 'c:1']);
    expect(a.cuts.has('b:2')).toBe(false);
    // Concurrent writes to one key resolve the same way everywhere (Yjs: one winner), and the value is whole.
    const liver = a.structures.get('liver') as { visible: boolean; opacity: number };
    expect([{ visible: true, opacity: 0.5 }, { visible: false, opacity: 1 }]).toContainEqual(liver);
    expect(snapshot(c)).toBe(snapshot(a));
  });

  it('the server is killed (SIGKILL) mid-session: members reconnect by themselves, nothing is lost, a newcomer gets everything', async () => {
    const room = await openRoom(server);
    const a = connectMember(server.ws, room.roomId, room.secret);
    const b = connectMember(server.ws, room.roomId, room.secret);
    await Promise.all([a.synced(), b.synced()]);
    a.cuts.set('a:1', { normal: [1, 0, 0], offsetMm: 1 });
    b.structures.set('kidneys', { visible: true, opacity: 0.8 });
    await waitFor('a and b to converge', () => snapshot(a) === snapshot(b) && a.structures.size === 1);
    // Past the store debounce (0.5 s, at most 2 s): the state is on disk before the kill.
    await new Promise((r) => setTimeout(r, 2500));

    await server.kill('SIGKILL');
    // Edits while the server is down stay with the members and reach it after the restart.
    a.cuts.set('a:2', { normal: [0, 1, 0], offsetMm: 2 });
    b.cuts.set('b:1', { normal: [0, 0, 1], offsetMm: 3 });
    await server.restart();

    await waitFor('a and b to reconnect and converge', () => snapshot(a) === snapshot(b) && a.cuts.size === 3, 20_000);
    await Promise.all([a.synced(), b.synced()]);

    // The members leave; a newcomer reads what the server kept.
    a.provider.destroy();
    b.provider.destroy();
    await new Promise((r) => setTimeout(r, 2500));
    await server.kill('SIGKILL');
    await server.restart();
    const newcomer = connectMember(server.ws, room.roomId, room.secret, new Y.Doc());
    await newcomer.synced();
    expect(snapshot(newcomer)).toBe(snapshot(a));
    expect([...newcomer.cuts.keys()].sort()).toEqual(['a:1', 'a:2', 'b:1']);
  });
});
