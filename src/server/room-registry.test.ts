import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileLocks } from './file-lock';
import { RoomRegistry } from './room-registry';

const TTL = 1000;
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'holoct-rooms-'));
  dirs.push(dir);
  return dir;
}

describe('RoomRegistry (files)', () => {
  it('stores a room as one JSON file with exactly its six fields, and its join code as a file naming it', async () => {
    const dir = dataDir();
    const rooms = await RoomRegistry.open(dir, new FileLocks(), TTL);
    const room = await rooms.create('voxels-9a8b:model-2', 5000);
    const stored = JSON.parse(readFileSync(join(dir, 'rooms', `${room.roomId}.json`), 'utf8')) as Record<string, unknown>;
    expect(stored).toEqual({ room_id: room.roomId, case_id: 'voxels-9a8b:model-2', secret: room.secret, join_code: room.joinCode, created_at: 5000, last_active_at: 5000 });
    expect(readFileSync(join(dir, 'join-codes', room.joinCode), 'utf8')).toBe(room.roomId);
    expect(readdirSync(join(dir, 'rooms'))).toEqual([`${room.roomId}.json`]);
  });

  it('is shared by two registries on one folder (two processes): found by id and code, expired after the TTL', async () => {
    const dir = dataDir();
    const [a, b] = [await RoomRegistry.open(dir, new FileLocks(), TTL), await RoomRegistry.open(dir, new FileLocks(), TTL)];
    const room = await a.create('a:b', 5000);
    expect(await b.get(room.roomId, 5999)).toEqual(room);
    expect(await b.findByJoinCode(room.joinCode, 5999)).toEqual(room);
    expect(await b.get(room.roomId, 6000)).toBeUndefined();
    expect(await b.findByJoinCode('AAAAAAAA', 5000)).toBeUndefined();
    expect(await b.findByJoinCode('../rooms', 5000)).toBeUndefined();
    expect(await b.get('../../etc/passwd', 5000)).toBeUndefined();
    expect(await b.count()).toBe(1);
  });

  it('activity moves the expiry forward, never back; an expired room is listed and deleted only if still expired', async () => {
    const rooms = await RoomRegistry.open(dataDir(), new FileLocks(), TTL);
    const room = await rooms.create('a:b', 5000);
    await rooms.touch(room.roomId, 5800);
    await rooms.touch(room.roomId, 5200);
    expect((await rooms.get(room.roomId, 6500))?.lastActiveAt).toBe(5800);
    expect(await rooms.expiredIds(6800)).toEqual([room.roomId]);
    expect(await rooms.delete(room.roomId, 6700)).toBe(false);
    expect(await rooms.delete(room.roomId, 6800)).toBe(true);
    expect(await rooms.exists(room.roomId)).toBe(false);
  });

  it('a deleted room stays deleted: its code is gone and a late activity update does not bring it back', async () => {
    const dir = dataDir();
    const rooms = await RoomRegistry.open(dir, new FileLocks(), TTL);
    const room = await rooms.create('a:b', 5000);
    await Promise.all([rooms.delete(room.roomId), rooms.touch(room.roomId, 5500)]);
    await rooms.touch(room.roomId, 5600);
    expect(await rooms.get(room.roomId, 5700)).toBeUndefined();
    expect(await rooms.findByJoinCode(room.joinCode, 5700)).toBeUndefined();
    expect(readdirSync(join(dir, 'rooms'))).toEqual([]);
    expect(readdirSync(join(dir, 'join-codes'))).toEqual([]);
    expect(await rooms.delete(room.roomId)).toBe(false);
  });
});
