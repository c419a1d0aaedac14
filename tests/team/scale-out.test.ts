import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMember, openRoom, snapshot, startRedis, startServer, stopAll, tempDir, testPort, waitFor, type ServerProcess } from './harness';

let serverA: ServerProcess;
let serverB: ServerProcess;

beforeAll(async () => {
  const redis = await startRedis(testPort(90));
  // Two processes behind one address: one data folder (rooms, documents) and one Redis (relay).
  const dataDir = tempDir('scale');
  serverA = await startServer({ port: testPort(30), dataDir, redisPort: redis.port, extra: ['--sweep-ms', '200'] });
  serverB = await startServer({ port: testPort(31), dataDir, redisPort: redis.port, extra: ['--sweep-ms', '200'] });
});
afterAll(stopAll);

describe('two team server processes + Redis', () => {
  it('a room opened on A joins on B, and edits and presence cross between the processes both ways', async () => {
    const room = await openRoom(serverA);
    const joined = await fetch(`${serverB.http}/api/team/join`, { method: 'POST', body: JSON.stringify({ code: room.joinCode }) });
    expect(joined.status).toBe(200);
    const { secret } = (await joined.json()) as { secret: string };

    const onA = connectMember(serverA.ws, room.roomId, room.secret);
    const onB = connectMember(serverB.ws, room.roomId, secret);
    await Promise.all([onA.synced(), onB.synced()]);

    onA.cuts.set('a:1', { normal: [1, 0, 0], offsetMm: 5 });
    await waitFor('A\'s cut to reach B', () => onB.cuts.has('a:1'));
    onB.structures.set('liver', { visible: false, opacity: 0.4 });
    await waitFor('B\'s toggle to reach A', () => onA.structures.has('liver'));
    expect(snapshot(onA)).toBe(snapshot(onB));

    onA.provider.awareness!.setLocalStateField('pointer', { sentAt: 1, ray: [0, 0, -1] });
    await waitFor('A\'s presence to reach B', () => [...onB.provider.awareness!.getStates().values()].some((s) => (s as { pointer?: unknown }).pointer !== undefined));
  });

  it('presence bursts cross as each member\'s latest state, and A\'s last member leaving disappears from B at once', async () => {
    const room = await openRoom(serverA);
    const onA = connectMember(serverA.ws, room.roomId, room.secret);
    const onB = [connectMember(serverB.ws, room.roomId, room.secret), connectMember(serverB.ws, room.roomId, room.secret)];
    await Promise.all([onA, ...onB].map((m) => m.synced()));
    const id = onA.provider.awareness!.clientID;
    const seqOn = (m: typeof onA) => (m.provider.awareness!.getStates().get(id) as { seq?: number } | undefined)?.seq;
    for (let seq = 0; seq < 30; seq++) onA.provider.awareness!.setLocalState({ seq });
    await waitFor('A\'s last presence on both members of B', () => onB.every((m) => seqOn(m) === 29));

    const start = performance.now();
    onA.provider.destroy();
    await waitFor('A\'s member to disappear from B', () => onB.every((m) => !m.provider.awareness!.getStates().has(id)));
    // Removed through Redis, not by the clients' 30 s awareness timeout.
    expect(performance.now() - start).toBeLessThan(3000);
  });

  it('a room closed on A drops its members on B', async () => {
    const room = await openRoom(serverA);
    const onB = connectMember(serverB.ws, room.roomId, room.secret);
    await onB.synced();
    const res = await fetch(`${serverA.http}/api/team/rooms/${room.roomId}`, { method: 'DELETE', headers: { Authorization: `Bearer ${room.secret}` } });
    expect(res.status).toBe(204);
    await waitFor('B to drop the member of the closed room', () => onB.closeReason() === 'room closed or expired');
  });
});
