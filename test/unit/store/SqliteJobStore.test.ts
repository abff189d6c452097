/** SQLite-only behaviour: restart safety, WAL, migrations, version refusal, corrupt rows. */
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { createLogger } from '../../../src/log.js';
import { SqliteJobStore } from '../../../src/store/SqliteJobStore.js';
import { latestVersion, migrate, MIGRATIONS, schemaVersion, type Migration } from '../../../src/store/migrations.js';
import { CorruptRowError, SchemaTooNewError } from '../../../src/store/StoreErrors.js';

const job = (userId: string) => ({
  params: { source: 'Crab', nightFrom: '20261125', nightTo: '20261126' },
  requester: { adapter: 'email', userId },
});

describe('SqliteJobStore on disk', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'astran-sqlite-'));
    path = join(dir, 'astran.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives everything back after a reopen, and keeps numbering ids where it stopped', () => {
    const s1 = new SqliteJobStore({ path });
    const a = s1.createJob({ ...job('a@x'), thread: { adapter: 'email', key: '<root@x>' }, runIds: [23523] });
    s1.createJob(job('b@x'));
    s1.updateJob(a.id, { state: 'running', stage: 'dl2_to_dl3', result: { partial: true } });
    s1.addEvent(a.id, 'state', 'running', { stage: 'dl2_to_dl3' });
    s1.putSubmission({ jobId: a.id, stage: 'dl2_to_dl3', attempt: 1, backendRef: 'local-x-1', state: 'running', detail: { tasks: [0] } });
    s1.markProcessed('email', '<m1@x>');
    s1.setMeta('mattermost.lastSeen', '1700000000000');
    const aBefore = s1.getJob(a.id);
    s1.close();

    const s2 = new SqliteJobStore({ path });
    try {
      assert.deepEqual(s2.getJob(a.id), aBefore);
      assert.deepEqual(s2.listJobs().map((j) => j.id), ['A-0002', 'A-0001']);
      assert.equal(s2.findJobByThread({ adapter: 'email', key: '<root@x>' })?.id, a.id);
      assert.deepEqual(s2.events(a.id).map((e) => [e.kind, e.message, e.data]), [['state', 'running', { stage: 'dl2_to_dl3' }]]);
      assert.deepEqual(s2.submissions(a.id).map((s) => [s.stage, s.backendRef, s.detail]), [['dl2_to_dl3', 'local-x-1', { tasks: [0] }]]);
      assert.equal(s2.markProcessed('email', '<m1@x>'), false);
      assert.equal(s2.getMeta('mattermost.lastSeen'), '1700000000000');
      assert.equal(s2.createJob(job('c@x')).id, 'A-0003');
    } finally {
      s2.close();
    }
    // A different prefix after a restart still never reuses a number.
    const s3 = new SqliteJobStore({ path, prefix: 'Z' });
    try {
      assert.equal(s3.createJob(job('d@x')).id, 'Z-0004');
    } finally {
      s3.close();
    }
  });

  it('never reuses a sequence number, even if the newest row is deleted by hand', () => {
    const s = new SqliteJobStore({ path });
    s.createJob(job('a'));
    s.createJob(job('a'));
    s.close();
    const raw = new Database(path);
    raw.prepare("DELETE FROM jobs WHERE id = 'A-0002'").run();
    raw.close();
    const s2 = new SqliteJobStore({ path });
    try {
      assert.equal(s2.createJob(job('a')).id, 'A-0003');
    } finally {
      s2.close();
    }
  });

  it('uses WAL mode and records the schema version', () => {
    new SqliteJobStore({ path }).close();
    const raw = new Database(path, { readonly: true });
    try {
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(schemaVersion(raw), latestVersion());
      const tables = (raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
      for (const t of ['jobs', 'job_events', 'submissions', 'processed_messages', 'meta']) assert.ok(tables.includes(t), t);
    } finally {
      raw.close();
    }
  });

  it('migrates an existing empty database file from version 0', () => {
    const raw = new Database(path);
    assert.equal(schemaVersion(raw), 0);
    raw.close();
    const s = new SqliteJobStore({ path });
    assert.equal(s.createJob(job('a')).id, 'A-0001');
    s.close();
  });

  it('a job written before people existed (schema 4) reads back with no owner and no charge', () => {
    const raw = new Database(path);
    migrate(raw, MIGRATIONS.slice(0, 4));
    raw
      .prepare(
        `INSERT INTO jobs (id, state, params, requester, requester_user_id, run_ids, created_at, updated_at) VALUES ('A-0001', 'running', ?, ?, 'U1', '[1]', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
      )
      .run(JSON.stringify({ source: 'Crab', nightFrom: '20261125', nightTo: '20261125' }), JSON.stringify({ adapter: 'slack', userId: 'U1' }));
    raw.close();
    const s = new SqliteJobStore({ path });
    const j = s.getJob('A-0001')!;
    assert.equal(j.owner, null);
    assert.equal(j.charge, null);
    assert.deepEqual(s.listJobs({ owner: { userIds: ['U1'] } }).map((x) => x.id), ['A-0001']);
    s.close();
  });

  it('refuses a database written by a newer schema, without touching it', () => {
    const raw = new Database(path);
    raw.pragma(`user_version = ${latestVersion() + 5}`);
    raw.close();
    assert.throws(
      () => new SqliteJobStore({ path }),
      (e: unknown) =>
        e instanceof SchemaTooNewError &&
        e.found === latestVersion() + 5 &&
        e.supported === latestVersion() &&
        /newer than this ASTRAN supports/.test(e.message) &&
        !e.message.includes(dir),
    );
    const again = new Database(path);
    try {
      assert.equal(schemaVersion(again), latestVersion() + 5);
      assert.equal((again.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'jobs'").get() as { n: number }).n, 0);
    } finally {
      again.close();
    }
  });

  it('reads a corrupt JSON row as a clear error; listJobs skips it and logs, keeping the rest', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const s = new SqliteJobStore({ path, log: createLogger({ level: 'warn', destination: sink }) });
    try {
      s.createJob(job('a'));
      s.createJob(job('b'));
      s.createJob(job('c'));
      const raw = new Database(path);
      raw.prepare("UPDATE jobs SET params = '{\"source\": \"Crab\", \"nightFr' WHERE id = 'A-0002'").run();
      raw.prepare(`UPDATE jobs SET requester = '{"adapter":"email"}' WHERE id = 'A-0003'`).run();
      raw.close();

      assert.throws(() => s.getJob('A-0002'), (e: unknown) => e instanceof CorruptRowError && /A-0002.*params.*invalid JSON/.test(e.message));
      assert.throws(() => s.getJob('A-0003'), (e: unknown) => e instanceof CorruptRowError && /A-0003.*requester.*userId/.test(e.message));
      assert.deepEqual(s.listJobs().map((j) => j.id), ['A-0001']);
      assert.deepEqual(s.listJobs({ limit: 1 }).map((j) => j.id), ['A-0001']);
      assert.ok(lines.some((l) => l.includes('skipping corrupt job row') && l.includes('A-0002')));
      assert.ok(lines.some((l) => l.includes('A-0003')));
    } finally {
      s.close();
    }
  });

  it('keeps an event whose data column is corrupt, without its data', () => {
    const s = new SqliteJobStore({ path });
    try {
      const j = s.createJob(job('a'));
      s.addEvent(j.id, 'k', 'first', { ok: 1 });
      s.addEvent(j.id, 'k', 'second', { ok: 2 });
      const raw = new Database(path);
      raw.prepare("UPDATE job_events SET data = 'nope' WHERE message = 'first'").run();
      raw.close();
      const evs = s.events(j.id);
      assert.deepEqual(evs.map((e) => [e.message, e.data]), [['first', undefined], ['second', { ok: 2 }]]);
    } finally {
      s.close();
    }
  });
});

describe('migrate()', () => {
  it('applies only the pending migrations, in order', () => {
    const db = new Database(':memory:');
    try {
      assert.deepEqual(migrate(db), { from: 0, to: latestVersion() });
      const extra: Migration = { version: MIGRATIONS.length + 1, description: 'test', up: (d) => d.exec('CREATE TABLE extra (x)') };
      assert.deepEqual(migrate(db, [...MIGRATIONS, extra]), { from: latestVersion(), to: latestVersion() + 1 });
      assert.equal(schemaVersion(db), latestVersion() + 1);
      assert.deepEqual(migrate(db, [...MIGRATIONS, extra]), { from: latestVersion() + 1, to: latestVersion() + 1 });
    } finally {
      db.close();
    }
  });

  it('rolls a failing migration back, leaving the version unchanged', () => {
    const db = new Database(':memory:');
    try {
      migrate(db);
      const bad: Migration = {
        version: MIGRATIONS.length + 1,
        description: 'fails half way',
        up: (d) => {
          d.exec('CREATE TABLE half (x)');
          throw new Error('boom');
        },
      };
      assert.throws(() => migrate(db, [...MIGRATIONS, bad]), /boom/);
      assert.equal(schemaVersion(db), latestVersion());
      assert.equal((db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half'").get() as { n: number }).n, 0);
    } finally {
      db.close();
    }
  });

  it('rejects a migration list with gaps or out of order', () => {
    const db = new Database(':memory:');
    try {
      const m = (version: number): Migration => ({ version, description: '', up: () => {} });
      assert.throws(() => migrate(db, [m(1), m(3)]), /out of order/);
      assert.throws(() => migrate(db, [m(2), m(1)]), /out of order/);
      assert.equal(schemaVersion(db), 0);
    } finally {
      db.close();
    }
  });
});
