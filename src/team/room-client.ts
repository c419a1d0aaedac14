/**
 * The HTTP side of a team room, over an injected fetch (the browser's, or a test's): open a room,
 * join by code, read or close it, and move the case package's blobs. The room secret travels only
 * in the Authorization header, never in a URL. Every refusal becomes a {@link RoomError} whose
 * message a user can act on.
 */

export interface RoomTicket {
  roomId: string;
  /** Authorises the WebSocket and every HTTP call of the room. Never log it. */
  secret: string;
  /** ISO 8601 time after which the server deletes the room and its blobs. */
  expiresAt: string;
}

export interface CreatedRoom extends RoomTicket {
  /** Short code others type to join. */
  joinCode: string;
}

export interface JoinedRoom extends RoomTicket {
  caseId: string;
}

/** What GET /api/team/rooms/:id answers; fields beyond these are kept as they came. */
export interface RoomInfo {
  roomId: string;
  caseId: string;
  expiresAt: string;
  [key: string]: unknown;
}

export type RoomErrorKind = 'unauthorized' | 'forbidden' | 'not-found' | 'rate-limited' | 'too-large' | 'bad-request' | 'server' | 'network' | 'bad-response';

export class RoomError extends Error {
  constructor(readonly kind: RoomErrorKind, message: string, readonly status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RoomError';
  }
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface RoomClientOptions {
  /** Origin of the HoloCT server, e.g. "https://192.168.1.20:8443"; '' = same origin (browser). */
  baseUrl?: string;
  fetch?: FetchLike;
}

const ROOM_ID = /^[A-Za-z0-9_-]{1,128}$/;
const SHA256 = /^[0-9a-f]{64}$/;

export class RoomClient {
  private readonly base: string;
  private readonly fetchFn: FetchLike;

  constructor(options: RoomClientOptions = {}) {
    this.base = (options.baseUrl ?? '').replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** Opens a room for the case on show; the caller is its host. */
  async createRoom(caseId: string): Promise<CreatedRoom> {
    const body = await this.json('open a team session', 'POST', '/api/team/rooms', undefined, { caseId });
    return expectFields(body, ['roomId', 'secret', 'joinCode', 'expiresAt'], 'open a team session') as unknown as CreatedRoom;
  }

  /** Exchanges a join code for the room's id and secret. */
  async join(code: string): Promise<JoinedRoom> {
    const trimmed = code.replace(/[\s-]+/g, '').toUpperCase();
    if (!trimmed) throw new RoomError('bad-request', 'Type the join code shown on the host\'s screen.');
    const body = await this.json(`join with code ${trimmed}`, 'POST', '/api/team/join', undefined, { code: trimmed });
    return expectFields(body, ['roomId', 'secret', 'caseId', 'expiresAt'], `join with code ${trimmed}`) as unknown as JoinedRoom;
  }

  async getRoom(roomId: string, secret: string): Promise<RoomInfo> {
    const body = await this.json('read the team session', 'GET', roomPath(roomId), secret);
    return expectFields(body, ['roomId', 'caseId', 'expiresAt'], 'read the team session') as unknown as RoomInfo;
  }

  /** Ends the room for everyone; the server deletes its document and blobs. */
  async closeRoom(roomId: string, secret: string): Promise<void> {
    await this.request('end the team session', 'DELETE', roomPath(roomId), secret);
  }

  async putBlob(roomId: string, secret: string, sha256: string, bytes: Uint8Array): Promise<void> {
    await this.request(`upload case data (${bytes.length} bytes)`, 'PUT', blobPath(roomId, sha256), secret, bytes);
  }

  async getBlob(roomId: string, secret: string, sha256: string): Promise<Uint8Array> {
    const response = await this.request('download case data', 'GET', blobPath(roomId, sha256), secret);
    return new Uint8Array(await response.arrayBuffer());
  }

  private async json(what: string, method: string, path: string, secret?: string, body?: unknown): Promise<Record<string, unknown>> {
    const response = await this.request(what, method, path, secret, body === undefined ? undefined : JSON.stringify(body));
    try {
      const value: unknown = await response.json();
      if (typeof value !== 'object' || value === null) throw new Error('not an object');
      return value as Record<string, unknown>;
    } catch (error) {
      throw new RoomError('bad-response', `Could not ${what}: the server's answer is not the expected JSON.`, response.status, { cause: error });
    }
  }

  private async request(what: string, method: string, path: string, secret?: string, body?: string | Uint8Array): Promise<Response> {
    const headers: Record<string, string> = {};
    if (secret !== undefined) headers.Authorization = `Bearer ${secret}`;
    if (typeof body === 'string') headers['Content-Type'] = 'application/json';
    else if (body) headers['Content-Type'] = 'application/octet-stream';
    let response: Response;
    try {
      response = await this.fetchFn(this.base + path, { method, headers, body: body as BodyInit | undefined, cache: 'no-store' });
    } catch (error) {
      throw new RoomError('network', `Could not ${what}: the HoloCT server ${this.base || 'of this page'} cannot be reached (${(error as Error).message}).`, undefined, { cause: error });
    }
    if (response.ok) return response;
    throw await refusal(what, response);
  }
}

/** A RoomError for a non-2xx answer, with the server's own reason when it gave one. */
async function refusal(what: string, response: Response): Promise<RoomError> {
  let reason = '';
  try {
    const text = (await response.text()).slice(0, 300);
    try {
      const j = JSON.parse(text) as { error?: unknown; message?: unknown };
      reason = String(j.error ?? j.message ?? '');
    } catch {
      reason = text;
    }
  } catch {
    // no body
  }
  const suffix = reason ? ` (server: ${reason.trim()})` : '';
  const s = response.status;
  const retry = response.headers.get('Retry-After');
  const [kind, text]: [RoomErrorKind, string] =
    s === 401 ? ['unauthorized', 'the room secret is missing or wrong: open the join link again or ask the host for a new code']
    : s === 403 ? ['forbidden', 'the server refused it']
    : s === 404 || s === 410 ? ['not-found', 'no such session: the code is wrong, or the session has ended or expired']
    : s === 429 ? ['rate-limited', `too many attempts: wait ${retry ? `${retry} s` : 'a minute'} and try again`]
    : s === 413 ? ['too-large', 'the server refused the data as too large for a session']
    : s >= 400 && s < 500 ? ['bad-request', `the server refused the request (HTTP ${s})`]
    : ['server', `the server failed (HTTP ${s}): try again, or restart it`];
  return new RoomError(kind, `Could not ${what}: ${text}${suffix}.`, s);
}

function expectFields(body: Record<string, unknown>, keys: string[], what: string): Record<string, unknown> {
  for (const k of keys) {
    if (typeof body[k] !== 'string' || !(body[k] as string).length) throw new RoomError('bad-response', `Could not ${what}: the server's answer has no "${k}".`);
  }
  if (!ROOM_ID.test(body.roomId as string)) throw new RoomError('bad-response', `Could not ${what}: the server sent an invalid room id.`);
  return body;
}

function roomPath(roomId: string): string {
  if (!ROOM_ID.test(roomId)) throw new RoomError('bad-request', `"${roomId.slice(0, 40)}" is not a room id.`);
  return `/api/team/rooms/${roomId}`;
}

function blobPath(roomId: string, sha256: string): string {
  if (!SHA256.test(sha256)) throw new RoomError('bad-request', `"${sha256.slice(0, 70)}" is not a sha256.`);
  return `${roomPath(roomId)}/blobs/${sha256}`;
}
