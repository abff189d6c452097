import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStoreDatabase } from '../../../src/store/openStoreDatabase.js';
import { latestVersion, schemaVersion } from '../../../src/store/migrations.js';
import { SchemaTooNewError } from '../../../src/store/StoreErrors.js';

test('a fresh file in a new folder: created, WAL, foreign keys on, busy timeout, every migration applied', () => {
  const dir = mkdtempSync(join(tmpdir(), 'astran-open-'));
  try {
    const db = openStoreDatabase(join(dir, 'sub/astran.db'));
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    assert.equal(db.pragma('busy_timeout', { simple: true }), 5000);
    assert.equal(schemaVersion(db), latestVersion());
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
    for (const t of ['jobs', 'outbox', 'meta', 'watch_subscriptions', 'watch_notices']) assert.ok(tables.includes(t), t);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a file from a newer schema is refused, untouched', () => {
  const dir = mkdtempSync(join(tmpdir(), 'astran-open-'));
  try {
    const file = join(dir, 'astran.db');
    const newer = new Database(file);
    newer.pragma(`user_version = ${latestVersion() + 1}`);
    newer.close();
    assert.throws(() => openStoreDatabase(file), SchemaTooNewError);
    const after = new Database(file, { readonly: true });
    assert.equal(schemaVersion(after), latestVersion() + 1);
    assert.equal((after.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n, 0);
    after.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
