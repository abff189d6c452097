/**
 * The Mattermost adapter against the fake server: slash commands, threads, progress edits, file
 * uploads, mentions and follow-ups, token checks, and catch-up after a dropped WebSocket.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InboundMessage, OutboundFile } from '../../../../src/core/types.js';
import { startMattermostRig, waitFor, type MattermostRig } from '../../../fakes/mattermost/mattermostRig.js';
import type { FakePost } from '../../../fakes/mattermost/FakeMattermost.js';

const png = (i: number): OutboundFile => ({ name: `plot${i}.png`, contentType: 'image/png', data: Buffer.from([0x89, 0x50, 0x4e, 0x47, i]) });

/** Handler recording every message; `launch` runs a miniature job through openThread/send/edit. */
function recorder(rigRef: { rig?: MattermostRig }) {
  const seen: InboundMessage[] = [];
  const handler = async (msg: InboundMessage): Promise<void> => {
    seen.push(msg);
    const words = msg.text.trim().split(/\s+/);
    if (words[0] === 'launch') {
      await msg.ack({ text: 'Launching job…', ephemeral: true });
      const { adapter, store } = rigRef.rig!;
      const job = store.createJob({ params: { source: 'Crab', nightFrom: '20240101', nightTo: '20240101' }, requester: msg.identity });
      const { thread, root } = await adapter.openThread(msg, { text: `Job ${job.id}: Crab 20240101` }, job.id);
      store.updateJob(job.id, { thread, progressMessage: root });
      const progress = await adapter.send(thread, { text: 'progress: 0/3 runs' });
      await adapter.edit(progress, { text: 'progress: 3/3 runs' });
      await adapter.send(thread, { text: 'Done: 12.3σ', files: Array.from({ length: 7 }, (_, i) => png(i)) });
    } else if (words[0] === 'lanch') {
      await msg.ack({ text: 'Unknown command "lanch". Did you mean `launch`? Try `help`.', ephemeral: true });
    } else if (words[0] === 'quiet') {
      await msg.ack();
    } else if (words[0] === 'slow') {
      await new Promise((r) => setTimeout(r, 400));
      await msg.ack({ text: 'slow answer', ephemeral: false });
    } else {
      await msg.ack({ text: `ok: ${msg.text}` });
    }
  };
  return { seen, handler };
}

async function setup(config?: Record<string, unknown>) {
  const ref: { rig?: MattermostRig } = {};
  const rec = recorder(ref);
  ref.rig = await startMattermostRig({ handler: rec.handler, config });
  return { rig: ref.rig, ...rec };
}

function adapterCallsOk(rig: MattermostRig): void {
  const bad = rig.fake.calls.filter((c) => c.path.startsWith('/api/v4/') && c.userId === rig.fake.bot.id && c.status >= 400);
  assert.deepEqual(bad, [], 'no REST call of the bot failed');
  assert.ok(rig.fake.calls.filter((c) => c.path.startsWith('/api/v4/')).every((c) => c.auth === 'ok'), 'every REST call carried the bot token');
}

test('a slash command launch runs through openThread/send/edit/upload, all in one thread', async () => {
  const { rig, seen } = await setup();
  try {
    const r = await rig.fake.slashCommand(rig.slashUrl, { token: rig.slashToken, text: 'launch Crab 20240101' });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { response_type: 'ephemeral', text: 'Launching job…' });
    assert.equal(seen.length, 1);
    assert.deepEqual(seen[0].identity, { adapter: 'mattermost', userId: rig.fake.alice.id, displayName: 'alice' });
    assert.equal(seen[0].channel, rig.fake.channel.id);
    assert.equal(seen[0].thread, undefined);

    await waitFor(() => rig.fake.postsBy(rig.fake.bot).length >= 4, 'the job posts');
    await rig.adapter.whenIdle();
    const [root, ...replies] = rig.fake.postsBy(rig.fake.bot);
    assert.equal(root.root_id, '');
    assert.equal(root.channel_id, rig.fake.channel.id);
    assert.match(root.message, /^Job A-0001/);
    assert.ok(replies.every((p) => p.root_id === root.id && p.channel_id === root.channel_id), 'every reply threads under the root');
    assert.equal(replies[0].message, 'progress: 3/3 runs');
    assert.ok(replies[0].edit_at > 0, 'progress edited in place');
    const withFiles = replies.filter((p) => p.file_ids.length > 0);
    assert.deepEqual(withFiles.map((p) => p.file_ids.length), [5, 2]);
    assert.equal(withFiles[0].message, 'Done: 12.3σ');
    const names = withFiles.flatMap((p) => p.file_ids.map((id) => rig.fake.files.get(id)!.name));
    assert.deepEqual(names, Array.from({ length: 7 }, (_, i) => `plot${i}.png`));
    assert.deepEqual([...rig.fake.files.get(withFiles[1].file_ids[1])!.data], [0x89, 0x50, 0x4e, 0x47, 6]);

    const job = rig.store.findJobByThread({ adapter: 'mattermost', key: root.id });
    assert.equal(job?.id, 'A-0001');
    assert.equal(seen.length, 1, 'the bot never dispatched its own posts');
    adapterCallsOk(rig);
  } finally {
    await rig.close();
  }
});

