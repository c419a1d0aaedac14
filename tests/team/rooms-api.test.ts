import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMember, openRoom, startServer, stopAll, tempDir, testPort, waitFor, type ServerProcess } from './harness';

const TTL_MS = 3000;
const MAX_BLOB_BYTES = 256 * 1024;
let server: ServerProcess;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDir('rooms');
  server = await startServer({ port: testPort(20), dataDir, extra: ['--ttl-ms', String(TTL_MS), '--sweep-ms', '200', '--max-blob-bytes', String(MAX_BLOB_BYTES)] });
});
afterAll(stopAll);

const api = (path: string, init: RequestInit = {}) => fetch(`${server.http}/api/team/${path}`, init);
const bearer = (secret: string) => ({ Authorization: `Bearer ${secret}` });
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Rooms whose document log is on disk (`<data>/documents/<roomId>.ylog`). */
function documentNames(): string[] {
  return readdirSync(join(dataDir, 'documents')).filter((f) => f.endsWith('.ylog')).map((f) => f.slice(0, -'.ylog'.length));
}

describe('team rooms HTTP API', () => {
  it('opens a room with an unguessable id, a 256-bit secret and an 8-character join code', async () => {
    const a = await openRoom(server);
    const b = await openRoom(server);
    expect(a.roomId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(a.secret, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(a.joinCode).toMatch(/^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$/);
    expect(new Set([a.roomId, b.roomId, a.secret, b.secret, a.joinCode, b.joinCode]).size).toBe(6);
    expect(Date.parse(a.expiresAt) - Date.now()).toBeGreaterThan(TTL_MS - 1000);
  });

  it('refuses a room without a valid caseId', async () => {
    const res = await api('rooms', { method: 'POST', body: JSON.stringify({ caseId: 'Jane Doe 1970-01-01' }) });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/caseId/);
    expect((await api('rooms', { method: 'POST', body: 'not json' })).status).toBe(400);
  });

  it('joins by code (any case, with a dash), and says clearly when the code is wrong', async () => {
    const room = await openRoom(server, 'voxels-9a8b:model-2');
    const typed = `${room.joinCode.slice(0, 4).toLowerCase()}-${room.joinCode.slice(4)}`;
    const res = await api('join', { method: 'POST', body: JSON.stringify({ code: typed }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ roomId: room.roomId, secret: room.secret, caseId: 'voxels-9a8b:model-2', expiresAt: expect.any(String) });
    const wrong = await api('join', { method: 'POST', body: JSON.stringify({ code: 'AAAA-AAAA' }) });
    expect(wrong.status).toBe(404);
    expect((await wrong.json()).error).toMatch(/no open room has this join code/);
  });

  it('rate-limits wrong join codes per address (429 with Retry-After), so a short code cannot be brute-forced', async () => {
    const room = await openRoom(server);
    let limited: Response | undefined;
    for (let i = 0; i < 30 && !limited; i++) {
      const res = await api('join', { method: 'POST', body: JSON.stringify({ code: `ZZZZZZ${'23456789'[i % 8]}${'ABCDEFGH'[i % 8]}` }) });
      if (res.status === 429) limited = res;
      else expect(res.status).toBe(404);
    }
    expect(limited?.status).toBe(429);
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
    // Even the right code waits now: the limit is on the address, not on the code.
    expect((await api('join', { method: 'POST', body: JSON.stringify({ code: room.joinCode }) })).status).toBe(429);
  });

  it('reads and closes a room only with its secret: 401 without, 403 wrong, 404 once closed', async () => {
    const room = await openRoom(server);
    const missing = await api(`rooms/${room.roomId}`);
    expect(missing.status).toBe(401);
    expect((await missing.json()).error).toMatch(/Authorization: Bearer/);
    const wrong = await api(`rooms/${room.roomId}`, { headers: bearer('x'.repeat(43)) });
    expect(wrong.status).toBe(403);
    expect((await wrong.json()).error).toBe('wrong room secret');
    expect((await api(`rooms/${room.roomId}`, { method: 'DELETE', headers: bearer('nope') })).status).toBe(403);

    const info = await api(`rooms/${room.roomId}`, { headers: bearer(room.secret) });
    expect(info.status).toBe(200);
    expect(await info.json()).toEqual({ roomId: room.roomId, caseId: expect.any(String), joinCode: room.joinCode, createdAt: expect.any(String), expiresAt: expect.any(String) });

    expect((await api(`rooms/${room.roomId}`, { method: 'DELETE', headers: bearer(room.secret) })).status).toBe(204);
    expect((await api(`rooms/${room.roomId}`, { headers: bearer(room.secret) })).status).toBe(404);
  });

  it('stores content-addressed blobs: verifies the sha256, enforces the size limit, serves them only with the secret', async () => {
    const room = await openRoom(server);
    const bytes = randomBytes(100_000);
    const hash = sha256(bytes);
    const url = `rooms/${room.roomId}/blobs/${hash}`;
    expect((await api(url, { method: 'PUT', body: bytes })).status).toBe(401);
    const put = await api(url, { method: 'PUT', body: bytes, headers: bearer(room.secret) });
    expect(put.status).toBe(201);
    expect(await put.json()).toEqual({ sha256: hash, bytes: bytes.length });
    expect((await api(url, { method: 'PUT', body: bytes, headers: bearer(room.secret) })).status).toBe(200);

    const got = await api(url, { headers: bearer(room.secret) });
    expect(got.status).toBe(200);
    expect(sha256(new Uint8Array(await got.arrayBuffer()))).toBe(hash);
    expect((await api(url, { headers: bearer('wrong') })).status).toBe(403);

    const other = randomBytes(1000);
    const mismatch = await api(`rooms/${room.roomId}/blobs/${sha256(bytes.subarray(1))}`, { method: 'PUT', body: other, headers: bearer(room.secret) });
    expect(mismatch.status).toBe(400);
    expect((await mismatch.json()).error).toMatch(/sha256/);

    const big = randomBytes(MAX_BLOB_BYTES + 1);
    const tooBig = await api(`rooms/${room.roomId}/blobs/${sha256(big)}`, { method: 'PUT', body: big, headers: bearer(room.secret) });
    expect(tooBig.status).toBe(413);
    // Streamed without a length (chunked): the limit holds while reading.
    const chunked = new ReadableStream({ start(c) { c.enqueue(big.subarray(0, 200_000)); c.enqueue(big.subarray(200_000)); c.close(); } });
    const tooBigChunked = await api(`rooms/${room.roomId}/blobs/${sha256(big)}`, { method: 'PUT', body: chunked, headers: bearer(room.secret), duplex: 'half' } as RequestInit);
    expect(tooBigChunked.status).toBe(413);
    expect(readdirSync(join(dataDir, 'blobs', room.roomId))).toEqual([hash]);
    expect((await api(`rooms/${room.roomId}/blobs/NOT-A-HASH`, { headers: bearer(room.secret) })).status).toBe(400);
  });

  it('closing a room deletes its document and blobs', async () => {
    const room = await openRoom(server);
    const bytes = randomBytes(1000);
    await api(`rooms/${room.roomId}/blobs/${sha256(bytes)}`, { method: 'PUT', body: bytes, headers: bearer(room.secret) });
    const member = connectMember(server.ws, room.roomId, room.secret);
    await member.synced();
    member.cuts.set('m:1', { normal: [0, 0, 1], offsetMm: 0 });
    await waitFor('the document to be stored', () => documentNames().includes(room.roomId));
    await api(`rooms/${room.roomId}`, { method: 'DELETE', headers: bearer(room.secret) });
    await waitFor('the document to be deleted', () => !documentNames().includes(room.roomId));
    expect(existsSync(join(dataDir, 'blobs', room.roomId))).toBe(false);
  });

  it('a room with a connected member stays open past the TTL; without members it expires and everything it held is deleted', async () => {
    const room = await openRoom(server);
    const bytes = randomBytes(1000);
    await api(`rooms/${room.roomId}/blobs/${sha256(bytes)}`, { method: 'PUT', body: bytes, headers: bearer(room.secret) });
    const member = connectMember(server.ws, room.roomId, room.secret);
    await member.synced();
    member.structures.set('liver', { visible: true, opacity: 1 });
    await waitFor('the document to be stored', () => documentNames().includes(room.roomId));

    await new Promise((r) => setTimeout(r, TTL_MS * 1.5));
    expect((await api(`rooms/${room.roomId}`, { headers: bearer(room.secret) })).status).toBe(200);

    member.provider.destroy();
    // Watched through the log, not the API: an API call is activity and would keep the room open.
    await waitFor('the idle room to expire', () => server.logs().includes(`"event":"room-closed","room":"${room.roomId}","reason":"expired"`), TTL_MS * 4);
    expect((await api(`rooms/${room.roomId}`, { headers: bearer(room.secret) })).status).toBe(404);
    expect(documentNames()).not.toContain(room.roomId);
    expect(existsSync(join(dataDir, 'blobs', room.roomId))).toBe(false);
    const late = connectMember(server.ws, room.roomId, room.secret);
    await waitFor('the expired room to refuse a member', () => late.authFailure() !== undefined);
    expect(late.authFailure()).toBe('no open room with this id (it was closed or has expired)');
    expect((await api('join', { method: 'POST', body: JSON.stringify({ code: room.joinCode }) })).status).not.toBe(200);
  });
});

describe('team rooms HTTP API: abuse from a browser or one address', () => {
  it('refuses cross-origin requests (a page of another site open in a member\'s browser)', async () => {
    const res = await api('rooms', { method: 'POST', headers: { Origin: 'https://evil.example' }, body: JSON.stringify({ caseId: 'a:b' }) });
    expect(res.status).toBe(403);
    expect((await res.json()).error).toMatch(/cross-origin/);
    const same = await api('rooms', { method: 'POST', headers: { Origin: server.http }, body: JSON.stringify({ caseId: 'a:b' }) });
    expect(same.status).toBe(201);
  });

  it('limits how many rooms one address opens (429), so one client cannot use up the server', async () => {
    let status = 201;
    for (let i = 0; i < 40 && status === 201; i++) status = (await api('rooms', { method: 'POST', body: JSON.stringify({ caseId: 'a:b' }) })).status;
    expect(status).toBe(429);
  });
});
