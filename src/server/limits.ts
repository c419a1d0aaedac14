/** Limits of one team server. Every field has a default (DEFAULT_TEAM_LIMITS); tests and `main.ts` override some. */
export interface TeamLimits {
  /** Largest WebSocket frame a client may send, bytes; a larger one closes that connection (1009). */
  maxMessageBytes: number;
  /** Sustained WebSocket messages per second per connection (token bucket refill rate). */
  messagesPerSecond: number;
  /** Burst of WebSocket messages a connection may send at once (token bucket capacity). */
  messageBurst: number;
  /** Sustained bytes per second per connection; the bucket holds `bytesPerSecond * 2` for bursts. */
  bytesPerSecond: number;
  /** Largest payload blob, bytes. */
  maxBlobBytes: number;
  /** All blobs of one room together, bytes. */
  maxRoomBlobBytes: number;
  /** Open rooms at once (a LAN client cannot fill the disk with rooms). */
  maxRooms: number;
  /** Rooms one IP may open per `roomOpenWindowMs` (with maxRooms, keeps one client from using up the server). */
  roomOpensPerWindow: number;
  roomOpenWindowMs: number;
  /** Wrong join codes one IP may try per `joinFailureWindowMs` before it gets 429. */
  joinFailuresPerWindow: number;
  joinFailureWindowMs: number;
  /** Largest JSON request body, bytes. */
  maxJsonBytes: number;
}

export const DEFAULT_TEAM_LIMITS: TeamLimits = {
  maxMessageBytes: 2 * 1024 * 1024,
  messagesPerSecond: 200,
  messageBurst: 400,
  bytesPerSecond: 8 * 1024 * 1024,
  maxBlobBytes: 512 * 1024 * 1024,
  maxRoomBlobBytes: 2 * 1024 * 1024 * 1024,
  maxRooms: 1000,
  roomOpensPerWindow: 30,
  roomOpenWindowMs: 10 * 60_000,
  joinFailuresPerWindow: 10,
  joinFailureWindowMs: 60_000,
  maxJsonBytes: 4096,
};

/** Rooms and everything they hold are deleted after this much time without activity: 12 h. */
export const DEFAULT_ROOM_TTL_MS = 12 * 60 * 60 * 1000;