test('a typo gets its help text as the immediate slash-command answer', async () => {
  const { rig, seen } = await setup();
  try {
    const r = await rig.fake.slashCommand(rig.slashUrl, { token: rig.slashToken, text: 'lanch Crab' });
    assert.equal(r.status, 200);
    const body = r.body as { response_type: string; text: string };
    assert.equal(body.response_type, 'ephemeral');
    assert.match(body.text, /Did you mean `launch`/);
    assert.equal(seen.length, 1);
    assert.equal(rig.fake.postsBy(rig.fake.bot).length, 0, 'nothing posted in the channel');
  } finally {
    await rig.close();
  }
});

test('an answer later than the deadline goes through response_url after a holding reply', async () => {
  const { rig } = await setup({ ack_deadline_s: 0.1 });
  try {
    const r = await rig.fake.slashCommand(rig.slashUrl, { token: rig.slashToken, text: 'slow' });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { response_type: 'ephemeral', text: 'Working on it…' });
    await waitFor(() => rig.fake.hookResponses.length === 1, 'the late reply');
    assert.deepEqual(rig.fake.hookResponses[0].body, { response_type: 'in_channel', text: 'slow answer' });
  } finally {
    await rig.close();
  }
});

test('wrong or missing slash-command tokens are refused with 401 and nothing is dispatched', async () => {
  const { rig, seen } = await setup();
  try {
    for (const token of ['wrong-token', '', rig.slashToken + 'x', rig.slashToken.slice(0, -1)]) {
      const r = await rig.fake.slashCommand(rig.slashUrl, { token, text: 'launch Crab 20240101' });
      assert.equal(r.status, 401, `token ${JSON.stringify(token)}`);
    }
    const noAuth = await fetch(rig.slashUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ channel_id: rig.fake.channel.id, user_id: rig.fake.alice.id, text: 'launch' }).toString(),
    });
    assert.equal(noAuth.status, 401);
    const notForm = await fetch(rig.slashUrl, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Token ${rig.slashToken}` }, body: '{}' });
    assert.equal(notForm.status, 415);
    assert.equal(seen.length, 0);
    assert.equal(rig.fake.postsBy(rig.fake.bot).length, 0);
  } finally {
    await rig.close();
  }
});

async function launchJob(rig: MattermostRig): Promise<FakePost> {
  await rig.fake.slashCommand(rig.slashUrl, { token: rig.slashToken, text: 'launch Crab 20240101' });
  await waitFor(() => rig.fake.postsBy(rig.fake.bot).filter((p) => p.file_ids.length > 0).length === 2, 'the job to finish posting');
  await rig.adapter.whenIdle();
  return rig.fake.postsBy(rig.fake.bot)[0];
}

test('thread follow-ups and mentions become InboundMessages with the right thread key; bots and noise do not', async () => {
  const { rig, seen } = await setup();
  try {
    const root = await launchJob(rig);
    seen.length = 0;
    const { fake } = rig;
    const followUp = fake.userPost(fake.bob, fake.channel.id, 'status', root.id);
    await waitFor(() => seen.length === 1, 'the follow-up');
    assert.equal(seen[0].id, followUp.id);
    assert.deepEqual(seen[0].thread, { adapter: 'mattermost', key: root.id });
    assert.deepEqual(seen[0].identity, { adapter: 'mattermost', userId: fake.bob.id, displayName: 'bob' });
    assert.equal(seen[0].text, 'status');
    await waitFor(() => fake.thread(root.id).some((p) => p.user_id === fake.bot.id && p.message === 'ok: status'), 'the ack in the thread');

    // Noise: a top-level post without mention, a reply in another thread, another bot (flagged), our own posts.
    const other = fake.userPost(fake.alice, fake.channel.id, 'lunch?');
    fake.userPost(fake.bob, fake.channel.id, 'status', other.id);
    fake.userPost(fake.otherBot, fake.channel.id, 'cancel', root.id);
    await waitFor(() => seen.length === 2, 'the other bot message');
    assert.equal(seen[1].identity.isBot, true);

    const mention = fake.userPost(fake.alice, fake.channel.id, '@astran help');
    await waitFor(() => seen.length === 3, 'the mention');
    assert.equal(seen[2].text, 'help');
    assert.deepEqual(seen[2].thread, { adapter: 'mattermost', key: mention.id });
    await waitFor(() => fake.thread(mention.id).some((p) => p.user_id === fake.bot.id), 'the ack under the mention');
    const ack = fake.thread(mention.id).find((p) => p.user_id === fake.bot.id)!;
    assert.equal(ack.root_id, mention.id);

    // A mention inside someone else's thread: the thread is that thread's root; openThread posts there.
    const inThread = fake.userPost(fake.bob, fake.channel.id, '@astran launch Crab 20240101', other.id);
    await waitFor(() => seen.length === 4, 'the in-thread mention');
    assert.deepEqual(seen[3].thread, { adapter: 'mattermost', key: other.id });
    assert.equal(seen[3].id, inThread.id);
    await waitFor(() => fake.thread(other.id).filter((p) => p.user_id === fake.bot.id && p.file_ids.length > 0).length === 2, 'the second job');
    await rig.adapter.whenIdle();
    assert.equal(rig.store.findJobByThread({ adapter: 'mattermost', key: other.id })?.id, 'A-0002');
    assert.equal(seen.length, 4, 'no post handled twice, no own posts dispatched');
    adapterCallsOk(rig);
  } finally {
    await rig.close();
  }
});

test('long messages are split under 16,383 runes; long edits are truncated', async () => {
  const { rig } = await setup();
  try {
    const root = await launchJob(rig);
    const line = 'θ² histogram row with some numbers 0.0123 0.0456\n';
    const long = line.repeat(Math.ceil(40_000 / line.length));
    const ref = await rig.adapter.send({ adapter: 'mattermost', key: root.id }, { text: long });
    const posts = rig.fake.thread(root.id).filter((p) => p.create_at >= rig.fake.posts.get(ref.id)!.create_at);
    assert.equal(posts.length, 3);
    assert.ok(posts.every((p) => Array.from(p.message).length <= 16_383));
    assert.equal(posts.map((p) => p.message).join(''), long);
    await rig.adapter.edit(ref, { text: long });
    const edited = rig.fake.posts.get(ref.id)!;
    assert.ok(Array.from(edited.message).length <= 16_383);
    assert.match(edited.message, /truncated\)$/);
    adapterCallsOk(rig);
  } finally {
    await rig.close();
  }
});

test('a dropped WebSocket reconnects and posts made meanwhile are caught up exactly once', async () => {
  const { rig, seen } = await setup();
  try {
    const root = await launchJob(rig);
    const { fake } = rig;
    seen.length = 0;
    fake.setWebSocketAvailable(false);
    await waitFor(() => !rig.adapter.socketConnected, 'the socket to drop');
    const missed = [
      fake.userPost(fake.bob, fake.channel.id, 'status', root.id),
      fake.userPost(fake.alice, fake.channel.id, 'noise while down'),
      fake.userPost(fake.alice, fake.channel.id, '@astran jobs'),
      fake.userPost(fake.bob, fake.channel.id, 'cancel', root.id),
    ];
    // The bot keeps posting progress while its socket is down: that must not hide the posts above.
    await rig.adapter.send({ adapter: 'mattermost', key: root.id }, { text: 'progress while the socket is down' });
    const callsBefore = fake.calls.length;
    fake.setWebSocketAvailable(true);
    await waitFor(() => rig.adapter.socketConnected && seen.length === 3, 'the catch-up');
    await rig.adapter.whenIdle();
    assert.deepEqual(seen.map((m) => m.id), [missed[0].id, missed[2].id, missed[3].id]);
    assert.deepEqual(seen.map((m) => m.thread?.key), [root.id, missed[2].id, root.id]);
    assert.ok(fake.calls.slice(callsBefore).some((c) => c.path === `/api/v4/channels/${fake.channel.id}/posts` && c.query.since !== undefined), 'catch-up used ?since=');

    // Live again (a post the bot does not answer, so it is the newest one the catch-up sees), then a
    // second drop with nothing missed: the overlap of catch-up and live stream re-delivers nothing.
    const live = fake.userPost(fake.bob, fake.channel.id, 'quiet', root.id);
    await waitFor(() => seen.length === 4, 'the live post');
    assert.equal(seen[3].id, live.id);
    const callsMark = fake.calls.length;
    fake.dropWebSockets();
    await waitFor(() => !rig.adapter.socketConnected, 'the second drop');
    await waitFor(() => fake.calls.slice(callsMark).some((c) => c.query.since !== undefined), 'the second catch-up');
    await rig.adapter.whenIdle();
    const after = fake.userPost(fake.bob, fake.channel.id, 'status', root.id);
    await waitFor(() => seen.length === 5, 'the post after the second reconnect');
    await rig.adapter.whenIdle();
    assert.equal(seen[4].id, after.id);
    assert.equal(new Set(seen.map((m) => m.id)).size, seen.length, 'no post handled twice');
  } finally {
    await rig.close();
  }
});

test('a lost WebSocket event (sequence gap) makes the adapter reconnect and catch up', async () => {
  const { rig, seen } = await setup();
  try {
    const root = await launchJob(rig);
    const { fake } = rig;
    seen.length = 0;
    fake.loseNextEvents(1);
    const lost = fake.userPost(fake.bob, fake.channel.id, 'status', root.id);
    const next = fake.userPost(fake.alice, fake.channel.id, 'cancel', root.id);
    await waitFor(() => seen.length === 2, 'both posts');
    await rig.adapter.whenIdle();
    assert.deepEqual(seen.map((m) => m.id), [lost.id, next.id]);
  } finally {
    await rig.close();
  }
});

test('without the Authorization header (a proxy strips it) the socket authenticates by challenge', async () => {
  const { rig, seen } = await setup();
  try {
    const { fake } = rig;
    fake.setWebSocketHeaderAuth(false);
    fake.dropWebSockets();
    await waitFor(() => !rig.adapter.socketConnected, 'the drop');
    await waitFor(() => fake.socketCount === 1, 'an authenticated socket');
    const p = fake.userPost(fake.alice, fake.channel.id, '@astran help');
    await waitFor(() => seen.length === 1, 'the mention');
    assert.equal(seen[0].id, p.id);
  } finally {
    await rig.close();
  }
});

test('after a restart the new adapter catches up on posts made while it was stopped', async () => {
  const ref: { rig?: MattermostRig } = {};
  const rec = recorder(ref);
  const rig = await startMattermostRig({ handler: rec.handler });
  ref.rig = rig;
  try {
    const root = await launchJob(rig);
    await rig.adapter.stop();
    const whileDown = rig.fake.userPost(rig.fake.bob, rig.fake.channel.id, 'status', root.id);
    const after: InboundMessage[] = [];
    await rig.restartAdapter(async (m) => {
      after.push(m);
      await m.ack();
    });
    await waitFor(() => after.length === 1, 'the caught-up post');
    assert.equal(after[0].id, whileDown.id);
    assert.deepEqual(after[0].thread, { adapter: 'mattermost', key: root.id });
  } finally {
    await rig.close();
  }
});
