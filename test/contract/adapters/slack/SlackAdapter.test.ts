import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { InboundMessage, ThreadRef } from '../../../../src/core/types.js';
import { MemoryJobStore } from '../../../../src/store/MemoryJobStore.js';
import { startFakeSlack, type EnvelopeAck, type FakeSlack } from '../../../fakes/slack/FakeSlack.js';
import { slackAdapterForFake } from '../../../fakes/slack/adapterForFake.js';
import type { SlackAdapter } from '../../../../adapters/slack/SlackAdapter.js';

const CHANNEL = 'C0ASTRAN';

/** A stand-in for the core: acks, and for `launch` opens a thread, edits progress and posts files. */
function makeCore(adapterRef: { a?: SlackAdapter }, store: MemoryJobStore) {
  const seen: InboundMessage[] = [];
  const launches: { thread: ThreadRef; rootId: string; progressId: string; png: Buffer }[] = [];
  const gates = new Map<string, Promise<void>>();
  let done: Promise<unknown> = Promise.resolve();
  const handler = async (msg: InboundMessage) => {
    seen.push(msg);
    const words = msg.text.trim().split(/\s+/);
    const gate = gates.get(words[0]);
    if (gate) await gate;
    if (words[0] === 'launch') {
      await msg.ack({ text: 'Accepted: **Crab** 20240101 as job A-0001', ephemeral: true });
      const adapter = adapterRef.a!;
      done = (async () => {
        const { thread, root } = await adapter.openThread(msg, { text: 'Job A-0001: Crab, night 20240101' }, 'A-0001');
        store.createJob({ params: { source: 'Crab', nightFrom: '20240101', nightTo: '20240101' }, requester: msg.identity, thread });
        const progress = await adapter.send(thread, { text: 'running: dl1_to_dl2 0/4' });
        await adapter.edit(progress, { text: 'running: dl1_to_dl2 4/4' });
        const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(3000)]);
        await adapter.send(thread, { text: 'Done: 5.2 σ', files: [{ name: 'theta2.png', contentType: 'image/png', data: png, title: 'θ² plot' }] });
        launches.push({ thread, rootId: root.id, progressId: progress.id, png });
      })();
      return;
    }
    if (words[0] === 'status' || words[0] === 'help' || words[0] === 'slow') {
      await msg.ack({ text: `${words[0]}: ok`, ephemeral: words[0] === 'help' });
      return;
    }
    await msg.ack({ text: `Unknown command "${words[0]}". Did you mean \`launch\`?\nUsage: /astran launch <source> <night>`, ephemeral: true });
  };
  return { handler, seen, launches, gates, settled: () => done };
}

