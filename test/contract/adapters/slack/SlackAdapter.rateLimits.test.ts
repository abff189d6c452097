/**
 * FakeSlack answers HTTP 429 with Retry-After the way Slack does, so the adapter's pacing and retry paths run: the SDK
 * honours Retry-After and ChannelPacer keeps the channel's posts in order behind the retried one. The Mattermost
 * twin is test/contract/adapters/mattermost/MattermostAdapter.rateLimits.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryJobStore } from '../../../../src/store/MemoryJobStore.js';
import { startFakeSlack } from '../../../fakes/slack/FakeSlack.js';
import { slackAdapterForFake } from '../../../fakes/slack/adapterForFake.js';
import type { InboundMessage } from '../../../../src/core/types.js';

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
