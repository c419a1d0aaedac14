import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PRESENCE_TICK_MS } from '../../src/server/awareness-coalescer';
import { connectMember, openRoom, startServer, stopAll, tempDir, testPort, waitFor, type Member, type ServerProcess } from './harness';

/**
 * Presence relay through real server processes (src/server/awareness-coalescer.ts): a burst of
 * presence updates from seven members reaches an eighth in combined messages, at most one per
 * presence tick, and it ends with every peer's latest state; a member who leaves, politely or
 * killed, disappears from the others at once (not after the 30 s awareness timeout). A second
 * server with Hocuspocus' own relay (`--presence-tick-ms 0`) shows what the same measure reads
 * without coalescing: one message per change. Ports testPort(80) and testPort(81).
 */
const PEERS = 7;
const UPDATES_EACH = 20;
/** Removal must come from the server's relay: far below the 30 s after which clients time a member out. */
const REMOVAL_BOUND_MS = 3000;
const root = new URL('../..', import.meta.url).pathname;

type Change = { added: number[]; updated: number[]; removed: number[] };

interface BurstSeen {
  /** Awareness messages from the server that brought the observer newer peer states. */
  messages: number;
  /** Peer states those messages changed, together. */
  changes: number;
  elapsedMs: number;
  latestSeq: number[];
}

async function joinRoom(server: ServerProcess, count: number): Promise<{ members: Member[]; room: { roomId: string; secret: string } }> {
  const room = await openRoom(server);
  const members = Array.from({ length: count }, () => connectMember(server.ws, room.roomId, room.secret));
  await Promise.all(members.map((m) => m.synced()));
  return { members, room };
}

/** Each peer sends UPDATES_EACH presence updates as fast as it can; the observer counts what reaches it. */
async function burst(server: ServerProcess): Promise<BurstSeen> {
  const { members } = await joinRoom(server, PEERS + 1);
  const [observer, ...peers] = members;
  const awareness = observer.provider.awareness!;
  const peerIds = peers.map((p) => p.provider.awareness!.clientID);
  const seqOf = (id: number) => (awareness.getStates().get(id) as { seq?: number } | undefined)?.seq;
  peers.forEach((p) => p.provider.awareness!.setLocalState({ seq: -1 }));
  await waitFor('the observer to see every peer', () => peerIds.every((id) => seqOf(id) === -1));

  let messages = 0;
  let changes = 0;
  awareness.on('update', ({ added, updated }: Change, origin: unknown) => {
    if (origin !== observer.provider) return;
    const fromPeers = [...added, ...updated].filter((id) => peerIds.includes(id)).length;
    if (fromPeers === 0) return;
    messages++;
    changes += fromPeers;
  });
  const start = performance.now();
  for (let seq = 0; seq < UPDATES_EACH; seq++) for (const p of peers) p.provider.awareness!.setLocalState({ seq });
  await waitFor('every peer\'s last update on the observer', () => peerIds.every((id) => seqOf(id) === UPDATES_EACH - 1));
  return { messages, changes, elapsedMs: performance.now() - start, latestSeq: peerIds.map(seqOf) as number[] };
}

/** Time from `leave()` until the observer's awareness removes `leaverId`. */
async function removalMs(observer: Member, leaverId: number, leave: () => void): Promise<number> {
  const awareness = observer.provider.awareness!;
  await waitFor('the leaver on the observer', () => awareness.getStates().has(leaverId));
  return new Promise((resolve) => {
    const start = performance.now();
    const onChange = ({ removed }: Change) => {
      if (!removed.includes(leaverId)) return;
      awareness.off('change', onChange);
      resolve(performance.now() - start);
    };
    awareness.on('change', onChange);
    leave();
  });
}

describe('presence relay', () => {
  let coalescing: ServerProcess;
  let perChange: ServerProcess;

  beforeAll(async () => {
    [coalescing, perChange] = await Promise.all([
      startServer({ port: testPort(80), dataDir: tempDir('presence') }),
      startServer({ port: testPort(81), dataDir: tempDir('presence-per-change'), extra: ['--presence-tick-ms', '0'] }),
    ]);
  });
  afterAll(() => stopAll());

  it('combines a burst of presence into at most one message per tick, and every peer\'s latest state arrives', async () => {
    const seen = await burst(coalescing);
    expect(seen.latestSeq).toEqual(Array(PEERS).fill(UPDATES_EACH - 1));
    // The server sends a room's presence at most once per tick (timers may fire ≤ 1 ms early).
    expect(seen.messages).toBeLessThanOrEqual(Math.floor(seen.elapsedMs / (DEFAULT_PRESENCE_TICK_MS - 1)) + 1);
    expect(seen.messages).toBeLessThan(PEERS * UPDATES_EACH);
    expect(seen.changes).toBeGreaterThanOrEqual(PEERS);
  });

  it('without coalescing (--presence-tick-ms 0) the same burst arrives as one message per change', async () => {
    const seen = await burst(perChange);
    expect(seen.latestSeq).toEqual(Array(PEERS).fill(UPDATES_EACH - 1));
    expect(seen.changes).toBe(PEERS * UPDATES_EACH);
    expect(seen.messages).toBe(seen.changes);
  });

  it('a member who leaves disappears from the others at once', async () => {
    const { members } = await joinRoom(coalescing, 3);
    const [observer, , leaver] = members;
    leaver.provider.awareness!.setLocalState({ name: 'leaving' });
    const ms = await removalMs(observer, leaver.provider.awareness!.clientID, () => leaver.provider.destroy());
    expect(ms).toBeLessThan(REMOVAL_BOUND_MS);
    await waitFor('the other member to drop it too', () => !members[1].provider.awareness!.getStates().has(leaver.provider.awareness!.clientID));
  });

  it('a member whose process is killed disappears from the others at once (the server removes the closed connection\'s presence)', async () => {
    const { members, room } = await joinRoom(coalescing, 2);
    const [observer] = members;
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/team/presence-member.ts', coalescing.ws, room.roomId, room.secret], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    try {
      await waitFor('the member process to join', () => /member \d+/.test(output) || child.exitCode !== null, 30_000);
      const id = Number(/member (\d+)/.exec(output)?.[1]);
      expect(id, output).toBeGreaterThan(0);
      const ms = await removalMs(observer, id, () => child.kill('SIGKILL'));
      expect(ms).toBeLessThan(REMOVAL_BOUND_MS);
      await waitFor('the other member to drop it too', () => !members[1].provider.awareness!.getStates().has(id));
    } finally {
      child.kill('SIGKILL');
    }
  });
});
