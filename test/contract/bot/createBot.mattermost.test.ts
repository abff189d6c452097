/**
 * The whole bot over Mattermost: the real createBot with the embedded default config (local backend, bundled
 * H.E.S.S. sample), its Mattermost adapter built from the config section by the bot's own factory, against the
 * fake Mattermost server (REST v4 + WebSocket + slash-command hooks).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeMattermost, type FakeMattermost, type FakePost } from '../../fakes/mattermost/FakeMattermost.js';
import type { MattermostAdapter } from '../../../adapters/mattermost/MattermostAdapter.js';
import { startBotHarness, waitUntil, isPng, type BotHarness } from '../../helpers/botHarness.js';

const SLASH_TOKEN = 'e2e-slash-token-7c1f0a9d3b';
const JOB = 'A-0001';

let fake: FakeMattermost;
let h: BotHarness;
let adapter: MattermostAdapter;
let slashUrl: string;

const botPosts = (rootId: string): FakePost[] => fake.thread(rootId).filter((p) => p.user_id === fake.bot.id && p.id !== rootId);
/** A status answer: Orchestrator.describe starts with the bold job id and has a State: line. */
const isStatusOf = (jobId: string) => (p: FakePost) => p.user_id === fake.bot.id && p.message.startsWith(`*${jobId}*`) && /\nState: /.test(p.message);
const slash = (text: string, o: { token?: string; user?: FakeMattermost['alice'] } = {}) => fake.slashCommand(slashUrl, { token: o.token ?? SLASH_TOKEN, text, ...(o.user ? { user: o.user } : {}) });

before(async () => {
  fake = await startFakeMattermost();
  h = await startBotHarness({
    prefix: 'astran-mm-',
    adapters: {
      mattermost: {
        url: fake.url,
        listen: { host: '127.0.0.1', port: 0, path: '/mattermost/command' },
        reconnect: { min_s: 0.02, max_s: 0.2 },
      },
    },
    users: { [`mattermost:${fake.alice.id}`]: 'launcher', [`mattermost:${fake.bob.id}`]: 'viewer' },
    env: { MATTERMOST_BOT_TOKEN: fake.bot.token, MATTERMOST_SLASH_TOKEN: SLASH_TOKEN },
  });
  adapter = h.bot.adapters.get('mattermost') as MattermostAdapter;
  assert.ok(adapter, 'the configured Mattermost adapter');
  slashUrl = adapter.slashCommandUrl!;
  await waitUntil(() => adapter.socketConnected && fake.socketCount >= 1, 'the bot WebSocket');
  await adapter.whenIdle();
});

after(async () => {
  await h?.close();
  await fake?.close();
});

test('a wrong slash-command token → 401 and nothing dispatched', async () => {
  const postsBefore = fake.posts.size;
  const r = await slash('launch source=Crab date=20041204', { token: 'not-the-token-000000000' });
  assert.equal(r.status, 401);
  assert.doesNotMatch(JSON.stringify(r.body), /A-\d{4}|launch/);
  await adapter.whenIdle();
  assert.equal(h.store.listJobs().length, 0, 'no job');
  assert.equal(fake.posts.size, postsBefore, 'no post');
  assert.equal(fake.hookResponses.length, 0, 'no late answer');
});

test('a typo → the help text as the slash-command response', async () => {
  const r = await slash('lanch source=Crab date=20041204');
  assert.equal(r.status, 200);
  const body = r.body as { response_type: string; text: string };
  assert.equal(body.response_type, 'ephemeral');
  assert.notEqual(body.text, 'Working on it…');
  assert.match(body.text, /Did you mean `launch`\?/);
  assert.match(body.text, /Commands: .*`status`.*`help`/, 'lists the commands');
  assert.equal(h.store.listJobs().length, 0);
});

test('an unknown user → polite refusal, no job', async () => {
  const mallory = fake.addUser('mallory', false);
  fake.channel.members.add(mallory.id);
  const r = await slash('launch source=Crab date=20041204', { user: mallory });
  assert.equal(r.status, 200);
  const body = r.body as { response_type: string; text: string };
  assert.equal(body.response_type, 'ephemeral');
  assert.match(body.text, /access list/);
  assert.ok(body.text.includes(mallory.id), 'names the identity to add');
  assert.equal(h.store.listJobs().length, 0);
});

