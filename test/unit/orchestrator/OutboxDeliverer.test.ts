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

// ---------------------------------------------------------------- platform outages, told through the job's other route

/** A platform that can be switched down and up; `opened` records new threads (notices in a place). */
function switchable(name: string) {
  let n = 0;
  const state = { down: false };
  const sent: { thread: string; text: string; key?: string }[] = [];
  const opened: { channel?: string; text: string; key?: string }[] = [];
  const a: Adapter = {
    name,
    canEdit: false,
    async start() {},
    async stop() {},
    async openThread(req: InboundMessage, root: OutboundMessage) {
      if (state.down) throw new Error('503 service unavailable');
      opened.push({ channel: req.channel, text: root.text, key: root.idempotencyKey });
      const thread = { adapter: name, key: `o${++n}` };
      return { thread, root: { thread, id: `r${n}` } };
    },
    async send(t: ThreadRef, m: OutboundMessage): Promise<MessageRef> {
      if (state.down) throw new Error('503 service unavailable');
      sent.push({ thread: t.key, text: m.text, key: m.idempotencyKey });
      return { thread: t, id: `m${++n}` };
    },
    async edit() {},
  };
  return { a, state, sent, opened };
}

const until = async (cond: () => boolean, what: string, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

function outageRig(opts: { route: boolean; patienceMs?: number; admins?: boolean }) {
  const store = new MemoryJobStore();
  const job = store.createJob({ params: { source: 'Crab', nightFrom: '20041204', nightTo: '20041204' }, requester: { adapter: 'chat', userId: 'u' }, thread });
  const chat = switchable('chat');
  const mail = switchable('mail');
  const ops = switchable('ops');
  const make = () =>
    new OutboxDeliverer({
      store,
      adapters: new Map([['chat', chat.a], ['mail', mail.a], ['ops', ops.a]]),
      log: silentLogger,
      policy: { retryInitialMs: 5, retryMaxMs: 10, patienceMs: opts.patienceMs ?? 60_000, outageNoticeMs: 40 },
      admins: opts.admins ? { adapter: 'ops', channel: 'C-ADMINS' } : undefined,
      routes: { of: (j, failing) => (opts.route && j.id === job.id && failing === 'chat' ? [{ adapter: 'mail', channel: 'alice@iac.es', label: 'mail alice@iac.es' }] : []) },
    });
  const post = (k: string, text: string) => store.enqueue({ key: `${job.id}/${k}`, jobId: job.id, op: 'send', thread, message: { text } });
  return { store, job, chat, mail, ops, make, post };
}

test('platform outage: the owner is told once through the other route when it starts and once when it is over; every message once, in order', async () => {
  const r = outageRig({ route: true });
  r.chat.state.down = true;
  let d = r.make();
  r.post('a', 'one');
  r.post('b', 'two');
  d.kick();
  await until(() => r.mail.opened.length === 1, 'the outage notice');
  assert.equal(r.mail.opened[0].channel, 'alice@iac.es');
  assert.match(r.mail.opened[0].text, new RegExp(`Job ${r.job.id}: ASTRAN cannot post to the job's chat thread since \\d\\d:\\d\\d UTC`));
  // A restart in the middle of the outage does not tell again.
  d.stop();
  d = r.make();
  r.post('c', 'three');
  d.kick();
  await new Promise((res) => setTimeout(res, 120));
  assert.equal(r.mail.opened.length, 1, 'told once per outage, also across a restart');
  r.chat.state.down = false;
  await d.settled(`${r.job.id}/c`);
  await until(() => r.mail.opened.length === 2, 'the end notice');
  await d.idle();
  assert.match(r.mail.opened[1].text, new RegExp(`Job ${r.job.id}: posting to its chat thread works again \\(after \\d+s\\)`));
  assert.deepEqual(r.chat.sent.map((s) => s.text), ['one', 'two', 'three'], 'each held message once, in order, and no note in the thread');
  assert.deepEqual(r.mail.opened.map((o) => o.key), [`${r.job.id}/delivery-outage/1/start`, `${r.job.id}/delivery-outage/1/end`]);
  const kinds = r.store.events(r.job.id, 50).map((e) => e.kind);
  assert.equal(kinds.filter((k) => k === 'delivery_outage_start').length, 1);
  assert.equal(kinds.filter((k) => k === 'delivery_outage_end').length, 1);
  d.stop();
});

test('platform outage without another route: nothing can be told during it; one note in the thread after the held messages', async () => {
  const r = outageRig({ route: false });
  r.chat.state.down = true;
  const d = r.make();
  r.post('a', 'one');
  r.post('b', 'two');
  d.kick();
  await until(() => r.store.events(r.job.id, 50).some((e) => e.kind === 'delivery_outage_start'), 'the outage');
  r.chat.state.down = false;
  await d.settled(`${r.job.id}/b`);
  await until(() => r.chat.sent.length === 3, 'the note');
  await d.idle();
  assert.deepEqual(r.chat.sent.slice(0, 2).map((s) => s.text), ['one', 'two']);
  assert.match(r.chat.sent[2].text, /chat did not take ASTRAN's messages for \d+s: the messages above were held back and delivered late/);
  assert.equal(r.mail.opened.length + r.ops.opened.length, 0);
  d.stop();
});

test('patience runs out: the owner is told once (with what to do) through the other route, the admins per message; then the end', async () => {
  const r = outageRig({ route: true, patienceMs: 120, admins: true });
  r.chat.state.down = true;
  const d = r.make();
  r.post('a', 'one');
  r.post('b', 'two');
  const a = await d.settled(`${r.job.id}/a`);
  const b = await d.settled(`${r.job.id}/b`);
  assert.equal(a.state, 'failed');
  assert.equal(b.state, 'failed');
  assert.equal(a.fallback, "mail alice@iac.es and ops admins' channel");
  await until(() => r.mail.opened.length === 2, 'start and patience notices');
  assert.match(r.mail.opened[1].text, new RegExp(`Job ${r.job.id}: ASTRAN has tried for \\d+s to post to its chat thread and has given up[\\s\\S]*send \`status ${r.job.id}\``));
  assert.equal(r.ops.opened.length, 2, 'the admins get each message given up');
  r.chat.state.down = false;
  r.post('c', 'three');
  await d.settled(`${r.job.id}/c`);
  await until(() => r.mail.opened.length === 3, 'the end notice');
  await d.idle();
  assert.deepEqual(r.mail.opened.map((o) => o.key?.split('/').slice(-1)[0]), ['start', 'patience', 'end']);
  assert.deepEqual(r.chat.sent.map((s) => s.text), ['three']);
  d.stop();
});
