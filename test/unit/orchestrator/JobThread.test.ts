import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JobThread } from '../../../src/orchestrator/JobThread.js';
import { OutboxDeliverer } from '../../../src/orchestrator/OutboxDeliverer.js';
import { MemoryJobStore } from '../../../src/store/MemoryJobStore.js';
import { silentLogger } from '../../../src/log.js';
import type { Adapter, MessageRef, OutboundMessage, ThreadRef } from '../../../src/core/types.js';

function recordingAdapter(canEdit: boolean) {
  const calls: { op: string; text: string }[] = [];
  let n = 0;
  const a: Adapter = {
    name: 'rec',
    canEdit,
    async start() {},
    async stop() {},
    async openThread() {
      throw new Error('unused');
    },
    async send(thread: ThreadRef, m: OutboundMessage): Promise<MessageRef> {
      calls.push({ op: 'send', text: m.text });
      return { thread, id: `m${++n}` };
    },
    async edit(_r: MessageRef, m: OutboundMessage) {
      calls.push({ op: 'edit', text: m.text });
    },
  };
  return { a, calls };
}

function setup(canEdit: boolean) {
  const store = new MemoryJobStore();
  const job = store.createJob({ params: { source: 'Crab Nebula', nightFrom: '20041204', nightTo: '20041204' }, requester: { adapter: 'rec', userId: 'u' }, thread: { adapter: 'rec', key: 't1' } });
  let now = 0;
  const { a, calls } = recordingAdapter(canEdit);
  const deliverer = new OutboxDeliverer({ store, adapters: new Map([['rec', a]]), log: silentLogger, policy: { retryInitialMs: 5, retryMaxMs: 10, patienceMs: 50 } });
  const th = new JobThread(job.id, a, store, deliverer, { editIntervalMs: 5000, log: silentLogger, now: () => now });
  return { store, job, th, calls, deliverer, a, tick: (ms: number) => (now += ms) };
}

test('progress: first update posts, later ones edit the same message, throttled, latest text wins', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { store, job, th, calls, tick, deliverer } = setup(true);
  th.progress('p1');
  await deliverer.idle();
  assert.deepEqual(calls, [{ op: 'send', text: 'p1' }]);
  assert.equal(store.getJob(job.id)!.progressMessage!.id, 'm1');
  tick(1000);
  th.progress('p2');
  th.progress('p3');
  await deliverer.idle();
  assert.equal(calls.length, 1, 'no edit inside the throttle window');
  tick(4000);
  t.mock.timers.tick(4000);
  await deliverer.idle();
  assert.deepEqual(calls.slice(1), [{ op: 'edit', text: 'p3' }], 'one trailing edit with the latest text');
  th.dispose();
  deliverer.stop();
});

test('progress is not posted where the adapter cannot edit; milestones are, in order, each key once', async () => {
  const { th, calls, deliverer, store, job } = setup(false);
  th.progress('p1');
  th.post('one', { text: 'one' });
  th.post('two', { text: 'two' });
  th.post('one', { text: 'one again (a step repeated after a restart)' });
  await deliverer.settled(`${job.id}/two`);
  assert.deepEqual(calls, [{ op: 'send', text: 'one' }, { op: 'send', text: 'two' }]);
  assert.deepEqual(store.outboxOfJob(job.id).map((i) => [i.key, i.state]), [[`${job.id}/one`, 'delivered'], [`${job.id}/two`, 'delivered']]);
  deliverer.stop();
});

test('a failing adapter never breaks the job: the message stays recorded and the wait ends when retries run out', async () => {
  const { th, a, deliverer, job } = setup(true);
  a.send = async () => {
    throw new Error('boom');
  };
  const item = await th.postAndWait('x', { text: 'x' }, 'final:done', new AbortController().signal);
  assert.equal(item?.state, 'failed');
  assert.equal(item?.key, `${job.id}/x`);
  deliverer.stop();
});
