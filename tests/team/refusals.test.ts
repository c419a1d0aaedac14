import { randomBytes } from 'node:crypto';
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMember, openRoom, rawSocket, snapshot, startServer, stopAll, tempDir, testPort, waitFor, type Member, type OpenedRoom, type ServerProcess } from './harness';

const MAX_MESSAGE_BYTES = 64 * 1024;
let server: ServerProcess;
let room: OpenedRoom;
let healthy: [Member, Member];

beforeAll(async () => {
  server = await startServer({
    port: testPort(10), dataDir: tempDir('refusals'),
    extra: ['--max-message-bytes', String(MAX_MESSAGE_BYTES), '--messages-per-second', '50', '--message-burst', '100'],
  });
  room = await openRoom(server);
  healthy = [connectMember(server.ws, room.roomId, room.secret), connectMember(server.ws, room.roomId, room.secret)];
  await Promise.all(healthy.map((m) => m.synced()));
});
afterAll(stopAll);

/** The server still serves the members who behave: an edit of one reaches the other. */
async function expectHealthyMembersStillSync(label: string) {
  const [a, b] = healthy;
  a.cuts.set(label, { normal: [0, 0, 1], offsetMm: label.length });
  await waitFor(`the healthy members to sync after "${label}"`, () => b.cuts.has(label) && snapshot(a) === snapshot(b));
}

/** A Hocuspocus frame: room name, message type, then the body. */
function frame(roomId: string, type: number, body: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarString(e, roomId);
  encoding.writeVarUint(e, type);
  body(e);
  return encoding.toUint8Array(e);
}
const AUTH = 2;
const authFrame = (roomId: string, token: string) => frame(roomId, AUTH, (e) => {
  encoding.writeVarUint(e, 0);
  encoding.writeVarString(e, token);
});

describe('team server: refusals leave the others served', () => {
  it('refuses a wrong secret with a clear reason', async () => {
    const intruder = connectMember(server.ws, room.roomId, 'not-the-secret');
    await waitFor('the wrong secret to be refused', () => intruder.authFailure() !== undefined);
    expect(intruder.authFailure()).toBe('wrong room secret');
    intruder.cuts.set('intruder', { normal: [1, 0, 0], offsetMm: 0 });
    await expectHealthyMembersStillSync('after-wrong-secret');
    expect(healthy[0].cuts.has('intruder')).toBe(false);
  });

  it('refuses a missing secret', async () => {
    const anonymous = connectMember(server.ws, room.roomId, undefined);
    await waitFor('the missing secret to be refused', () => anonymous.authFailure() !== undefined);
    expect(anonymous.authFailure()).toBe('missing room secret');
    await expectHealthyMembersStillSync('after-missing-secret');
  });

  it('refuses a closed room, and closing it drops its members', async () => {
    const other = await openRoom(server);
    const member = connectMember(server.ws, other.roomId, other.secret);
    await member.synced();
    const res = await fetch(`${server.http}/api/team/rooms/${other.roomId}`, { method: 'DELETE', headers: { Authorization: `Bearer ${other.secret}` } });
    expect(res.status).toBe(204);
    await waitFor('the closed room\'s member to be told', () => member.closeReason() !== undefined);
    expect(member.closeReason()).toBe('room closed or expired');
    const late = connectMember(server.ws, other.roomId, other.secret);
    await waitFor('a late member of the closed room to be refused', () => late.authFailure() !== undefined);
    expect(late.authFailure()).toBe('no open room with this id (it was closed or has expired)');
    await expectHealthyMembersStillSync('after-closed-room');
  });

  it('closes a connection that sends a message above the size limit (1009) and logs it without content', async () => {
    const raw = await rawSocket(server.ws);
    raw.socket.send(authFrame(room.roomId, room.secret));
    raw.socket.send(new Uint8Array(MAX_MESSAGE_BYTES + 1024).fill(7));
    expect((await raw.closed).code).toBe(1009);
    await waitFor('the refusal to be logged', () => server.logs().includes('"reason":"message too large"'));
    await expectHealthyMembersStillSync('after-oversized');
  });

  it('survives malformed frames: garbage, text, a broken header, and broken Yjs updates after a valid auth', async () => {
    const garbage = await rawSocket(server.ws);
    garbage.socket.send(randomBytes(300));
    expect((await garbage.closed).code).toBe(1003);

    const text = await rawSocket(server.ws);
    text.socket.send('{"patient": "not a frame"}');
    expect((await text.closed).code).toBe(1003);

    const header = await rawSocket(server.ws);
    header.socket.send(frame('../../etc/passwd', AUTH, (e) => encoding.writeVarUint(e, 0)));
    expect((await header.closed).code).toBe(1003);

    // Authenticated, then sync step 2 / update / step 1 / awareness messages whose bodies are random bytes.
    for (let trial = 0; trial < 12; trial++) {
      const raw = await rawSocket(server.ws);
      raw.socket.send(authFrame(room.roomId, room.secret));
      const type = [0, 1, 4, 5][trial % 4];
      raw.socket.send(frame(room.roomId, type, (e) => {
        if (type === 0 || type === 4) encoding.writeVarUint(e, trial % 3);
        encoding.writeUint8Array(e, randomBytes(8 + trial * 13));
      }));
      raw.socket.send(frame(room.roomId, 0, (e) => encoding.writeUint8Array(e, randomBytes(5))));
      await new Promise((r) => setTimeout(r, 100));
      raw.socket.terminate();
    }
    await waitFor('the malformed frames to be logged', () => server.logs().includes('"reason":"malformed message"'));
    await expectHealthyMembersStillSync('after-malformed');
  });

  it('closes a connection that floods above the rate limit (1008) and logs it', async () => {
    const raw = await rawSocket(server.ws);
    raw.socket.send(authFrame(room.roomId, room.secret));
    const query = frame(room.roomId, 3, () => undefined);
    for (let i = 0; i < 1000; i++) raw.socket.send(query);
    const closed = await raw.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toBe('message rate limit exceeded');
    expect(server.logs()).toContain('"reason":"message rate limit exceeded"');
    await expectHealthyMembersStillSync('after-flood');
  });

  it('is still the same process after all of it', () => {
    expect(server.events().filter((e) => e.event === 'listening')).toHaveLength(1);
    expect(server.logs()).not.toContain('unhandled-rejection');
  });
});
