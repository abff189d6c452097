import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryJobStore } from '../../../src/store/MemoryJobStore.js';
import { OutboxDeliverer } from '../../../src/orchestrator/OutboxDeliverer.js';
import { silentLogger } from '../../../src/log.js';
import type { Adapter, InboundMessage, MessageRef, OutboundMessage, ThreadRef } from '../../../src/core/types.js';

/** A platform that fails the first `failFirst` calls (like a 503 or an outage), then works; it records what it got. */
function platform(name: string, failFirst = 0) {
  let n = 0;
  let calls = 0;
  const sent: { thread: string; text: string; key?: string }[] = [];
  const opened: { channel?: string; text: string }[] = [];
  const a: Adapter = {
    name,
    canEdit: true,
    async start() {},
    async stop() {},
    async openThread(req: InboundMessage, root: OutboundMessage) {
      opened.push({ channel: req.channel, text: root.text });
      const thread = { adapter: name, key: 'admin' };
      return { thread, root: { thread, id: 'r' } };
    },
    async send(thread: ThreadRef, m: OutboundMessage): Promise<MessageRef> {
      if (calls++ < failFirst) throw new Error('service unavailable');
      sent.push({ thread: thread.key, text: m.text, key: m.idempotencyKey });
      return { thread, id: `m${++n}` };
    },
    async edit(_r: MessageRef, m: OutboundMessage) {
      sent.push({ thread: 'edit', text: m.text });
    },
  };
  return { a, sent, opened };
}

const thread = { adapter: 'chat', key: 't1' };

test('delivers pending items of a thread in order, passes the idempotency key, marks them delivered', async () => {
  const store = new MemoryJobStore();
  const p = platform('chat');
  const d = new OutboxDeliverer({ store, adapters: new Map([['chat', p.a]]), log: silentLogger, policy: { retryInitialMs: 10, retryMaxMs: 100, patienceMs: 10_000 } });
  store.enqueue({ key: 'a', op: 'send', thread, message: { text: 'one' } });
  store.enqueue({ key: 'b', op: 'send', thread, message: { text: 'two' } });
  const b = await d.settled('b');
  assert.equal(b.state, 'delivered');
  assert.deepEqual(p.sent, [{ thread: 't1', text: 'one', key: 'a' }, { thread: 't1', text: 'two', key: 'b' }]);
  assert.equal(store.pendingOutbox().length, 0);
  d.stop();
});

test('a failing delivery is retried with back-off and holds back the later items of its thread (order kept)', async () => {
  const store = new MemoryJobStore();
  const p = platform('chat', 2);
  const d = new OutboxDeliverer({ store, adapters: new Map([['chat', p.a]]), log: silentLogger, policy: { retryInitialMs: 5, retryMaxMs: 20, patienceMs: 60_000 } });
  store.enqueue({ key: 'a', op: 'send', thread, message: { text: 'one' } });
  store.enqueue({ key: 'b', op: 'send', thread, message: { text: 'two' } });
  await d.settled('b');
  assert.deepEqual(p.sent.map((s) => s.text), ['one', 'two'], 'each message exactly once, in order');
  assert.equal(store.outboxItem('a')!.attempts, 2, 'two failed attempts were counted');
  d.stop();
});

test('after the patience runs out the item is failed and reported once to the admins channel', async () => {
  const store = new MemoryJobStore();
  const job = store.createJob({ params: { source: 'Crab', nightFrom: '20041204', nightTo: '20041204' }, requester: { adapter: 'chat', userId: 'u' }, thread });
  const chat = platform('chat', 1_000);
  const ops = platform('ops');
  const d = new OutboxDeliverer({
    store,
    adapters: new Map([['chat', chat.a], ['ops', ops.a]]),
    log: silentLogger,
    policy: { retryInitialMs: 5, retryMaxMs: 10, patienceMs: 40 },
    admins: { adapter: 'ops', channel: 'C-ADMINS' },
  });
  store.enqueue({ key: `${job.id}/final`, jobId: job.id, op: 'send', thread, message: { text: '✅ done · 26.5σ' }, role: 'final:done' });
  const item = await d.settled(`${job.id}/final`);
  assert.equal(item.state, 'failed');
  assert.equal(item.fallback, "ops admins' channel");
  assert.equal(ops.opened.length, 1);
  assert.equal(ops.opened[0].channel, 'C-ADMINS');
  assert.match(ops.opened[0].text, new RegExp(`could not deliver the final message \\(result\\) of job ${job.id}[\\s\\S]*26\\.5σ`));
  assert.doesNotMatch(ops.opened[0].text, /service unavailable/, 'raw platform errors stay in the log');
  assert.ok(store.events(job.id).some((e) => e.kind === 'undelivered'));
  d.stop();
});

test('progress: first delivery posts and stores the ref on the job, later ones edit it', async () => {
  const store = new MemoryJobStore();
  const job = store.createJob({ params: { source: 'Crab', nightFrom: '20041204', nightTo: '20041204' }, requester: { adapter: 'chat', userId: 'u' }, thread });
  const p = platform('chat');
  const d = new OutboxDeliverer({ store, adapters: new Map([['chat', p.a]]), log: silentLogger, policy: { retryInitialMs: 5, retryMaxMs: 10, patienceMs: 1000 } });
  store.enqueue({ key: `${job.id}/progress`, jobId: job.id, op: 'progress', thread, message: { text: 'p1' } });
  await d.settled(`${job.id}/progress`);
  assert.equal(store.getJob(job.id)!.progressMessage!.id, 'm1');
  store.enqueue({ key: `${job.id}/progress`, jobId: job.id, op: 'progress', thread, message: { text: 'p2' } });
  await d.settled(`${job.id}/progress`);
  assert.deepEqual(p.sent.map((s) => [s.thread, s.text]), [['t1', 'p1'], ['edit', 'p2']]);
  d.stop();
});
