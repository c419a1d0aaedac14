import * as decoding from 'lib0/decoding';
import type { WebSocket } from 'ws';
import { ROOM_ID_PATTERN } from './ids';
import type { TeamLimits } from './limits';
import type { TeamLog } from './log';
import { TokenBucket } from './token-bucket';

/** Hocuspocus message types a client may send (Sync … SyncStatus in @hocuspocus/server's MessageType). */
const LAST_MESSAGE_TYPE = 8;
/** Documents one WebSocket may multiplex (a member needs one room; spare for a reconnect overlap). */
const MAX_ROOMS_PER_SOCKET = 4;

export interface SocketGuardOptions {
  limits: TeamLimits;
  log: TeamLog;
  /** Called for every accepted message with the room it names (keeps the room alive). */
  onRoomMessage: (roomId: string) => void;
  now?: () => number;
}

/**
 * Sits between a client's WebSocket and Hocuspocus: every incoming frame passes the per-connection
 * limits (binary only, size, message and byte rate, a well-formed Hocuspocus header naming a room)
 * before Hocuspocus sees it. A frame that fails is dropped, logged (room, size, reason: never its
 * content) and the connection is closed; the client's provider reconnects and resyncs, so no edit
 * is lost, and the other connections are untouched.
 *
 * It wraps this one socket's `emit('message')` because ws has no way to veto a message before the
 * listeners Hocuspocus attaches to it.
 */
export function guardSocket(socket: WebSocket, options: SocketGuardOptions): void {
  const { limits, log, onRoomMessage } = options;
  const now = options.now ?? Date.now;
  const messages = new TokenBucket(limits.messageBurst, limits.messagesPerSecond, now());
  const bytes = new TokenBucket(limits.bytesPerSecond * 2, limits.bytesPerSecond, now());
  const rooms = new Set<string>();
  // Hocuspocus re-emits messages it queued before authentication: count each frame once.
  const accepted = new WeakSet<object>();
  let closed = false;

  const refuse = (code: number, reason: string, size: number, room?: string) => {
    if (!closed) log('ws-refused', { reason, bytes: size, room });
    closed = true;
    socket.close(code, reason);
  };

  socket.on('error', (error: Error & { code?: string }) => {
    // ws closes the socket itself (1009 for a frame above maxPayload, 1002 for a broken frame).
    const reason = error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'message too large' : `socket error ${error.code ?? 'unknown'}`;
    log('ws-refused', { reason });
    closed = true;
  });

  const emit = socket.emit.bind(socket);
  socket.emit = ((event: string | symbol, ...args: unknown[]): boolean => {
    if (event !== 'message') return emit(event, ...args);
    const data = args[0];
    if (data instanceof Uint8Array && accepted.has(data)) return emit(event, ...args);
    if (closed) return false;
    if (!(data instanceof Uint8Array) || args[1] === false) {
      refuse(1003, 'text or fragmented frame', 0);
      return false;
    }
    const size = data.byteLength;
    if (size > limits.maxMessageBytes) {
      refuse(1009, 'message too large', size);
      return false;
    }
    const t = now();
    if (!messages.take(1, t) || !bytes.take(size, t)) {
      refuse(1008, 'message rate limit exceeded', size);
      return false;
    }
    const room = roomOf(data);
    if (room === undefined) {
      refuse(1003, 'malformed message', size);
      return false;
    }
    rooms.add(room);
    if (rooms.size > MAX_ROOMS_PER_SOCKET) {
      refuse(1008, 'too many rooms on one connection', size, room);
      return false;
    }
    accepted.add(data);
    onRoomMessage(room);
    return emit(event, ...args);
  }) as typeof socket.emit;
}

/** The room id a Hocuspocus frame is addressed to, or undefined when the header is not well formed. */
export function roomOf(frame: Uint8Array): string | undefined {
  try {
    const decoder = decoding.createDecoder(frame);
    const name = decoding.readVarString(decoder);
    const type = decoding.readVarUint(decoder);
    return ROOM_ID_PATTERN.test(name) && type <= LAST_MESSAGE_TYPE ? name : undefined;
  } catch {
    return undefined;
  }
}
