import sqlite3 from 'sqlite3';

/**
 * A promise face for node-sqlite3. WAL and a busy timeout let several server processes share one
 * database file in a shared data folder (scale-out on one host).
 */
export class SqliteFile {
  private constructor(readonly db: sqlite3.Database) {}

  static async open(path: string): Promise<SqliteFile> {
    const db = await new Promise<sqlite3.Database>((resolve, reject) => {
      const handle = new sqlite3.Database(path, (error) => (error ? reject(new Error(`cannot open ${path}: ${error.message}`, { cause: error })) : resolve(handle)));
    });
    const file = new SqliteFile(db);
    db.configure('busyTimeout', 10_000);
    await file.run('PRAGMA journal_mode = WAL');
    return file;
  }

  run(sql: string, params: Record<string, unknown> | unknown[] = []): Promise<number> {
    return new Promise((resolve, reject) => {
      this.db.run(sql, params, function done(error) {
        if (error) reject(error);
        else resolve(this.changes);
      });
    });
  }

  get<T>(sql: string, params: Record<string, unknown> | unknown[] = []): Promise<T | undefined> {
    return new Promise((resolve, reject) => {
      this.db.get(sql, params, (error, row) => (error ? reject(error) : resolve(row as T | undefined)));
    });
  }

  all<T>(sql: string, params: Record<string, unknown> | unknown[] = []): Promise<T[]> {
    return new Promise((resolve, reject) => {
      this.db.all(sql, params, (error, rows) => (error ? reject(error) : resolve(rows as T[])));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.db.close(() => resolve()));
  }
}

/** Runs async jobs one after another (one SQLite connection cannot hold two transactions at once). */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const next = this.tail.then(job, job);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
