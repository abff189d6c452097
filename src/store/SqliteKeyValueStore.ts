import type Database from 'better-sqlite3';
import type { KeyValueStore } from '../core/KeyValueStore.js';

/**
 * KeyValueStore on the job store's SQLite file (its `meta` table), so adapter state commits in the same database
 * as the jobs and survives restarts. Each write is one statement, hence atomic.
 */
export class SqliteKeyValueStore implements KeyValueStore {
  private readonly get: Database.Statement;
  private readonly put: Database.Statement;
  private readonly del: Database.Statement;

  constructor(db: Database.Database) {
    this.get = db.prepare('SELECT value FROM meta WHERE key = ?');
    this.put = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    this.del = db.prepare('DELETE FROM meta WHERE key = ?');
  }

  read(key: string): string | undefined {
    return (this.get.get(key) as { value: string } | undefined)?.value;
  }

  write(key: string, value: string): void {
    this.put.run(key, value);
  }

  delete(key: string): void {
    this.del.run(key);
  }
}
