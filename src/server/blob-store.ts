import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';

export type PutBlobResult =
  | { ok: true; created: boolean; bytes: number }
  | { ok: false; reason: 'too-large' | 'room-quota' | 'hash-mismatch' };

/**
 * Content-addressed room payloads (meshes, label map, volume) under `<dataDir>/blobs/<roomId>/<sha256>`.
 * The server streams the bytes to a temporary file while hashing them, keeps the file only if its
 * sha256 is the one named in the URL, and never parses it.
 */
export class BlobStore {
  constructor(private readonly root: string) {}

  private roomDir(roomId: string): string {
    return join(this.root, roomId);
  }

  async roomBytes(roomId: string): Promise<number> {
    const dir = this.roomDir(roomId);
    const names = await readdir(dir).catch(() => [] as string[]);
    let total = 0;
    for (const name of names) total += (await stat(join(dir, name)).catch(() => ({ size: 0 }))).size;
    return total;
  }

  async put(roomId: string, sha256: string, body: Readable, limits: { maxBytes: number; roomQuotaBytes: number }): Promise<PutBlobResult> {
    const dir = this.roomDir(roomId);
    const final = join(dir, sha256);
    const existing = await stat(final).catch(() => undefined);
    if (existing) {
      body.resume();
      return { ok: true, created: false, bytes: existing.size };
    }
    const allowed = Math.min(limits.maxBytes, limits.roomQuotaBytes - (await this.roomBytes(roomId)));
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `.${randomBytes(8).toString('hex')}.part`);
    const hash = createHash('sha256');
    let bytes = 0;
    // Past the limit the rest is read and dropped (not an error), so the client still gets the 413.
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        if (bytes > allowed) return done();
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, meter, createWriteStream(temp));
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    if (bytes > allowed) {
      await rm(temp, { force: true });
      return { ok: false, reason: allowed < limits.maxBytes ? 'room-quota' : 'too-large' };
    }
    if (hash.digest('hex') !== sha256) {
      await rm(temp, { force: true });
      return { ok: false, reason: 'hash-mismatch' };
    }
    await rename(temp, final);
    return { ok: true, created: true, bytes };
  }

  async open(roomId: string, sha256: string): Promise<{ size: number; stream: ReadStream } | undefined> {
    const file = join(this.roomDir(roomId), sha256);
    const info = await stat(file).catch(() => undefined);
    if (!info) return undefined;
    return { size: info.size, stream: createReadStream(file) };
  }

  async deleteRoom(roomId: string): Promise<void> {
    await rm(this.roomDir(roomId), { recursive: true, force: true });
  }

  /** Room folders on disk (to delete those of rooms another process closed). */
  async roomIds(): Promise<string[]> {
    return readdir(this.root).catch(() => []);
  }
}
