import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BlobStore } from './blob-store';
import { AttemptLimiter } from './attempt-limiter';
import { normalizeJoinCode, ROOM_ID_PATTERN, secretsEqual, SHA256_PATTERN } from './ids';
import type { TeamLimits } from './limits';
import type { TeamLog } from './log';
import type { RoomRecord } from './room-registry';

export const API_PREFIX = '/api/team/';

/** What the HTTP API needs from the rooms (implemented in team-server.ts). */
export interface RoomsForHttp {
  open(caseId: string): Promise<RoomRecord | 'full'>;
  get(roomId: string): Promise<RoomRecord | undefined>;
  findByJoinCode(code: string): Promise<RoomRecord | undefined>;
  touch(roomId: string): void;
  close(roomId: string, reason: string): Promise<void>;
  expiresAt(room: RoomRecord): number;
  blobs: BlobStore;
}

/** A case id is the volume's voxelSha256 and the model id: hex, names, versions; never free text. */
const CASE_ID_PATTERN = /^[A-Za-z0-9._:+@/-]{1,200}$/;

class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

const COMMON_HEADERS = { 'Cache-Control': 'no-store', 'Cross-Origin-Resource-Policy': 'same-origin', 'X-Content-Type-Options': 'nosniff' };

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { ...COMMON_HEADERS, ...(text ? { 'Content-Type': 'application/json' } : {}), ...headers });
  res.end(text);
}

