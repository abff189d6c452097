import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrations.js';

export const DEFAULT_DB_PATH = './astran.db';

/**
 * Open the store's SQLite file for one store (jobs, standing orders: each its own connection on the same file): its
 * folder created, WAL (readers and the other connection go on while one writes), foreign keys enforced, a 5 s busy
 * timeout, and the schema migrated (the migrations are shared, so whichever store opens a fresh file first creates
 * every table). ':memory:' is a throw-away database. On a failure the connection is closed before the error is thrown.
 */
export function openStoreDatabase(path: string = DEFAULT_DB_PATH): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}
