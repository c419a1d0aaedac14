import { newJoinCode, newRoomId, newRoomSecret } from './ids';
import type { SqliteFile } from './sqlite';

/**
 * What the server keeps about a room: the case id (the volume's voxelSha256 + model id, never a
 * patient identifier), its random ids and secret, and times. Nothing else a client sends is stored.
 */
export interface RoomRecord {
  roomId: string;
  caseId: string;
  secret: string;
  joinCode: string;
  /** ms since the epoch */
  createdAt: number;
  /** ms since the epoch: the last HTTP call, WebSocket message or connected member */
  lastActiveAt: number;
}

interface RoomRow {
  room_id: string;
  case_id: string;
  secret: string;
  join_code: string;
  created_at: number;
  last_active_at: number;
}

export const ROOMS_SCHEMA = `CREATE TABLE IF NOT EXISTS rooms (
  room_id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL,
  secret TEXT NOT NULL,
  join_code TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  last_active_at INTEGER NOT NULL
)`;

const toRecord = (row: RoomRow): RoomRecord => ({
  roomId: row.room_id, caseId: row.case_id, secret: row.secret, joinCode: row.join_code,
  createdAt: row.created_at, lastActiveAt: row.last_active_at,
});

/**
 * Room metadata in the `rooms` table of the data folder's SQLite file. Every server process that
 * shares the data folder sees the same rooms, so a code made on one process joins on another.
 */
export class RoomRegistry {
  private constructor(private readonly sql: SqliteFile, private readonly ttlMs: number) {}

  static async open(sql: SqliteFile, ttlMs: number): Promise<RoomRegistry> {
    await sql.run(ROOMS_SCHEMA);
    return new RoomRegistry(sql, ttlMs);
  }

  expiresAt(room: RoomRecord): number {
    return room.lastActiveAt + this.ttlMs;
  }

  async count(): Promise<number> {
    return (await this.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM rooms'))?.n ?? 0;
  }

  async create(caseId: string, now: number): Promise<RoomRecord> {
    for (let attempt = 0; ; attempt++) {
      const room: RoomRecord = { roomId: newRoomId(), caseId, secret: newRoomSecret(), joinCode: newJoinCode(), createdAt: now, lastActiveAt: now };
      try {
        await this.sql.run(
          'INSERT INTO rooms (room_id, case_id, secret, join_code, created_at, last_active_at) VALUES (?, ?, ?, ?, ?, ?)',
          [room.roomId, room.caseId, room.secret, room.joinCode, room.createdAt, room.lastActiveAt],
        );
        return room;
      } catch (error) {
        // A join code already in use by an open room (1 in ~10^12 per room): draw again.
        if (attempt < 5 && String(error).includes('UNIQUE')) continue;
        throw error;
      }
    }
  }

  /** The open room, or undefined when it never existed, was closed or has expired. */
  async get(roomId: string, now: number): Promise<RoomRecord | undefined> {
    const row = await this.sql.get<RoomRow>('SELECT * FROM rooms WHERE room_id = ?', [roomId]);
    return row && row.last_active_at + this.ttlMs > now ? toRecord(row) : undefined;
  }

  async findByJoinCode(code: string, now: number): Promise<RoomRecord | undefined> {
    const row = await this.sql.get<RoomRow>('SELECT * FROM rooms WHERE join_code = ?', [code]);
    return row && row.last_active_at + this.ttlMs > now ? toRecord(row) : undefined;
  }

  async touch(roomId: string, now: number): Promise<void> {
    await this.sql.run('UPDATE rooms SET last_active_at = MAX(last_active_at, ?) WHERE room_id = ?', [now, roomId]);
  }

  async delete(roomId: string): Promise<boolean> {
    return (await this.sql.run('DELETE FROM rooms WHERE room_id = ?', [roomId])) > 0;
  }

  async expiredIds(now: number): Promise<string[]> {
    const rows = await this.sql.all<{ room_id: string }>('SELECT room_id FROM rooms WHERE last_active_at + ? <= ?', [this.ttlMs, now]);
    return rows.map((r) => r.room_id);
  }

  async allIds(): Promise<Set<string>> {
    const rows = await this.sql.all<{ room_id: string }>('SELECT room_id FROM rooms');
    return new Set(rows.map((r) => r.room_id));
  }
}
