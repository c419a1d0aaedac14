import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createFileDurably, fsyncDir, removeLeftovers, writeFileDurably } from './durable-file';
import type { FileLocks } from './file-lock';
import { JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH, newJoinCode, newRoomId, newRoomSecret, ROOM_ID_PATTERN } from './ids';

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

/** A room's file, `<dataDir>/rooms/<roomId>.json`: exactly these fields. */
interface RoomFile {
  room_id: string;
  case_id: string;
  secret: string;
  join_code: string;
  created_at: number;
  last_active_at: number;
}

const JOIN_CODE_PATTERN = new RegExp(`^[${JOIN_CODE_ALPHABET}]{${JOIN_CODE_LENGTH}}$`);

const toFile = (room: RoomRecord): RoomFile => ({
  room_id: room.roomId, case_id: room.caseId, secret: room.secret, join_code: room.joinCode,
  created_at: room.createdAt, last_active_at: room.lastActiveAt,
});

function fromFile(text: string): RoomRecord | undefined {
  try {
    const f = JSON.parse(text) as Partial<RoomFile>;
    if (typeof f.room_id !== 'string' || typeof f.case_id !== 'string' || typeof f.secret !== 'string' || typeof f.join_code !== 'string'
      || typeof f.created_at !== 'number' || typeof f.last_active_at !== 'number') return undefined;
    return { roomId: f.room_id, caseId: f.case_id, secret: f.secret, joinCode: f.join_code, createdAt: f.created_at, lastActiveAt: f.last_active_at };
  } catch {
    return undefined;
  }
}

const missing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * Room metadata in files of the data folder, shared by every server process that uses it (a code
 * made on one process joins on another):
 * - `rooms/<roomId>.json`, one file per room, replaced atomically (temp file, fsync, rename);
 * - `join-codes/<CODE>`, holding the room id: created exclusively, so two open rooms never share a code.
 * A room's changes (activity time, deletion) run under its lock file, so a late activity update
 * never brings a deleted room back. A room is written before its code and its code is deleted
 * before it, so a code always names a room that exists (or none, after a crash mid-way).
 */
export class RoomRegistry {
  private readonly roomsDir: string;
  private readonly codesDir: string;

  private constructor(dataDir: string, private readonly locks: FileLocks, private readonly ttlMs: number) {
    this.roomsDir = join(dataDir, 'rooms');
    this.codesDir = join(dataDir, 'join-codes');
  }

  static async open(dataDir: string, locks: FileLocks, ttlMs: number): Promise<RoomRegistry> {
    const registry = new RoomRegistry(dataDir, locks, ttlMs);
    await mkdir(registry.roomsDir, { recursive: true, mode: 0o700 });
    await mkdir(registry.codesDir, { recursive: true, mode: 0o700 });
    return registry;
  }

  private roomPath(roomId: string): string {
    return join(this.roomsDir, `${roomId}.json`);
  }

  private lockPath(roomId: string): string {
    return join(this.roomsDir, `${roomId}.lock`);
  }

  private codePath(code: string): string {
    return join(this.codesDir, code);
  }

  expiresAt(room: RoomRecord): number {
    return room.lastActiveAt + this.ttlMs;
  }

  async count(): Promise<number> {
    return (await this.allIds()).size;
  }

  async create(caseId: string, now: number): Promise<RoomRecord> {
    for (let attempt = 0; ; attempt++) {
      const room: RoomRecord = { roomId: newRoomId(), caseId, secret: newRoomSecret(), joinCode: newJoinCode(), createdAt: now, lastActiveAt: now };
      await writeFileDurably(this.roomPath(room.roomId), JSON.stringify(toFile(room)));
      try {
        await createFileDurably(this.codePath(room.joinCode), room.roomId);
        return room;
      } catch (error) {
        await rm(this.roomPath(room.roomId), { force: true });
        // A join code already in use by an open room (1 in ~10^12 per room): draw again.
        if (attempt < 5 && (error as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw error;
      }
    }
  }

  /** The room as stored, expired or not; undefined when there is none. */
  private async read(roomId: string): Promise<RoomRecord | undefined> {
    if (!ROOM_ID_PATTERN.test(roomId)) return undefined;
    const text = await readFile(this.roomPath(roomId), 'utf8').catch((error: unknown) => {
      if (missing(error)) return undefined;
      throw error;
    });
    const room = text === undefined ? undefined : fromFile(text);
    return room?.roomId === roomId ? room : undefined;
  }

  /** The open room, or undefined when it never existed, was closed or has expired. */
  async get(roomId: string, now: number): Promise<RoomRecord | undefined> {
    const room = await this.read(roomId);
    return room && this.expiresAt(room) > now ? room : undefined;
  }

  /** Whether the room is still stored (expired rooms too, until the sweep deletes them). */
  async exists(roomId: string): Promise<boolean> {
    return ROOM_ID_PATTERN.test(roomId) && (await stat(this.roomPath(roomId)).then(() => true, () => false));
  }

  async findByJoinCode(code: string, now: number): Promise<RoomRecord | undefined> {
    if (!JOIN_CODE_PATTERN.test(code)) return undefined;
    const roomId = await readFile(this.codePath(code), 'utf8').catch(() => '');
    const room = await this.get(roomId, now);
    return room?.joinCode === code ? room : undefined;
  }

  async touch(roomId: string, now: number): Promise<void> {
    if (!ROOM_ID_PATTERN.test(roomId)) return;
    await this.locks.run(this.lockPath(roomId), async () => {
      const room = await this.read(roomId);
      if (!room || room.lastActiveAt >= now) return;
      await writeFileDurably(this.roomPath(roomId), JSON.stringify(toFile({ ...room, lastActiveAt: now })));
    });
  }

  /** Deletes the room (when `onlyIfExpiredAt` is given: only if it has expired by then); true when it was deleted here. */
  async delete(roomId: string, onlyIfExpiredAt?: number): Promise<boolean> {
    if (!ROOM_ID_PATTERN.test(roomId)) return false;
    return this.locks.run(this.lockPath(roomId), async () => {
      const room = await this.read(roomId);
      if (!room) return false;
      if (onlyIfExpiredAt !== undefined && this.expiresAt(room) > onlyIfExpiredAt) return false;
      const codeHolder = await readFile(this.codePath(room.joinCode), 'utf8').catch(() => undefined);
      if (codeHolder === roomId) {
        await rm(this.codePath(room.joinCode), { force: true });
        await fsyncDir(this.codesDir);
      }
      await rm(this.roomPath(roomId), { force: true });
      await fsyncDir(this.roomsDir);
      return true;
    });
  }

  async expiredIds(now: number): Promise<string[]> {
    const expired: string[] = [];
    for (const roomId of await this.allIds()) {
      const room = await this.read(roomId).catch(() => undefined);
      if (room && this.expiresAt(room) <= now) expired.push(roomId);
    }
    return expired;
  }

  async allIds(): Promise<Set<string>> {
    const files = await readdir(this.roomsDir);
    return new Set(files.filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length)).filter((id) => ROOM_ID_PATTERN.test(id)));
  }

  /** Removes temp files older than `ageMs` that a crashed writer left behind. */
  async removeLeftovers(ageMs: number): Promise<void> {
    await removeLeftovers(this.roomsDir, ageMs);
    await removeLeftovers(this.codesDir, ageMs);
  }
}
