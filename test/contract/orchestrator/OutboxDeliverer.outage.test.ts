/**
 * A chat platform outage through the whole bot (#12 "Platform outages announced", "fallback via the job's other
 * channel"): alice launches on Mattermost (the fake server), and the people directory knows her on Slack too (the fake
 * Slack). Mattermost goes down while her job runs, for longer than `bot.delivery.outage_notice_s`, and comes back.
 * Counted: alice is told once on Slack (a direct message) that her thread cannot be reached and once that it works
 * again; every message of the job reaches the Mattermost thread exactly once, the summary included; the job is final
 * only once its summary was delivered. Her Slack identity comes from the `people` section, as in production.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeMattermost } from '../../fakes/mattermost/FakeMattermost.js';
import { startFakeSlack } from '../../fakes/slack/FakeSlack.js';
import { slackAdapterForFake } from '../../fakes/slack/adapterForFake.js';
import { startBotHarness, waitUntil } from '../../helpers/botHarness.js';
import { MemoryJobStore } from '../../../src/store/MemoryJobStore.js';
import type { MattermostAdapter } from '../../../adapters/mattermost/MattermostAdapter.js';

const SLASH_TOKEN = 'outage-slash-token-5b2e8c1f0a';

test('Mattermost down during a job: told once on Slack when it starts and once when it is over; every message once', { timeout: 150_000 }, async () => {
  const mm = await startFakeMattermost();
  const slack = await startFakeSlack({ channels: ['C0ASTRAN'] });
  const store = new MemoryJobStore();
  const h = await startBotHarness({
    prefix: 'astran-outage-',
    store,
    adapters: { mattermost: { url: mm.url, listen: { host: '127.0.0.1', port: 0, path: '/mattermost/command' }, reconnect: { min_s: 0.05, max_s: 0.5 } } },
    users: { [`mattermost:${mm.alice.id}`]: 'launcher' },
    env: { MATTERMOST_BOT_TOKEN: mm.bot.token, MATTERMOST_SLASH_TOKEN: SLASH_TOKEN },
    bot: { delivery: { retry_initial_s: 0.1, retry_max_s: 0.4, patience_s: 600, outage_notice_s: 1 } },
    extraAdapters: [slackAdapterForFake(slack, store)],
    // The people directory links her two identities: Mattermost alice is Slack U0ALICE.
    people: { alice: { role: 'launcher', identities: [`mattermost:${mm.alice.id}`, 'slack:U0ALICE'] } },
  });
  try {
    const adapter = h.bot.adapters.get('mattermost') as MattermostAdapter;
    await waitUntil(() => adapter.socketConnected, 'the bot WebSocket');
    const r = await mm.slashCommand(adapter.slashCommandUrl!, { token: SLASH_TOKEN, text: 'launch source=Crab date=20041204' });
    assert.equal(r.status, 200);
    await waitUntil(() => store.getJob('A-0001')?.thread !== null && store.getJob('A-0001') !== undefined, 'the job thread');
    const rootId = store.getJob('A-0001')!.thread!.key;

    mm.down();
    const dm = () => slack.messages.filter((m) => m.channel === 'D0ALICE');
    await waitUntil(() => dm().length >= 1, 'the outage notice on Slack', 30_000);
    assert.match(dm()[0].text, /Job A-0001: ASTRAN cannot post to the job's Mattermost thread since \d\d:\d\d UTC/);
    // Longer than the notice threshold and several retries: still one notice.
    await new Promise((res) => setTimeout(res, 2500));
    assert.equal(dm().length, 1, 'told once per outage');
    mm.up();

    const job = await h.waitFinal('A-0001', 120_000);
    assert.equal(job.state, 'done', JSON.stringify(job.error));
    await waitUntil(() => dm().length >= 2, 'the end notice on Slack', 30_000);
    await h.bot.orchestrator.deliverer.idle();
    assert.equal(dm().length, 2, 'told once when it is over');
    assert.match(dm()[1].text, /Job A-0001: posting to its Mattermost thread works again \(after \d+[sm]/);

    // Every job message reached the thread exactly once (the fake drops repeats by pending_post_id, so count texts).
    const posts = mm.thread(rootId).filter((p) => p.user_id === mm.bot.id && p.id !== rootId);
    const texts = posts.map((p) => p.message);
    assert.equal(texts.filter((t) => /Crab/.test(t) && /σ/.test(t) && /A-0001/.test(t)).length >= 1, true, 'the summary arrived');
    assert.equal(new Set(texts).size, texts.length, `no message twice:\n${texts.join('\n---\n')}`);
    const outbox = store.outboxOfJob('A-0001');
    assert.ok(outbox.every((i) => i.state === 'delivered'), 'everything delivered');
    const final = outbox.filter((i) => i.role?.startsWith('final'));
    assert.equal(final.length, 1);
    assert.ok(outbox.some((i) => i.thread.adapter === 'mattermost' && i.firstFailureAt !== null), 'some messages really were held back by the outage');
    assert.equal(store.events('A-0001', 100).filter((e) => e.kind === 'delivery_outage_start').length, 1);
    assert.equal(store.events('A-0001', 100).filter((e) => e.kind === 'delivery_outage_end').length, 1);
  } finally {
    await h.close();
    await mm.close();
    await slack.close();
  }
});

test('Slack down during a job launched there: told once in a Mattermost direct message when it starts and once when it is over', { timeout: 150_000 }, async () => {
  const mm = await startFakeMattermost();
  const slack = await startFakeSlack({ channels: ['C0ASTRAN'] });
  const store = new MemoryJobStore();
  const h = await startBotHarness({
    prefix: 'astran-outage-slack-',
    store,
    adapters: { mattermost: { url: mm.url, reconnect: { min_s: 0.05, max_s: 0.5 } } },
    users: { 'slack:U0ALICE': 'launcher' },
    env: { MATTERMOST_BOT_TOKEN: mm.bot.token },
    bot: { delivery: { retry_initial_s: 0.1, retry_max_s: 0.4, patience_s: 600, outage_notice_s: 1 } },
    extraAdapters: [slackAdapterForFake(slack, store)],
    people: { alice: { role: 'launcher', identities: ['slack:U0ALICE', `mattermost:${mm.alice.id}`] } },
  });
  try {
    const { ack } = await slack.slashCommand({ text: 'launch source=Crab date=20041204', channel_id: 'C0ASTRAN', user_id: 'U0ALICE' });
    assert.ok(ack, 'the launch was acknowledged');
    await waitUntil(() => store.getJob('A-0001')?.thread != null, 'the job thread', 30_000);
    const [channel, rootTs] = store.getJob('A-0001')!.thread!.key.split(':');

    slack.down();
    const dmPosts = () => {
      const dm = [...mm.channels.values()].find((c) => c.type === 'D' && c.members.has(mm.alice.id) && c.members.has(mm.bot.id));
      return dm ? [...mm.posts.values()].filter((p) => p.channel_id === dm.id && p.user_id === mm.bot.id) : [];
    };
    await waitUntil(() => dmPosts().length >= 1, 'the outage notice in the Mattermost DM', 30_000);
    assert.match(dmPosts()[0].message, /Job A-0001: ASTRAN cannot post to the job's Slack thread since \d\d:\d\d UTC/);
    await new Promise((res) => setTimeout(res, 2500));
    assert.equal(dmPosts().length, 1, 'told once per outage');
    slack.up();
    // Socket Mode reconnects once Slack is back (and the adapter stops cleanly afterwards).
    await waitUntil(() => slack.socketCount() >= 1, 'the Socket Mode connection again', 60_000);

    const job = await h.waitFinal('A-0001', 120_000);
    assert.equal(job.state, 'done', JSON.stringify(job.error));
    await waitUntil(() => dmPosts().length >= 2, 'the end notice', 30_000);
    await h.bot.orchestrator.deliverer.idle();
    assert.equal(dmPosts().length, 2, 'told once when it is over');
    assert.match(dmPosts()[1].message, /Job A-0001: posting to its Slack thread works again/);
    const texts = slack.threadReplies(channel, rootTs).map((m) => m.text);
    assert.equal(new Set(texts).size, texts.length, `no message twice in the Slack thread:\n${texts.join('\n---\n')}`);
    assert.ok(store.outboxOfJob('A-0001').every((i) => i.state === 'delivered'), 'everything delivered');
  } finally {
    await h.close();
    await mm.close();
    await slack.close();
  }
});