async function readJson(req: IncomingMessage, maxBytes: number): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new HttpError(413, `request body above ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new HttpError(400, 'request body is not a JSON object');
}

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

function publicRoom(rooms: RoomsForHttp, room: RoomRecord) {
  return { roomId: room.roomId, caseId: room.caseId, joinCode: room.joinCode, createdAt: new Date(room.createdAt).toISOString(), expiresAt: new Date(rooms.expiresAt(room)).toISOString() };
}

/**
 * The rooms' HTTP API under /api/team/ (docs/team.md lists it). Returns a request handler that
 * answers true when the path is the API's (and then owns the response), false otherwise.
 */
export function createHttpApi(rooms: RoomsForHttp, limits: TeamLimits, log: TeamLog): (req: IncomingMessage, res: ServerResponse) => boolean {
  const joinFailures = new AttemptLimiter(limits.joinFailuresPerWindow, limits.joinFailureWindowMs);
  const roomOpens = new AttemptLimiter(limits.roomOpensPerWindow, limits.roomOpenWindowMs);

  async function authorizedRoom(req: IncomingMessage, roomId: string): Promise<RoomRecord> {
    const match = /^Bearer\s+(\S+)\s*$/.exec(req.headers.authorization ?? '');
    if (!match) throw new HttpError(401, 'this room needs its secret: send the header "Authorization: Bearer <room secret>"', { 'WWW-Authenticate': 'Bearer' });
    const room = ROOM_ID_PATTERN.test(roomId) ? await rooms.get(roomId) : undefined;
    if (!room) throw new HttpError(404, 'no open room with this id (it was closed or has expired)');
    if (!secretsEqual(match[1], room.secret)) {
      log('http-refused', { room: roomId, reason: 'wrong room secret' });
      throw new HttpError(403, 'wrong room secret');
    }
    rooms.touch(room.roomId);
    return room;
  }

  async function route(req: IncomingMessage, res: ServerResponse, path: string[]): Promise<void> {
    const method = req.method ?? 'GET';
    // A page from another origin (open in a member's browser) must not open rooms or try codes:
    // browsers name the page's origin; the app itself is same-origin, Node clients send none.
    // HTTP/2 (Vite's HTTPS preview, hence `npm start`) names the host in :authority, not Host
    const host = req.headers.host ?? (req.headers[':authority'] as string | undefined);
    if (req.headers.origin !== undefined && originHost(req.headers.origin) !== host) {
      log('http-refused', { reason: 'cross-origin request' });
      throw new HttpError(403, 'cross-origin requests to the team API are refused');
    }
    const [first, roomId, sub, sha256, ...rest] = path;
    if (first === 'rooms' && roomId === undefined) {
      if (method !== 'POST') throw new HttpError(405, 'use POST /api/team/rooms to open a room', { Allow: 'POST' });
      const client = req.socket.remoteAddress ?? 'unknown';
      const wait = roomOpens.retryAfterSeconds(client, Date.now());
      if (wait > 0) {
        log('http-refused', { reason: 'room open rate limit' });
        throw new HttpError(429, `too many rooms opened from this address: try again in ${wait} s`, { 'Retry-After': String(wait) });
      }
      const body = await readJson(req, limits.maxJsonBytes);
      // Only caseId is read; any other field is ignored and never stored.
      if (typeof body.caseId !== 'string' || !CASE_ID_PATTERN.test(body.caseId)) {
        throw new HttpError(400, 'caseId must be the case id (voxelSha256 and model id: 1-200 letters, digits or ._:+@/-)');
      }
      const room = await rooms.open(body.caseId);
      if (room === 'full') throw new HttpError(503, `the server holds its maximum of ${limits.maxRooms} open rooms; close one first`);
      roomOpens.record(client, Date.now());
      log('room-opened', { room: room.roomId });
      const { roomId: id, secret, joinCode } = room;
      return sendJson(res, 201, { roomId: id, secret, joinCode, expiresAt: new Date(rooms.expiresAt(room)).toISOString() });
    }
    if (first === 'join' && roomId === undefined) {
      if (method !== 'POST') throw new HttpError(405, 'use POST /api/team/join with {"code": "..."}', { Allow: 'POST' });
      const client = req.socket.remoteAddress ?? 'unknown';
      const wait = joinFailures.retryAfterSeconds(client, Date.now());
      if (wait > 0) {
        log('http-refused', { reason: 'join code rate limit' });
        throw new HttpError(429, `too many wrong join codes from this address: try again in ${wait} s`, { 'Retry-After': String(wait) });
      }
      const body = await readJson(req, limits.maxJsonBytes);
      const code = typeof body.code === 'string' ? normalizeJoinCode(body.code) : undefined;
      const room = code ? await rooms.findByJoinCode(code) : undefined;
      if (!room) {
        joinFailures.record(client, Date.now());
        log('http-refused', { reason: 'unknown join code' });
        throw new HttpError(404, 'no open room has this join code (check the 8 characters on the host\'s screen; the room may have closed)');
      }
      rooms.touch(room.roomId);
      log('room-joined', { room: room.roomId });
      return sendJson(res, 200, { roomId: room.roomId, secret: room.secret, caseId: room.caseId, expiresAt: new Date(rooms.expiresAt(room)).toISOString() });
    }
    if (first === 'rooms' && sub === undefined) {
      const room = await authorizedRoom(req, roomId);
      if (method === 'GET') return sendJson(res, 200, publicRoom(rooms, room));
      if (method === 'DELETE') {
        await rooms.close(room.roomId, 'closed by a member');
        return sendJson(res, 204, undefined);
      }
      throw new HttpError(405, 'a room answers GET and DELETE', { Allow: 'GET, DELETE' });
    }
    if (first === 'rooms' && sub === 'blobs' && sha256 !== undefined && rest.length === 0) {
      if (!SHA256_PATTERN.test(sha256)) throw new HttpError(400, 'a blob is named by its sha256: 64 lowercase hex digits');
      const room = await authorizedRoom(req, roomId);
      if (method === 'PUT') {
        const declared = Number(req.headers['content-length'] ?? NaN);
        if (declared > limits.maxBlobBytes) throw new HttpError(413, `blob above the limit of ${limits.maxBlobBytes} bytes`);
        const result = await rooms.blobs.put(room.roomId, sha256, req, { maxBytes: limits.maxBlobBytes, roomQuotaBytes: limits.maxRoomBlobBytes });
        if (!result.ok) {
          log('http-refused', { room: room.roomId, reason: `blob ${result.reason}` });
          if (result.reason === 'hash-mismatch') throw new HttpError(400, 'the sha256 of the bytes sent is not the one in the URL');
          if (result.reason === 'room-quota') throw new HttpError(413, `the room's blobs would exceed ${limits.maxRoomBlobBytes} bytes`);
          throw new HttpError(413, `blob above the limit of ${limits.maxBlobBytes} bytes`);
        }
        if (result.created) log('blob-stored', { room: room.roomId, bytes: result.bytes });
        return sendJson(res, result.created ? 201 : 200, { sha256, bytes: result.bytes });
      }
      if (method === 'GET') {
        const blob = await rooms.blobs.open(room.roomId, sha256);
        if (!blob) throw new HttpError(404, 'this room holds no blob with that sha256');
        res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': 'application/octet-stream', 'Content-Length': String(blob.size), ETag: `"${sha256}"` });
        blob.stream.pipe(res);
        return;
      }
      throw new HttpError(405, 'a blob answers PUT and GET', { Allow: 'PUT, GET' });
    }
    throw new HttpError(404, 'unknown team API path (see docs/team.md)');
  }

  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (!path.startsWith(API_PREFIX)) return false;
    const parts = path.slice(API_PREFIX.length).split('/').filter(Boolean).map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return '';
      }
    });
    route(req, res, parts).catch((error: unknown) => {
      if (error instanceof HttpError) {
        if (!res.headersSent) sendJson(res, error.status, { error: error.message }, error.headers);
        else res.destroy();
        // Drain what the client is still sending so it reads our answer instead of a reset.
        req.resume();
        return;
      }
      log('http-error', { reason: error instanceof Error ? error.name : 'unknown' });
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error of the team server' });
      else res.destroy();
    });
    return true;
  };
}
