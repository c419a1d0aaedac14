import { mkdir } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import { Hocuspocus, type Extension } from '@hocuspocus/server';
import { Redis } from '@hocuspocus/extension-redis';
import { WebSocketServer } from 'ws';
import { AwarenessCoalescer, DEFAULT_PRESENCE_TICK_MS } from './awareness-coalescer';
import { BlobStore } from './blob-store';
import { TeamDocumentStore } from './document-store';
import { FileLocks } from './file-lock';
import { createHttpApi, type RoomsForHttp } from './http-api';
import { secretsEqual } from './ids';
import { DEFAULT_ROOM_TTL_MS, DEFAULT_TEAM_LIMITS, type TeamLimits } from './limits';
import { createStderrLog, type TeamLog } from './log';
import { CoalescingRedis } from './redis-presence';
import { RoomRegistry } from './room-registry';
import { guardSocket } from './socket-guard';

/** Temp files a crashed writer left in the data folder are removed after this long. */
const LEFTOVER_AGE_MS = 10 * 60_000;

/** The WebSocket path of the sync server on the app's origin. */
export const SYNC_PATH = '/sync';

export interface TeamServerOptions {
  /** Folder for `rooms/`, `join-codes/`, `documents/` and `blobs/`; processes that share it (on one host) share the rooms. */
  dataDir: string;
  /** Redis for scale-out (Hocuspocus' Redis extension relays updates and presence between processes). */
  redis?: { host: string; port: number };
  /** Rooms and all they hold are deleted after this long without activity (default 12 h). */
  roomTtlMs?: number;
  limits?: Partial<TeamLimits>;
  /** How often expired rooms are swept (default: a quarter of the TTL, at most a minute). */
  sweepIntervalMs?: number;
  /**
   * Presence (awareness) is relayed to a room's members once per tick of this many ms, all changes
   * since the last tick in one message (default 20 ms). 0: each change at once, Hocuspocus' own
   * relay (one message per change per member: for comparison in the benchmark).
   */
  presenceTickMs?: number;
  log?: TeamLog;
}

export interface TeamServer {
  /** Answers requests under /api/team/; false (untouched) for any other path. */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean;
  /** Takes WebSocket upgrades of /sync; false (untouched) for any other path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Closes every connection, stores open documents, stops the sweep and waits for writes in flight. */
  close(): Promise<void>;
}

/** An error Hocuspocus turns into a permission-denied message whose reason the client sees. */
function refusal(reason: string): Error & { reason: string } {
  return Object.assign(new Error(reason), { reason });
}

/**
 * The team sync server: Hocuspocus (Yjs) on WebSocket path /sync, one document per room named by
 * the room id and authorised by the room secret, persisted in append-only files, relayed through Redis when
 * configured; the rooms' HTTP API; and the sweep that deletes expired rooms with everything in them.
 * It owns no listening socket: `scripts/serve-app.ts` attaches it to the app's HTTPS server and
 * `src/server/main.ts` to a server of its own.
 */
