/** The adapters' KeyValueStore port: both implementations, and persistence of the SQLite one across a reopen. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimOnce, type KeyValueStore } from '../../../src/core/KeyValueStore.js';
import { MemoryKeyValueStore } from '../../../src/store/MemoryKeyValueStore.js';
import { MemoryJobStore } from '../../../src/store/MemoryJobStore.js';
import { SqliteJobStore } from '../../../src/store/SqliteJobStore.js';
import { DuplicateRequestError } from '../../../src/store/StoreErrors.js';

const impls: [string, () => KeyValueStore][] = [
  ['MemoryKeyValueStore', () => new MemoryKeyValueStore()],
  ['MemoryJobStore.keyValues()', () => new MemoryJobStore().keyValues()],
  ['SqliteJobStore.keyValues()', () => new SqliteJobStore({ path: ':memory:' }).keyValues()],
];

for (const [name, make] of impls) {
  test(`${name}: read, write, overwrite, delete`, () => {
    const kv = make();
    assert.equal(kv.read('a'), undefined);
    kv.write('a', '1');
    kv.write('a', '2');
    assert.equal(kv.read('a'), '2');
    kv.delete('a');
    assert.equal(kv.read('a'), undefined);
    kv.delete('never-there'); // no throw
  });

  test(`${name}: claimOnce is true once per key`, () => {
    const kv = make();
    assert.equal(claimOnce(kv, 'slack-cmd:T1'), true);
    assert.equal(claimOnce(kv, 'slack-cmd:T1'), false);
    assert.equal(claimOnce(kv, 'slack-cmd:T2'), true);
  });
}

test('SQLite key/value state and request keys survive a reopen (a restart)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'astran-kv-'));
  try {
    const path = join(dir, 'astran.db');
    const s1 = new SqliteJobStore({ path });
    assert.equal(claimOnce(s1.keyValues(), 'mattermost-slash:abc'), true);
    const job = s1.createJob({ params: { source: 'Crab', nightFrom: '20240101', nightTo: '20240101' }, requester: { adapter: 'email', userId: 'a@x.org' }, requestKey: 'email:<m1@x.org>' });
    s1.close();
    const s2 = new SqliteJobStore({ path });
    assert.equal(claimOnce(s2.keyValues(), 'mattermost-slash:abc'), false, 'a replay after a restart is still refused');
    assert.equal(s2.findJobByRequest('email:<m1@x.org>')?.id, job.id);
    assert.throws(
      () => s2.createJob({ params: { source: 'Crab', nightFrom: '20240101', nightTo: '20240101' }, requester: { adapter: 'email', userId: 'a@x.org' }, requestKey: 'email:<m1@x.org>' }),
      (e: unknown) => e instanceof DuplicateRequestError && e.jobId === job.id,
    );
    assert.equal(s2.listJobs().length, 1, 'the refused duplicate left nothing behind (one transaction)');
    s2.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('MemoryJobStore: a request key launches one job', () => {
  const s = new MemoryJobStore();
  const job = s.createJob({ params: { source: 'Crab', nightFrom: '20240101', nightTo: '20240101' }, requester: { adapter: 'slack', userId: 'U1' }, requestKey: 'slack:T1' });
  assert.equal(s.findJobByRequest('slack:T1')?.id, job.id);
  assert.equal(s.findJobByRequest('slack:T2'), undefined);
  assert.throws(() => s.createJob({ params: { source: 'Crab', nightFrom: '20240101', nightTo: '20240101' }, requester: { adapter: 'slack', userId: 'U1' }, requestKey: 'slack:T1' }), DuplicateRequestError);
  assert.equal(s.listJobs().length, 1);
});
