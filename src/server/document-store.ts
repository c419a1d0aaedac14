import { SQLite, schema as DOCUMENTS_SCHEMA } from '@hocuspocus/extension-sqlite';
import * as Y from 'yjs';
import { SerialQueue, SqliteFile } from './sqlite';

/**
 * Hocuspocus' SQLite persistence (`documents` table of the data folder's SQLite file), with two
 * changes a shared team server needs:
 * - a store **merges** the document into what is stored (a Yjs union) instead of overwriting it:
 *   with two processes behind Redis, Hocuspocus lets only one of them store per debounce, and a
 *   blind overwrite could drop an edit the other process had not relayed yet;
 * - nothing is stored for a room that is closed or expired (`isLive`), and `deleteDocument`
 *   removes a closed room's document.
 */
export class TeamDocumentStore extends SQLite {
  private readonly queue = new SerialQueue();

  /** `sql` is the data folder's SQLite file, already holding the `rooms` table. */
  static async open(sql: SqliteFile, isLive: (roomId: string) => Promise<boolean>): Promise<TeamDocumentStore> {
    await sql.run(DOCUMENTS_SCHEMA);
    return new TeamDocumentStore(sql, isLive);
  }

  private constructor(private readonly sql: SqliteFile, isLive: (roomId: string) => Promise<boolean>) {
    super({});
    this.db = sql.db;
    this.configuration.fetch = async ({ documentName }) => {
      const row = await this.file().get<{ data: Uint8Array }>('SELECT data FROM documents WHERE name = ?', [documentName]);
      return row ? new Uint8Array(row.data) : null;
    };
    this.configuration.store = ({ documentName, state }) =>
      this.queue.run(async () => {
        if (!(await isLive(documentName))) return;
        const sql = this.file();
        await sql.run('BEGIN IMMEDIATE');
        try {
          const row = await sql.get<{ data: Uint8Array }>('SELECT data FROM documents WHERE name = ?', [documentName]);
          const merged = row ? Y.mergeUpdates([new Uint8Array(row.data), state]) : state;
          await sql.run('INSERT INTO documents (name, data) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET data = excluded.data', [documentName, Buffer.from(merged)]);
          await sql.run('COMMIT');
        } catch (error) {
          await sql.run('ROLLBACK').catch(() => undefined);
          throw error;
        }
      });
  }

  private file(): SqliteFile {
    return this.sql;
  }

  /** The file is opened by the caller (WAL, busy timeout), not by the extension's bare handle. */
  override async onConfigure(): Promise<void> {}

  override async onListen(): Promise<void> {}

  deleteDocument(roomId: string): Promise<void> {
    return this.queue.run(async () => {
      await this.file().run('DELETE FROM documents WHERE name = ?', [roomId]);
    });
  }

  /** Documents whose room no longer exists (closed on another process, or a store that raced the close). */
  deleteOrphans(): Promise<number> {
    return this.queue.run(() => this.file().run('DELETE FROM documents WHERE name NOT IN (SELECT room_id FROM rooms)'));
  }

  /** Waits for stores in flight; the caller closes the SQLite file. */
  async drain(): Promise<void> {
    await this.queue.run(async () => undefined);
  }
}