export async function createTeamServer(options: TeamServerOptions): Promise<TeamServer> {
  const limits: TeamLimits = { ...DEFAULT_TEAM_LIMITS, ...options.limits };
  const ttlMs = options.roomTtlMs ?? DEFAULT_ROOM_TTL_MS;
  const log = options.log ?? createStderrLog();
  await mkdir(join(options.dataDir, 'blobs'), { recursive: true, mode: 0o700 });
  await mkdir(join(options.dataDir, 'documents'), { recursive: true, mode: 0o700 });

  const locks = new FileLocks();
  const registry = await RoomRegistry.open(options.dataDir, locks, ttlMs);
  const isLive = async (roomId: string) => (await registry.get(roomId, Date.now())) !== undefined;
  const documents = new TeamDocumentStore(join(options.dataDir, 'documents'), locks, isLive);
  const blobs = new BlobStore(join(options.dataDir, 'blobs'));

  const presenceTickMs = options.presenceTickMs ?? DEFAULT_PRESENCE_TICK_MS;
  const presenceError = () => log('presence-error', { reason: 'awareness update not relayed' });
  const extensions: Extension[] = [documents];
  if (presenceTickMs > 0) extensions.unshift(new AwarenessCoalescer(presenceTickMs, presenceError));
  if (options.redis) {
    const redis = { host: options.redis.host, port: options.redis.port, prefix: 'holoct-team' };
    extensions.push(presenceTickMs > 0 ? new CoalescingRedis(redis, presenceTickMs, presenceError) : new Redis(redis));
  }

  const hocuspocus = new Hocuspocus({
    quiet: true,
    // Store soon after a change: a killed process loses at most ~0.5 s that no client still holds.
    debounce: 500,
    maxDebounce: 2000,
    extensions,
    async onAuthenticate({ token, documentName }) {
      const room = await registry.get(documentName, Date.now());
      const reason = !room ? 'no open room with this id (it was closed or has expired)' : !token ? 'missing room secret' : !secretsEqual(token, room.secret) ? 'wrong room secret' : undefined;
      if (reason) {
        log('ws-refused', { room: documentName, reason });
        throw refusal(reason);
      }
    },
  });

  const lastTouched = new Map<string, number>();
  const touchEveryMs = Math.min(5000, ttlMs / 10);
  const touch = (roomId: string) => {
    const now = Date.now();
    if (now - (lastTouched.get(roomId) ?? 0) < touchEveryMs) return;
    lastTouched.set(roomId, now);
    registry.touch(roomId, now).catch(() => log('store-error', { room: roomId, reason: 'cannot record room activity' }));
  };

  const kickMembers = (roomId: string, reason: string) => {
    hocuspocus.documents.get(roomId)?.connections.forEach(({ connection }) => connection.close({ code: 4403, reason }));
  };

  /** Deletes the room and all it holds; `expiredAt`: only if it has expired by then (another process may have seen activity since). */
  const closeRoom = async (roomId: string, reason: string, expiredAt?: number) => {
    if (!(await registry.delete(roomId, expiredAt)) && expiredAt !== undefined) return;
    lastTouched.delete(roomId);
    kickMembers(roomId, 'room closed or expired');
    await documents.deleteDocument(roomId);
    await blobs.deleteRoom(roomId);
    log('room-closed', { room: roomId, reason });
  };

  const rooms: RoomsForHttp = {
    open: async (caseId) => ((await registry.count()) >= limits.maxRooms ? 'full' : registry.create(caseId, Date.now())),
    get: (roomId) => registry.get(roomId, Date.now()),
    findByJoinCode: (code) => registry.findByJoinCode(code, Date.now()),
    touch,
    close: closeRoom,
    expiresAt: (room) => registry.expiresAt(room),
    blobs,
  };
  const handleRequest = createHttpApi(rooms, limits, log);

  let sweeping = false;
  const sweep = async () => {
    if (sweeping) return;
    sweeping = true;
    try {
      const now = Date.now();
      // A room with members connected here is active even when nobody edits.
      for (const [roomId, document] of hocuspocus.documents) if (document.getConnectionsCount() > 0) await registry.touch(roomId, now);
      for (const roomId of await registry.expiredIds(now)) await closeRoom(roomId, 'expired', now);
      // Rooms another process sharing the data folder has closed: drop their members, blobs and documents here too.
      const live = await registry.allIds();
      for (const roomId of hocuspocus.documents.keys()) if (!live.has(roomId)) kickMembers(roomId, 'room closed or expired');
      for (const roomId of await blobs.roomIds()) if (!live.has(roomId)) await blobs.deleteRoom(roomId);
      await documents.deleteOrphans((roomId) => registry.exists(roomId));
      await registry.removeLeftovers(LEFTOVER_AGE_MS);
    } catch (error) {
      log('sweep-error', { reason: error instanceof Error ? error.name : 'unknown' });
    } finally {
      sweeping = false;
    }
  };
  const sweepTimer = setInterval(sweep, options.sweepIntervalMs ?? Math.max(100, Math.min(60_000, ttlMs / 4)));
  sweepTimer.unref();

  const webSockets = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes });

  return {
    handleRequest,
    handleUpgrade(req, socket, head) {
      if ((req.url ?? '').split('?')[0] !== SYNC_PATH) return false;
      webSockets.handleUpgrade(req, socket, head, (ws) => {
        guardSocket(ws, { limits, log, onRoomMessage: touch });
        hocuspocus.handleConnection(ws, req);
      });
      return true;
    },
    async close() {
      clearInterval(sweepTimer);
      hocuspocus.closeConnections();
      webSockets.clients.forEach((ws) => ws.terminate());
      const deadline = Date.now() + 3000;
      while (hocuspocus.getDocumentsCount() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await hocuspocus.hooks('onDestroy', { instance: hocuspocus });
      await locks.drain();
      await new Promise<void>((resolve) => webSockets.close(() => resolve()));
    },
  };
}
