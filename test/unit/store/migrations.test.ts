/**
 * Migration 5: a store written before the KeyValueStore port (handled ids in `processed_messages`, job threads only in
 * the jobs table) keeps working: nothing handled is handled again, old job threads stay ASTRAN's, console thread
 * numbers continue after the old ones.
 */
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import { SqliteJobStore } from '../../../src/store/SqliteJobStore.js';
import { migrate, MIGRATIONS, schemaVersion, latestVersion } from '../../../src/store/migrations.js';
import { claimOnce } from '../../../src/core/KeyValueStore.js';
import { ThreadIndex } from '../../../adapters/email/ThreadIndex.js';
import { ConsoleAdapter } from '../../../adapters/console/ConsoleAdapter.js';

const KV_MIGRATION = MIGRATIONS.findIndex((m) => m.description.includes('key/value keys')) + 1;

/** The database as the version before the KeyValueStore port left it: the schema before the migration, rows as it wrote them. */
function oldStore(path: string): void {
  const db = new Database(path);
  migrate(db, MIGRATIONS.slice(0, KV_MIGRATION - 1));
  const at = '2026-11-30T22:00:00.000Z';
  const handled = db.prepare('INSERT INTO processed_messages (source, message_id, at) VALUES (?, ?, ?)');
  handled.run('email', '<req-1@astran.test>', at);
  handled.run('slack-msg', 'C0123:1700000000.000100', at);
  handled.run('slack-cmd', '13345224609.738474.1234', at);
  handled.run('mattermost-post', 'p0st1d', at);
  const job = db.prepare(
    `INSERT INTO jobs (id, state, params, requester, requester_user_id, thread_adapter, thread_key, run_ids, created_at, updated_at)
     VALUES (?, 'done', '{"source":"Crab","nightFrom":"20041204","nightTo":"20041204"}', ?, ?, ?, ?, '[]', ?, ?)`,
  );
  const req = (adapter: string, userId: string) => [JSON.stringify({ adapter, userId }), userId] as const;
  job.run('A-0001', ...req('slack', 'U1'), 'slack', 'C0123:1700000000.000200', at, at);
  job.run('A-0002', ...req('mattermost', 'u1'), 'mattermost', 'r00tp0st', at, at);
  job.run('A-0003', ...req('email', 'alice@astran.test'), 'email', '<req-1@astran.test>', at, at);
  // The old console numbered from T1 at every start: two jobs share T1, the newer one owns it.
  job.run('A-0004', ...req('console', 'console:me'), 'console', 'T1', at, at);
  job.run('A-0005', ...req('console', 'console:me'), 'console', 'T2', at, at);
  job.run('A-0006', ...req('console', 'console:me'), 'console', 'T1', at, at);
  // The old e-mail ThreadIndex wrote through setMeta, under the keys it still reads, without the job id.
  const meta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
  meta.run('email:thread:<req-1@astran.test>', JSON.stringify({ to: 'alice@astran.test', subject: 'ASTRAN-LAUNCH', chain: ['<req-1@astran.test>', '<root-1@astran.test>'] }));
  meta.run('email:msg:<req-1@astran.test>', '<req-1@astran.test>');
  meta.run('email:msg:<root-1@astran.test>', '<req-1@astran.test>');
  db.close();
}

describe(`store migration ${KV_MIGRATION}: old handled ids and threads under the key/value keys`, () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'astran-migrate-'));
    path = join(dir, 'astran.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is a numbered migration of this build', () => {
    assert.ok(KV_MIGRATION >= 5, 'migration present');
    assert.equal(MIGRATIONS[KV_MIGRATION - 1].version, KV_MIGRATION);
  });

  it('a store written by the old version keeps working: nothing handled twice, old threads still ours', async () => {
    oldStore(path);
    const store = new SqliteJobStore({ path });
    try {
      const kv = store.keyValues();
      // Handled before the upgrade: the adapters' claims fail, as for anything handled after it.
      assert.equal(claimOnce(kv, 'slack-msg:C0123:1700000000.000100'), false);
      assert.equal(claimOnce(kv, 'slack-cmd:13345224609.738474.1234'), false);
      assert.equal(claimOnce(kv, 'mattermost-post:p0st1d'), false);
      assert.equal(claimOnce(kv, 'mattermost-post:new-post'), true);
      const inbox = JSON.parse(kv.read('email:inbox:<req-1@astran.test>') ?? 'null') as { state: string; reply?: unknown };
      assert.equal(inbox.state, 'answered');
      assert.equal(inbox.reply, undefined, 'no reply is re-sent for a mail the old version handled');
      // Replies in old job threads are still recognised as ASTRAN's.
      assert.equal(kv.read('slack:job_thread:C0123:1700000000.000200'), 'A-0001');
      assert.equal(kv.read('mattermost:job_thread:r00tp0st'), 'A-0002');
      const threads = new ThreadIndex(kv);
      assert.equal(threads.lookup(['<root-1@astran.test>'], []), '<req-1@astran.test>');
      assert.equal(threads.get('<req-1@astran.test>')?.jobId, 'A-0003');
      assert.deepEqual(threads.get('<req-1@astran.test>')?.chain, ['<req-1@astran.test>', '<root-1@astran.test>']);
      // The console continues after the old numbers and labels T1 with the job that owned it last.
      const out = new PassThrough();
      let printed = '';
      out.on('data', (c) => (printed += String(c)));
      const consoleAdapter = new ConsoleAdapter({ user: 'me', output: out, kv });
      const req = { id: 'x', identity: { adapter: 'console', userId: 'console:me' }, text: '', receivedAt: new Date(), ack: async () => {} };
      const opened = await consoleAdapter.openThread(req, { text: 'new job' }, 'A-0007');
      assert.equal(opened.thread.key, 'T3');
      await consoleAdapter.send({ adapter: 'console', key: 'T1' }, { text: 'hello' });
      assert.match(printed, /\[T1 A-0006\] hello/);
    } finally {
      store.close();
    }
    const raw = new Database(path, { readonly: true });
    try {
      assert.equal(schemaVersion(raw), latestVersion());
    } finally {
      raw.close();
    }
  });

  it('never overwrites a key the new version wrote', () => {
    oldStore(path);
    const db = new Database(path);
    db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('email:inbox:<req-1@astran.test>', JSON.stringify({ state: 'answered', reply: { messageId: '<r@x>', text: 'hi', sent: false } }));
    db.close();
    const store = new SqliteJobStore({ path });
    try {
      const entry = JSON.parse(store.keyValues().read('email:inbox:<req-1@astran.test>') ?? 'null') as { reply?: { sent: boolean } };
      assert.equal(entry.reply?.sent, false, 'the recorded reply is still sent once');
    } finally {
      store.close();
    }
  });
});
