import { Database } from '@hocuspocus/extension-database';
import type { afterUnloadDocumentPayload } from '@hocuspocus/server';
import * as Y from 'yjs';
import { removeLeftovers } from './durable-file';
import type { FileLocks } from './file-lock';
import { ROOM_ID_PATTERN } from './ids';
import { UpdateLogs } from './update-log';

/** A log is compacted once it is this large and twice the document's size. */
const COMPACT_MIN_BYTES = 64 * 1024;
/** Temp files a crash left behind (an atomic write or a lock being taken) are removed after this long. */
const LEFTOVER_AGE_MS = 10 * 60_000;

/**
 * Each room's Yjs document, persisted by Hocuspocus' database extension (its fetch/store hooks) in
 * an append-only log per room (`<dataDir>/documents/<roomId>.ylog`, see update-log.ts):
 * - a store appends what changed since this process's last append (a Yjs diff against the state
 *   vector of what it appended), fsynced; updates are a union, so two processes appending to one
 *   room's log (scale-out) never overwrite each other;
 * - a fetch merges every intact record; the log is compacted to one record when it grows;
 * - nothing is stored for a room that is closed or expired (`isLive`); `deleteDocument` removes a
 *   closed room's log.
 */
export class TeamDocumentStore extends Database {
  private readonly logs: UpdateLogs;
  /** Per loaded room: the state vector of what this process knows is in the room's log. */
  private readonly inLog = new Map<string, Uint8Array>();

  constructor(private readonly dir: string, locks: FileLocks, isLive: (roomId: string) => Promise<boolean>) {
    super({});
    this.logs = new UpdateLogs(dir, locks);
    this.configuration.fetch = async ({ documentName }) => {
      if (!ROOM_ID_PATTERN.test(documentName)) return null;
      const stored = await this.logs.read(documentName);
      // Everything below this state vector is in the log (it counts only gap-free runs of each client).
      this.inLog.set(documentName, stored ? Y.encodeStateVectorFromUpdate(stored) : Y.encodeStateVector(new Y.Doc()));
      return stored;
    };
    this.configuration.store = async ({ documentName, document, state }) => {
      if (!ROOM_ID_PATTERN.test(documentName) || !(await isLive(documentName))) return;
      // Taken together, synchronously: the diff holds every change past `known`, so after the append
      // the log holds everything below `reached`.
      const known = this.inLog.get(documentName);
      const diff = known ? Y.encodeStateAsUpdate(document, known) : state;
      const reached = Y.encodeStateVector(document);
      await this.logs.append(documentName, diff, Math.max(COMPACT_MIN_BYTES, 2 * state.length));
      this.inLog.set(documentName, reached);
    };
  }

  async afterUnloadDocument({ documentName }: afterUnloadDocumentPayload): Promise<void> {
    this.inLog.delete(documentName);
  }

  async deleteDocument(roomId: string): Promise<void> {
    this.inLog.delete(roomId);
    if (ROOM_ID_PATTERN.test(roomId)) await this.logs.delete(roomId);
  }

  /**
   * Deletes the logs of rooms that no longer exist (closed on another process, or a store that
   * raced the close) and temp files a crash left behind. `exists` is asked per log, just before
   * deleting it: a room id is never reused, so a room gone then stays gone.
   */
  async deleteOrphans(exists: (roomId: string) => Promise<boolean>): Promise<number> {
    let deleted = 0;
    for (const roomId of await this.logs.names()) {
      if (!ROOM_ID_PATTERN.test(roomId) || (await exists(roomId))) continue;
      await this.deleteDocument(roomId);
      deleted++;
    }
    await removeLeftovers(this.dir, LEFTOVER_AGE_MS);
    return deleted;
  }
}
