/** The outbox port (src/core/Outbox.ts) on both stores: same behaviour, and the SQLite one survives a reopen. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { MemoryJobStore } from '../../../src/store/MemoryJobStore.js';
import { SqliteJobStore } from '../../../src/store/SqliteJobStore.js';
import type { JobStore } from '../../../src/core/JobStore.js';
import type { OutboxStore } from '../../../src/core/Outbox.js';

const thread = { adapter: 'rec', key: 't1' };
const stores: [string, () => JobStore & OutboxStore][] = [
  ['memory', () => new MemoryJobStore()],
  ['sqlite', () => new SqliteJobStore({ path: ':memory:' })],
];

for (const [name, make] of stores) {
  test(`${name}: enqueue records a pending item with its key as idempotency key; a repeated key is not queued twice`, () => {
    const s = make();
    const a = s.enqueue({ key: 'A-1/x', jobId: null, op: 'send', thread, message: { text: 'hello', files: [{ name: 'p.png', contentType: 'image/png', data: Buffer.from([1, 2, 3]) }] } });
    assert.equal(a.state, 'pending');
    assert.equal(a.message.idempotencyKey, 'A-1/x');
    assert.deepEqual([...a.message.files![0].data], [1, 2, 3]);
    const again = s.enqueue({ key: 'A-1/x', op: 'send', thread, message: { text: 'other text' } });
    assert.equal(again.seq, a.seq);
    assert.equal(again.message.text, 'hello', 'the first recording wins');
    assert.equal(s.pendingOutbox().length, 1);
  });

  test(`${name}: delivered / retry / failed transitions; pending lists only pending items in order`, () => {
    const s = make();
    s.enqueue({ key: 'k1', op: 'send', thread, message: { text: '1' } });
    s.enqueue({ key: 'k2', op: 'send', thread, message: { text: '2' } });
    s.enqueue({ key: 'k3', op: 'send', thread, message: { text: '3' } });
    s.markDelivered('k1', { thread, id: 'm1' });
    const r = s.markRetry('k2', 'Error: 503', new Date('2030-01-01T00:00:00Z'));
    assert.equal(r.attempts, 1);
    assert.equal(r.nextAttemptAt, '2030-01-01T00:00:00.000Z');
    assert.ok(r.firstFailureAt);
    const f = s.markFailed('k3', 'Error: gone', 'admins');
    assert.equal(f.state, 'failed');
    assert.equal(f.fallback, 'admins');
    assert.deepEqual(s.pendingOutbox().map((i) => i.key), ['k2']);
    assert.deepEqual(s.outboxItem('k1')!.delivered, { thread, id: 'm1' });
    assert.throws(() => s.markDelivered('nope', null));
  });

  test(`${name}: a progress item takes the newest text and is due again; outboxOfJob lists a job's items`, () => {
    const s = make();
    const job = s.createJob({ params: { source: 'Crab', nightFrom: '20041204', nightTo: '20041204' }, requester: { adapter: 'rec', userId: 'u' } });
    s.enqueue({ key: `${job.id}/progress`, jobId: job.id, op: 'progress', thread, message: { text: 'p1' } });
    s.markDelivered(`${job.id}/progress`, { thread, id: 'm9' });
    const p2 = s.enqueue({ key: `${job.id}/progress`, jobId: job.id, op: 'progress', thread, message: { text: 'p2' } });
    assert.equal(p2.state, 'pending');
    assert.equal(p2.message.text, 'p2');
    assert.deepEqual(p2.delivered, { thread, id: 'm9' });
    assert.deepEqual(s.outboxOfJob(job.id).map((i) => i.key), [`${job.id}/progress`]);
    assert.throws(() => s.enqueue({ key: 'e', op: 'edit', thread, message: { text: 'x' } }), /edit needs a target/);
  });
}

test('sqlite: pending items survive closing and reopening the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'astran-outbox-'));
  try {
    const path = join(dir, 'a.db');
    const a = new SqliteJobStore({ path });
    a.enqueue({ key: 'k', op: 'send', thread, message: { text: 'survives', files: [{ name: 'a.png', contentType: 'image/png', data: Buffer.from('png') }] } });
    a.close();
    const b = new SqliteJobStore({ path });
    const [item] = b.pendingOutbox();
    assert.equal(item.message.text, 'survives');
    assert.equal(item.message.files![0].data.toString(), 'png');
    b.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
