/**
 * The fakes answer HTTP 429 with Retry-After the way the platforms do, so the adapters' pacing and retry paths run:
 * Slack (the SDK honours Retry-After; ChannelPacer keeps the channel's posts in order behind the retried one) and
 * Mattermost (the adapter retries after a pause).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryJobStore } from '../../src/store/MemoryJobStore.js';
import { startFakeSlack } from '../fakes/slack/FakeSlack.js';
import { slackAdapterForFake } from '../fakes/slack/adapterForFake.js';
import { startMattermostRig } from '../fakes/mattermost/mattermostRig.js';
import type { InboundMessage } from '../../src/core/types.js';

test('Slack: a 429 on chat.postMessage is waited out (Retry-After) and the channel keeps its order', async () => {
  const fake = await startFakeSlack({ channels: ['C0ASTRAN'] });
  const store = new MemoryJobStore();
  // Posts in one channel at least 50 ms apart; the SDK may retry twice.
  const adapter = slackAdapterForFake(fake, store, { api_retries: 2, min_post_interval_s: 0.05 });
  await adapter.start(async (m) => m.ack());
  try {
    const request: InboundMessage = { id: 'r1', identity: { adapter: 'slack', userId: 'U0ALICE' }, text: '', channel: 'C0ASTRAN', receivedAt: new Date(), async ack() {} };
    const { thread } = await adapter.openThread(request, { text: 'root' }, 'A-0001');
    fake.rateLimit('chat.postMessage', 1, 1);
    const t0 = Date.now();
    await Promise.all([adapter.send(thread, { text: 'first' }), adapter.send(thread, { text: 'second' }), adapter.send(thread, { text: 'third' })]);
    const elapsed = Date.now() - t0;
    const [channel, rootTs] = thread.key.split(':');
    assert.deepEqual(fake.threadReplies(channel, rootTs).map((m) => m.text), ['first', 'second', 'third'], 'in order, each once');
    const posts = fake.calls.filter((c) => c.method === 'chat.postMessage').slice(1); // after the root
    assert.equal(posts[0].status, 429, 'the first try was rate limited');
    assert.deepEqual(posts.slice(1).map((c) => c.ok), [true, true, true]);
    const limited = posts[0].at;
    assert.ok(posts[1].at - limited >= 900, `the retry waited for Retry-After (${posts[1].at - limited} ms)`);
    // The pacer held the channel's later posts behind the retried one. (Their spacing is checked with a mocked clock
    // in test/unit/adapters/slack/ChannelPacer.test.ts: arrival times here include the loaded machine's delays.)
    assert.ok(posts[2].at >= posts[1].at, `second after the retried first (${posts[2].at - posts[1].at} ms)`);
    assert.ok(posts[3].at >= posts[2].at, `third after the second (${posts[3].at - posts[2].at} ms)`);
    assert.ok(elapsed >= 1000);
  } finally {
    await adapter.stop();
    await fake.close();
  }
});

test('Slack: rate limited past the retries, the post fails with a plain error (no token, no stack)', async () => {
  const fake = await startFakeSlack({ channels: ['C0ASTRAN'] });
  const adapter = slackAdapterForFake(fake, new MemoryJobStore(), { api_retries: 0 });
  await adapter.start(async (m) => m.ack());
  try {
    const request: InboundMessage = { id: 'r1', identity: { adapter: 'slack', userId: 'U0ALICE' }, text: '', channel: 'C0ASTRAN', receivedAt: new Date(), async ack() {} };
    const { thread } = await adapter.openThread(request, { text: 'root' }, 'A-0001');
    fake.rateLimit('chat.postMessage', 5, 1);
    await assert.rejects(adapter.send(thread, { text: 'lost' }), (e: unknown) => /Slack chat\.postMessage failed: .*\(error E-[0-9A-F]{6}\)/.test((e as Error).message) && !(e as Error).message.includes(fake.botToken));
  } finally {
    await adapter.stop();
    await fake.close();
  }
});

test('Mattermost: a 429 on POST /posts is retried after Retry-After; the post lands once', async () => {
  const rig = await startMattermostRig({ handler: async (m) => m.ack() });
  try {
    const request: InboundMessage = { id: 'r1', identity: { adapter: 'mattermost', userId: rig.fake.alice.id }, text: '', channel: rig.fake.channel.id, receivedAt: new Date(), async ack() {} };
    const { thread } = await rig.adapter.openThread(request, { text: 'root' }, 'A-0001');
    rig.fake.rateLimit('POST', /^\/posts$/, 2, 1);
    const t0 = Date.now();
    await rig.adapter.send(thread, { text: 'after the limit' });
    const elapsed = Date.now() - t0;
    const statuses = rig.fake.calls.filter((c) => c.method === 'POST' && c.path === '/api/v4/posts').map((c) => c.status);
    assert.deepEqual(statuses, [201, 429, 429, 201], 'root, two refusals, then the post');
    assert.ok(elapsed >= 1900, `waited Retry-After (1 s) twice (${elapsed} ms)`);
    assert.deepEqual(rig.fake.thread(thread.key).map((p) => p.message), ['root', 'after the limit']);
  } finally {
    await rig.close();
  }
});

test('Mattermost: a 429 on a progress edit (PUT /posts/{id}/patch) is retried too', async () => {
  const rig = await startMattermostRig({ handler: async (m) => m.ack() });
  try {
    const request: InboundMessage = { id: 'r1', identity: { adapter: 'mattermost', userId: rig.fake.alice.id }, text: '', channel: rig.fake.channel.id, receivedAt: new Date(), async ack() {} };
    const { thread, root } = await rig.adapter.openThread(request, { text: 'root' }, 'A-0001');
    const progress = await rig.adapter.send(thread, { text: 'stage 1' });
    rig.fake.rateLimit('PUT', /^\/posts\/[a-z0-9]+\/patch$/, 1, 1);
    await rig.adapter.edit(progress, { text: 'stage 2' });
    assert.equal(rig.fake.posts.get(progress.id)?.message, 'stage 2');
    assert.equal(rig.fake.posts.get(root.id)?.message, 'root');
  } finally {
    await rig.close();
  }
});

test('Mattermost: a message sent again with the same idempotency key (an outbox retry) is one post (pending_post_id)', async () => {
  const rig = await startMattermostRig({ handler: async (m) => m.ack() });
  try {
    const request: InboundMessage = { id: 'r1', identity: { adapter: 'mattermost', userId: rig.fake.alice.id }, text: '', channel: rig.fake.channel.id, receivedAt: new Date(), async ack() {} };
    const { thread } = await rig.adapter.openThread(request, { text: 'root', idempotencyKey: 'A-0001/root' }, 'A-0001');
    const first = await rig.adapter.send(thread, { text: 'summary', idempotencyKey: 'A-0001/final:done' });
    const again = await rig.adapter.send(thread, { text: 'summary', idempotencyKey: 'A-0001/final:done' });
    assert.equal(again.id, first.id, 'the platform handed back the post it already had');
    await rig.adapter.send(thread, { text: 'summary' }); // no key: a new post
    assert.deepEqual(rig.fake.thread(thread.key).map((p) => p.message), ['root', 'summary', 'summary']);
    const sent = rig.fake.calls.filter((c) => c.method === 'POST' && c.path === '/api/v4/posts').map((c) => (c.body as { pending_post_id?: string }).pending_post_id);
    assert.equal(sent[1], sent[2], 'the same pending_post_id both times');
    assert.equal(sent[3], undefined);
  } finally {
    await rig.close();
  }
});
