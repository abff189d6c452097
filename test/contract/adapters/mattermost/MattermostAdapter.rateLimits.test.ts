/**
 * FakeMattermost answers HTTP 429 with Retry-After the way Mattermost does, so the adapter's retry path
 * (rateLimitRetry.ts) runs; and a message sent again with its idempotency key is one post. The Slack twin is
 * test/contract/adapters/slack/SlackAdapter.rateLimits.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startMattermostRig } from '../../../fakes/mattermost/mattermostRig.js';
import type { InboundMessage } from '../../../../src/core/types.js';

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