describe('Slack adapter over Socket Mode against the fake', () => {
  let fake: FakeSlack;
  let adapter: SlackAdapter;
  let store: MemoryJobStore;
  let core: ReturnType<typeof makeCore>;

  before(async () => {
    fake = await startFakeSlack({ channels: [CHANNEL, 'C0OTHER'] });
    store = new MemoryJobStore();
    const ref: { a?: SlackAdapter } = {};
    adapter = slackAdapterForFake(fake, store);
    ref.a = adapter;
    core = makeCore(ref, store);
    await adapter.start(core.handler);
  });
  after(async () => {
    await adapter.stop();
    await fake.close();
  });

  it('connects with the app token and knows its bot user from auth.test', () => {
    assert.equal(adapter.botUser, fake.botUserId);
    const open = fake.calls.find((c) => c.method === 'apps.connections.open');
    assert.ok(open?.ok, 'apps.connections.open succeeded');
    assert.equal(open.token, fake.appToken);
    assert.equal(fake.socketCount(), 1);
  });

  it('a slash command runs through to a thread with progress edits and files', async () => {
    const { ack } = await fake.slashCommand({ text: 'launch Crab 20240101', channel_id: CHANNEL });
    const a = ack as EnvelopeAck;
    assert.deepEqual(a.payload, { response_type: 'ephemeral', text: 'Accepted: *Crab* 20240101 as job A-0001' });
    assert.ok(a.ms < 3000, `acked in ${a.ms} ms`);
    await core.settled();
    const l = core.launches.at(-1)!;
    const { channel, ts: rootTs } = { channel: l.thread.key.split(':')[0], ts: l.thread.key.split(':')[1] };
    assert.equal(channel, CHANNEL);
    assert.equal(l.rootId, rootTs);
    const root = fake.messages.find((m) => m.ts === rootTs)!;
    assert.equal(root.threadTs, undefined, 'root is a channel message');
    assert.equal(root.text, 'Job A-0001: Crab, night 20240101');
    const replies = fake.threadReplies(CHANNEL, rootTs);
    assert.deepEqual(
      replies.map((r) => r.text),
      ['running: dl1_to_dl2 4/4', 'Done: 5.2 σ'],
    );
    assert.deepEqual(replies[0].edits, ['running: dl1_to_dl2 0/4']);
    assert.equal(replies[0].ts, l.progressId);
    const files = fake.filesInThread(CHANNEL, rootTs);
    assert.equal(files.length, 1);
    assert.equal(files[0].filename, 'theta2.png');
    assert.equal(files[0].title, 'θ² plot');
    assert.ok(files[0].bytes!.equals(l.png), 'uploaded bytes are the PNG');
    // Every Web API call succeeded, with the bot token, and nothing Slack warns about.
    const webCalls = fake.calls.filter((c) => c.method !== 'apps.connections.open');
    for (const c of webCalls) {
      assert.ok(c.ok, `${c.method} failed: ${c.error}`);
      assert.equal(c.token, fake.botToken, `${c.method} used the bot token`);
      assert.deepEqual(c.warnings, [], `${c.method} warnings`);
    }
    assert.ok(webCalls.some((c) => c.method === 'files.getUploadURLExternal'));
    assert.ok(webCalls.some((c) => c.method === 'files.completeUploadExternal'));
    assert.ok(store.findJobByThread(l.thread), 'the job is found by its thread');
  });

  it('a typo gets the help reply within the deadline', async () => {
    const { ack } = await fake.slashCommand({ text: 'lunch Crab', channel_id: CHANNEL });
    const a = ack as EnvelopeAck;
    assert.ok(a.ms < 3000);
    const p = a.payload as { response_type: string; text: string };
    assert.equal(p.response_type, 'ephemeral');
    assert.match(p.text, /Did you mean `launch`\?/);
    assert.match(p.text, /Usage: \/astran launch &lt;source&gt; &lt;night&gt;/);
  });

  it('thread follow-ups reach the core with the thread key openThread returned', async () => {
    const l = core.launches.at(-1)!;
    const rootTs = l.thread.key.split(':')[1];
    const before = core.seen.length;
    await fake.userMessage({ channel: CHANNEL, user: 'U0ALICE', text: 'status', thread_ts: rootTs });
    await waitFor(() => fake.messages.some((m) => m.threadTs === rootTs && m.text === 'status: ok' && m.botId));
    const got = core.seen.slice(before);
    assert.equal(got.length, 1);
    assert.deepEqual(got[0].thread, l.thread);
    assert.equal(got[0].identity.userId, 'U0ALICE');
    assert.equal(got[0].identity.adapter, 'slack');
    assert.equal(got[0].text, 'status');
    assert.equal(store.findJobByThread(got[0].thread!)?.thread?.key, l.thread.key);

    // help with ephemeral reply: chat.postEphemeral into the thread, only for that user.
    await fake.userMessage({ channel: CHANNEL, user: 'U0ALICE', text: 'help', thread_ts: rootTs });
    await waitFor(() => fake.ephemerals.some((e) => e.text === 'help: ok'));
    const eph = fake.ephemerals.find((e) => e.text === 'help: ok')!;
    assert.equal(eph.user, 'U0ALICE');
    assert.equal(eph.threadTs, rootTs);
  });

  it('ignores chatter: top-level lines, foreign threads, its own posts', async () => {
    const before = core.seen.length;
    const { ts: foreignRoot } = await fake.userMessage({ channel: CHANNEL, user: 'U0BOB', text: 'lunch anyone?' });
    await fake.userMessage({ channel: CHANNEL, user: 'U0CAROL', text: 'status of lunch', thread_ts: foreignRoot });
    // Every delivery was acked (bolt acks events first), and the bot's own posts were echoed as events.
    assert.equal(core.seen.length, before);
    assert.ok(fake.acks.some((a) => a.type === 'events_api'));
    assert.ok(!core.seen.some((m) => m.identity.userId === fake.botUserId), 'own posts never become messages');
  });

  it('mentions anywhere are handled exactly once; other bots are flagged', async () => {
    const before = core.seen.length;
    await fake.userMessage({ channel: CHANNEL, user: 'U0BOB', text: `<@${fake.botUserId}> help` });
    const { ts: foreignRoot } = await fake.userMessage({ channel: CHANNEL, user: 'U0BOB', text: 'unrelated' });
    await fake.userMessage({ channel: CHANNEL, user: 'U0BOB', text: `<@${fake.botUserId}|astran>  status`, thread_ts: foreignRoot });
    const got = core.seen.slice(before);
    assert.deepEqual(got.map((m) => m.text), ['help', 'status']);
    assert.equal(got[0].thread, undefined, 'a top-level mention has no thread');
    assert.deepEqual(got[1].thread, { adapter: 'slack', key: `${CHANNEL}:${foreignRoot}` });
    const rootTs = core.launches.at(-1)!.thread.key.split(':')[1];
    await fake.userMessage({ channel: CHANNEL, user: 'B0OTHER', botId: 'B0OTHER', text: 'status', thread_ts: rootTs });
    const last = core.seen.at(-1)!;
    assert.equal(last.identity.isBot, true);
  });

  it('an envelope queued or unacked while the socket is down is delivered after bolt reconnects', async () => {
    const opened = fake.connectionsOpened;
    fake.dropSockets('terminate');
    // Sent while disconnected: the fake queues it, as Slack holds it for the next connection.
    const queued = fake.slashCommand({ text: 'status', channel_id: CHANNEL });
    const a = (await queued).ack as EnvelopeAck;
    assert.ok(fake.connectionsOpened > opened, 'bolt opened a new connection');
    assert.deepEqual(a.payload, { response_type: 'in_channel', text: 'status: ok' });

    // Delivered, then the socket drops before the ack: redelivered once, handled once, answer not lost.
    let release!: () => void;
    core.gates.set('slow', new Promise<void>((r) => (release = r)));
    const before = core.seen.length;
    const pending = fake.slashCommand({ text: 'slow', channel_id: CHANNEL });
    await waitFor(() => core.seen.length > before);
    fake.dropSockets('terminate');
    await fake.waitForConnection(1);
    release();
    const ack = (await pending).ack as EnvelopeAck;
    const slowMsgs = core.seen.slice(before).filter((m) => m.text === 'slow');
    assert.equal(slowMsgs.length, 1, 'the command ran once');
    const viaAck = (ack.payload as { text?: string } | null)?.text === 'slow: ok' ? 1 : 0;
    const viaUrl = () => fake.responseUrlPosts.filter((p) => p.body.text === 'slow: ok').length;
    await waitFor(() => viaAck + viaUrl() >= 1);
    await new Promise((r) => setTimeout(r, 100)); // room for a duplicate to show up, if any
    assert.equal(viaAck + viaUrl(), 1, 'the answer reached the user exactly once');

    // Same, but the core answers only after the redelivery reached the adapter: still exactly once.
    core.gates.set('slow', new Promise<void>((r) => (release = r)));
    const before2 = core.seen.length;
    const redelivered = fake.redeliveries;
    const urlBase = viaUrl();
    const pending2 = fake.slashCommand({ text: 'slow', channel_id: CHANNEL });
    await waitFor(() => core.seen.length > before2);
    fake.dropSockets('terminate');
    await waitFor(() => fake.redeliveries > redelivered);
    await new Promise((r) => setTimeout(r, 100));
    release();
    const ack2 = (await pending2).ack as EnvelopeAck;
    assert.equal(core.seen.slice(before2).filter((m) => m.text === 'slow').length, 1, 'the command ran once');
    const viaAck2 = (ack2.payload as { text?: string } | null)?.text === 'slow: ok' ? 1 : 0;
    await waitFor(() => viaAck2 + viaUrl() - urlBase >= 1);
    await new Promise((r) => setTimeout(r, 100)); // room for a duplicate to show up, if any
    assert.equal(viaAck2 + viaUrl() - urlBase, 1, 'the second answer reached the user exactly once');
    core.gates.delete('slow');

    // And a graceful `disconnect` from Slack: bolt reconnects and commands still work.
    fake.dropSockets('disconnect');
    const opened2 = fake.connectionsOpened;
    await waitFor(() => fake.connectionsOpened > opened2);
    const again = (await fake.slashCommand({ text: 'launch Crab 20240101', channel_id: CHANNEL })).ack as EnvelopeAck;
    assert.match((again.payload as { text: string }).text, /Accepted/);
    await core.settled();
    assert.equal(fake.pendingCount(), 0);
  });

  it('a handler slower than the deadline: empty ack in time, answer via response_url', async () => {
    const slowFake = await startFakeSlack({ channels: [CHANNEL] });
    const slowStore = new MemoryJobStore();
    const slowAdapter = slackAdapterForFake(slowFake, slowStore, { ack_deadline_s: 0.15 });
    await slowAdapter.start(async (msg) => {
      await new Promise((r) => setTimeout(r, 400));
      await msg.ack({ text: 'late answer', ephemeral: true });
    });
    try {
      const { ack, fields } = await slowFake.slashCommand({ text: 'status', channel_id: CHANNEL });
      const a = ack as EnvelopeAck;
      assert.equal(a.payload && Object.keys(a.payload as object).length, 0, 'empty ack payload');
      await waitFor(() => slowFake.responseUrlPosts.length === 1);
      const post = slowFake.responseUrlPosts[0];
      assert.equal(post.body.text, 'late answer');
      assert.equal(post.body.response_type, 'ephemeral');
      assert.ok(fields.response_url.endsWith(post.key));
    } finally {
      await slowAdapter.stop();
      await slowFake.close();
    }
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 10000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
