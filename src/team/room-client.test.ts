import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { buildJoinLink, joinLinkQrSvg, parseJoinLink, withoutJoinParts } from './join-link';
import { RoomClient, RoomError } from './room-client';

interface Call { url: string; method: string; headers: Record<string, string>; body?: unknown }

/** A fetch that records each call and answers from a function. */
function fakeFetch(answer: (call: Call) => Response | Promise<Response>) {
  const calls: Call[] = [];
  const fetch = async (url: string, init?: RequestInit) => {
    const call = { url, method: init?.method ?? 'GET', headers: (init?.headers ?? {}) as Record<string, string>, body: init?.body };
    calls.push(call);
    return answer(call);
  };
  return { calls, fetch };
}

const SHA = 'ab'.repeat(32);
const json = (status: number, body: unknown, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

describe('RoomClient', () => {
  it('speaks the room API: secret only in the Authorization header, never in a URL', async () => {
    const f = fakeFetch((c) => {
      if (c.method === 'POST' && c.url.endsWith('/api/team/rooms')) return json(201, { roomId: 'r1', secret: 's3cr3t', joinCode: 'K7P2QX', expiresAt: '2026-12-01T18:00:00Z' });
      if (c.method === 'POST' && c.url.endsWith('/api/team/join')) return json(200, { roomId: 'r1', secret: 's3cr3t', caseId: 'm:abc', expiresAt: '2026-12-01T18:00:00Z' });
      if (c.method === 'GET' && c.url.endsWith('/blobs/' + SHA)) return new Response(new Uint8Array([1, 2, 3]));
      if (c.method === 'GET') return json(200, { roomId: 'r1', caseId: 'm:abc', expiresAt: '2026-12-01T18:00:00Z', members: 2 });
      return new Response(null, { status: 204 });
    });
    const client = new RoomClient({ baseUrl: 'https://holo.local:8443/', fetch: f.fetch });
    expect(await client.createRoom('m:abc')).toEqual({ roomId: 'r1', secret: 's3cr3t', joinCode: 'K7P2QX', expiresAt: '2026-12-01T18:00:00Z' });
    expect(f.calls[0]).toMatchObject({ url: 'https://holo.local:8443/api/team/rooms', method: 'POST', body: '{"caseId":"m:abc"}' });
    expect(f.calls[0].headers.Authorization).toBeUndefined();
    expect((await client.join(' k7p-2qx ')).caseId).toBe('m:abc');
    expect(f.calls[1].body).toBe('{"code":"K7P2QX"}');
    expect((await client.getRoom('r1', 's3cr3t')).members).toBe(2);
    await client.putBlob('r1', 's3cr3t', SHA, new Uint8Array([1, 2, 3]));
    expect(Array.from(await client.getBlob('r1', 's3cr3t', SHA))).toEqual([1, 2, 3]);
    await client.closeRoom('r1', 's3cr3t');
    expect(f.calls.map((c) => `${c.method} ${c.url.replace('https://holo.local:8443', '')}`)).toEqual([
      'POST /api/team/rooms', 'POST /api/team/join', 'GET /api/team/rooms/r1', `PUT /api/team/rooms/r1/blobs/${SHA}`, `GET /api/team/rooms/r1/blobs/${SHA}`, 'DELETE /api/team/rooms/r1',
    ]);
    for (const c of f.calls.slice(2)) expect(c.headers.Authorization).toBe('Bearer s3cr3t');
    for (const c of f.calls) expect(c.url).not.toContain('s3cr3t');
  });

  it('turns each refusal into an error a user can act on', async () => {
    const cases: [number, RoomError['kind'], RegExp, Record<string, string>?][] = [
      [401, 'unauthorized', /secret is missing or wrong/],
      [403, 'forbidden', /the server refused it/],
      [404, 'not-found', /code is wrong, or the session has ended or expired/],
      [429, 'rate-limited', /wait 30 s/, { 'Retry-After': '30' }],
      [413, 'too-large', /too large/],
      [500, 'server', /HTTP 500/],
    ];
    for (const [status, kind, text, headers] of cases) {
      const client = new RoomClient({ fetch: fakeFetch(() => json(status, { error: 'reason from server' }, headers)).fetch });
      const error = await client.join('ABC123').catch((e: unknown) => e);
      expect(error, String(status)).toBeInstanceOf(RoomError);
      expect((error as RoomError).kind).toBe(kind);
      expect((error as RoomError).status).toBe(status);
      expect((error as RoomError).message).toMatch(text);
      expect((error as RoomError).message).toContain('(server: reason from server)');
    }
  });

  it('refuses a network failure, a malformed answer and bad ids with clear messages', async () => {
    const down = new RoomClient({ fetch: async () => { throw new TypeError('fetch failed'); } });
    await expect(down.createRoom('x')).rejects.toThrow(/cannot be reached \(fetch failed\)/);
    const odd = new RoomClient({ fetch: async () => new Response('<html>', { status: 200 }) });
    await expect(odd.createRoom('x')).rejects.toThrow(/not the expected JSON/);
    const partial = new RoomClient({ fetch: async () => json(201, { roomId: 'r1' }) });
    await expect(partial.createRoom('x')).rejects.toThrow(/has no "secret"/);
    const any = new RoomClient({ fetch: async () => json(200, {}) });
    await expect(any.getBlob('r1', 's', 'not-a-hash')).rejects.toThrow(/is not a sha256/);
    await expect(any.getRoom('../etc', 's')).rejects.toThrow(/is not a room id/);
    await expect(any.join('  ')).rejects.toThrow(/join code/);
  });
});

describe('join link', () => {
  it('puts the secret in the fragment and reads it back', () => {
    const link = buildJoinLink('https://192.168.1.20:8443', { roomId: 'r-1_x', secret: 'a+b/c=' });
    expect(link).toBe('https://192.168.1.20:8443/?room=r-1_x#secret=a%2Bb%2Fc%3D');
    const url = new URL(link);
    expect(url.pathname + url.search).not.toContain('a%2Bb'); // the request line carries no secret
    expect(parseJoinLink(link)).toEqual({ roomId: 'r-1_x', secret: 'a+b/c=' });
    expect(parseJoinLink('https://h/?room=r1')).toBeUndefined();
    expect(parseJoinLink('https://h/?room=..%2Fx#secret=s')).toBeUndefined();
    expect(parseJoinLink('not a url')).toBeUndefined();
    expect(withoutJoinParts('https://h/?sample=none&room=r1#secret=s')).toBe('https://h/?sample=none');
  });

  it('QR code encodes exactly the link', async () => {
    const link = buildJoinLink('https://holo.local', { roomId: 'room42', secret: 'x'.repeat(43) });
    const svg = await joinLinkQrSvg(link);
    expect(svg.startsWith('<svg')).toBe(true);
    const qr = QRCode.create(link, { errorCorrectionLevel: 'M' });
    expect(qr.segments.map((s) => (s as unknown as { data: Uint8Array | string }).data).map((d) => typeof d === 'string' ? d : Buffer.from(d).toString()).join('')).toBe(link);
  });
});
