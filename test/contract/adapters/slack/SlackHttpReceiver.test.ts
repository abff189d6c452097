import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { InboundMessage } from '../../../../src/core/types.js';
import { MemoryJobStore } from '../../../../src/store/MemoryJobStore.js';
import { slackSignature, startFakeSlack, type FakeSlack, type HttpDelivery } from '../../../fakes/slack/FakeSlack.js';
import { FAKE_SIGNING_SECRET, routeFakeToHttp, slackAdapterForFake } from '../../../fakes/slack/adapterForFake.js';
import type { SlackAdapter } from '../../../../adapters/slack/SlackAdapter.js';

const CHANNEL = 'C0ASTRAN';
const FORM = 'application/x-www-form-urlencoded';

describe('Slack adapter in HTTP mode: request verification and acks', () => {
  let fake: FakeSlack;
  let adapter: SlackAdapter;
  let store: MemoryJobStore;
  const seen: InboundMessage[] = [];

  before(async () => {
    fake = await startFakeSlack({ channels: [CHANNEL] });
    store = new MemoryJobStore();
    adapter = slackAdapterForFake(fake, store, { mode: 'http' });
    await adapter.start(async (msg) => {
      seen.push(msg);
      if (msg.text.startsWith('launch')) {
        await msg.ack({ text: 'Accepted job A-0001', ephemeral: true });
        const { thread } = await adapter.openThread(msg, { text: 'Job A-0001' }, 'A-0001');
        store.createJob({ params: { source: 'Crab', nightFrom: '20240101', nightTo: '20240101' }, requester: msg.identity, thread });
        return;
      }
      await msg.ack({ text: `Unknown command. Usage: /astran launch <source> <night>`, ephemeral: true });
    });
    routeFakeToHttp(fake, adapter);
  });
  after(async () => {
    await adapter.stop();
    await fake.close();
  });

  const url = () => adapter.httpUrl!;
  const commandBody = (text: string) => new URLSearchParams(fake.slashCommandFields({ text, channel_id: CHANNEL })).toString();

  it('needs no app token and binds loopback', () => {
    assert.match(url(), /^http:\/\/127\.0\.0\.1:\d+\/slack\/events$/);
    assert.ok(!fake.calls.some((c) => c.method === 'apps.connections.open'));
  });

  it('a signed slash command is answered in the HTTP response', async () => {
    const { ack } = await fake.slashCommand({ text: 'launch Crab 20240101', channel_id: CHANNEL });
    const r = ack as HttpDelivery;
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { response_type: 'ephemeral', text: 'Accepted job A-0001' });
    assert.ok(r.ms < 3000);
    await waitFor(() => store.listJobs().length === 1);
    const job = store.listJobs()[0];
    const rootTs = job.thread!.key.split(':')[1];
    assert.ok(fake.messages.some((m) => m.ts === rootTs && m.text === 'Job A-0001'));

    // A follow-up in the job's thread arrives as an event, keyed to the same thread.
    const n = seen.length;
    await fake.userMessage({ channel: CHANNEL, user: 'U0ALICE', text: 'status', thread_ts: rootTs });
    assert.equal(seen.length, n + 1);
    assert.deepEqual(seen[n].thread, job.thread);
  });

  it('a typo gets the usage reply', async () => {
    const r = (await fake.slashCommand({ text: 'lunch', channel_id: CHANNEL })).ack as HttpDelivery;
    assert.equal(r.status, 200);
    assert.match(JSON.parse(r.body).text, /Usage: \/astran launch &lt;source&gt;/);
  });

  it('refuses forged signatures', async () => {
    const n = seen.length;
    const body = commandBody('launch Evil 20240101');
    const wrongSecret = await fake.signedPost(url(), body, FORM, 'not-the-secret');
    assert.equal(wrongSecret.status, 401);
    const ts = Math.floor(Date.now() / 1000);
    const sig = slackSignature(FAKE_SIGNING_SECRET, ts, body);
    const tampered = await fake.signedPost(url(), body.replace('Evil', 'Evul'), FORM, FAKE_SIGNING_SECRET, { timestamp: ts, signature: sig });
    assert.equal(tampered.status, 401);
    const truncated = await fake.signedPost(url(), body, FORM, FAKE_SIGNING_SECRET, { signature: sig.slice(0, 20) });
    assert.equal(truncated.status, 401);
    const missing = await fetch(url(), { method: 'POST', headers: { 'content-type': FORM }, body });
    assert.equal(missing.status, 401);
    assert.equal(seen.length, n, 'no forged request reached the core');
  });

  it('refuses stale and future timestamps (5-minute window)', async () => {
    const n = seen.length;
    const now = Math.floor(Date.now() / 1000);
    const stale = await fake.signedPost(url(), commandBody('status'), FORM, FAKE_SIGNING_SECRET, { timestamp: now - 301 });
    assert.equal(stale.status, 401);
    const future = await fake.signedPost(url(), commandBody('status'), FORM, FAKE_SIGNING_SECRET, { timestamp: now + 400 });
    assert.equal(future.status, 401);
    const fresh = await fake.signedPost(url(), commandBody('status'), FORM, FAKE_SIGNING_SECRET, { timestamp: now - 60 });
    assert.equal(fresh.status, 200);
    assert.equal(seen.length, n + 1);
  });

  it('refuses a replayed request, even within the window', async () => {
    const n = seen.length;
    const body = commandBody('status');
    const ts = Math.floor(Date.now() / 1000);
    const first = await fake.signedPost(url(), body, FORM, FAKE_SIGNING_SECRET, { timestamp: ts });
    const replay = await fake.signedPost(url(), body, FORM, FAKE_SIGNING_SECRET, { timestamp: ts });
    assert.equal(first.status, 200);
    assert.equal(replay.status, 401);
    assert.equal(seen.length, n + 1);
  });

  it('answers url_verification only when signed', async () => {
    const body = JSON.stringify({ token: 'x', challenge: 'c-123', type: 'url_verification' });
    const ok = await fake.signedPost(url(), body, 'application/json', FAKE_SIGNING_SECRET);
    assert.equal(ok.status, 200);
    assert.deepEqual(JSON.parse(ok.body), { challenge: 'c-123' });
    const forged = await fake.signedPost(url(), body, 'application/json', 'wrong');
    assert.equal(forged.status, 401);
  });

  it('refuses oversized bodies and other paths', async () => {
    const big = 'text=' + 'x'.repeat(1_100_000);
    const r = await fake.signedPost(url(), big, FORM, FAKE_SIGNING_SECRET);
    assert.equal(r.status, 413);
    const other = await fake.signedPost(url().replace('/slack/events', '/other'), commandBody('help'), FORM, FAKE_SIGNING_SECRET);
    assert.equal(other.status, 404);
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