test('slash launch → root post, progress patched in place, summary + 6 PNGs in the thread; WebSocket drop mid-job', { timeout: 120_000 }, async () => {
  // The sample job takes well under a second: drop the WebSocket the moment the job exists (before its runner
  // starts), so the drop is mid-job by construction. REST keeps working.
  let stateAtDrop: string | undefined;
  h.bot.orchestrator.once('launched', (j: { id: string; state: string }) => {
    stateAtDrop = j.state;
    fake.setWebSocketAvailable(false);
  });
  const r = await slash('launch source=Crab date=20041204');
  assert.equal(r.status, 200);
  const ack = r.body as { response_type: string; text: string };
  // Answered by the dispatcher within the deadline (not the "Working on it…" placeholder) and naming the job.
  assert.equal(ack.response_type, 'ephemeral');
  assert.match(ack.text, new RegExp(`Launched \\*${JOB}\\*`));
  assert.equal(fake.hookResponses.length, 0, 'no late answer through response_url');

  const launched = h.store.getJob(JOB)!;
  assert.ok(launched.thread, 'the job has a thread');
  const rootId = launched.thread.key;
  const root = fake.posts.get(rootId)!;
  assert.equal(root.user_id, fake.bot.id);
  assert.equal(root.channel_id, fake.channel.id);
  assert.equal(root.root_id, '', 'a root post in the channel');
  assert.match(root.message, new RegExp(`\\*${JOB}\\* · Crab`));

  // Alice asks for status while the socket is down.
  assert.equal(stateAtDrop, 'queued', 'the socket dropped mid-job');
  await waitUntil(() => !adapter.socketConnected, 'the socket to notice the drop');
  const question = fake.userPost(fake.alice, fake.channel.id, 'status', rootId);
  // Give the bot a chance to (wrongly) answer without the socket.
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(fake.thread(rootId).filter((p) => p.create_at > question.create_at && isStatusOf(JOB)(p)).length, 0, 'not seen while the socket is down');

  const final = await h.waitFinal(JOB);
  assert.equal(final.state, 'done', JSON.stringify(final.error));

  fake.setWebSocketAvailable(true);
  await waitUntil(() => adapter.socketConnected && fake.socketCount >= 1, 'the WebSocket reconnect', 10_000);
  await waitUntil(() => fake.thread(rootId).some((p) => p.create_at > question.create_at && isStatusOf(JOB)(p)), 'the status answer after the reconnect', 10_000);
  await adapter.whenIdle();
  // A second reconnect must not answer it again.
  fake.dropWebSockets();
  await waitUntil(() => adapter.socketConnected && fake.socketCount >= 1, 'the second reconnect', 10_000);
  await adapter.whenIdle();
  const answers = fake.thread(rootId).filter((p) => p.create_at > question.create_at && isStatusOf(JOB)(p));
  assert.equal(answers.length, 1, 'the status posted while the socket was down is answered exactly once');
  assert.equal(answers[0].root_id, rootId);
  assert.match(answers[0].message, /State: done/);

  // Progress: one post in the thread, created once and patched in place.
  const job = h.store.getJob(JOB)!;
  assert.ok(job.progressMessage, 'a progress message');
  const progress = fake.posts.get(job.progressMessage.id)!;
  assert.equal(progress.root_id, rootId, 'progress is in the thread');
  const patches = fake.calls.filter((c) => c.method === 'PUT' && c.path === `/api/v4/posts/${progress.id}/patch`);
  assert.ok(patches.length >= 1, 'the progress post was patched');
  assert.ok(patches.every((c) => c.status === 200));
  assert.ok(progress.edit_at > 0);
  assert.match(progress.message, /done/);
  assert.equal(botPosts(rootId).filter((p) => /^(📊|✅ done ·)/.test(p.message)).length, 1, 'progress lines are edits, not new posts');

  // The summary and its plots in the thread: 6 PNGs with file ids (at most 5 per post): the four counts plots, and
  // lightcurve.png + spectrum.png because the sample's files carry IRFs.
  const summary = botPosts(rootId).find((p) => p.message.startsWith(`✅ *${JOB}* done`));
  assert.ok(summary, 'the final summary in the thread');
  assert.match(summary.message, /σ\* \(Li & Ma\)/);
  const withFiles = botPosts(rootId).filter((p) => p.file_ids.length > 0);
  const fileIds = withFiles.flatMap((p) => p.file_ids);
  assert.equal(fileIds.length, 6, 'six plots');
  assert.ok(withFiles.every((p) => p.root_id === rootId && p.file_ids.length <= 5));
  for (const id of fileIds) {
    const f = fake.files.get(id)!;
    assert.match(f.name, /\.png$/);
    assert.equal(f.mime_type, 'image/png');
    assert.ok(isPng(f.data), `${f.name} is a PNG`);
    assert.equal(f.channel_id, fake.channel.id);
  }
  assert.deepEqual(new Set(fileIds.map((id) => fake.files.get(id)!.name)), new Set((job.result as { images: string[] }).images));

  // Every REST call the bot made succeeded.
  const failed = fake.calls.filter((c) => c.userId === fake.bot.id && c.status >= 400);
  assert.deepEqual(failed.map((c) => `${c.method} ${c.path} ${c.status} ${c.errorId}`), []);
  console.log(
    `slash ack in ${r.elapsedMs.toFixed(0)} ms; thread: ${fake.thread(rootId).length} posts, ${fileIds.length} files (${fileIds.map((id) => fake.files.get(id)!.name).join(', ')}), ${patches.length} patch(es) of the progress post`,
  );
});

test('`status` typed in the job thread → answered in that thread for that job', async () => {
  const rootId = h.store.getJob(JOB)!.thread!.key;
  const q = fake.userPost(fake.bob, fake.channel.id, 'status', rootId);
  await waitUntil(() => fake.thread(rootId).some((p) => p.create_at > q.create_at && isStatusOf(JOB)(p)), 'the status answer in the thread');
  await adapter.whenIdle();
  const answers = fake.thread(rootId).filter((p) => p.create_at > q.create_at && isStatusOf(JOB)(p));
  assert.equal(answers.length, 1);
  assert.match(answers[0].message, /Crab Nebula · night 20041204 · 2 run\(s\) \(23523, 23526\)/);
});

test('`@astran status A-0001` elsewhere in the channel → answered in that post\'s thread', async () => {
  const q = fake.userPost(fake.alice, fake.channel.id, `@astran status ${JOB}`);
  await waitUntil(() => fake.thread(q.id).some((p) => isStatusOf(JOB)(p)), 'the answer to the mention');
  const answer = fake.thread(q.id).find(isStatusOf(JOB))!;
  assert.equal(answer.root_id, q.id);
  assert.equal(answer.channel_id, fake.channel.id);
  // A plain channel post without a mention is not for the bot.
  const n = fake.posts.size;
  fake.userPost(fake.alice, fake.channel.id, `status ${JOB}`);
  await new Promise((r) => setTimeout(r, 200));
  await adapter.whenIdle();
  assert.equal(fake.posts.size, n + 1, 'no answer to a post that does not mention the bot');
});
