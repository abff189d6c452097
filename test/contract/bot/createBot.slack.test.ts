/**
 * End to end through the whole bot: the Slack adapter (Socket Mode, against the fake) with the
 * real dispatcher, orchestrator, local backend and analysis on the bundled H.E.S.S. sample.
 * A slash command launches; the root message, progress edits, summary and PNG plots land in
 * the job's thread; `status` typed in the thread is answered there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/bot/config.js';
import { createBot } from '../../../src/bot/createBot.js';
import { MemoryJobStore } from '../../../src/store/MemoryJobStore.js';
import { silentLogger } from '../../../src/log.js';
import { startFakeSlack, type EnvelopeAck } from '../../fakes/slack/FakeSlack.js';
import { slackAdapterForFake } from '../../fakes/slack/adapterForFake.js';

const CHANNEL = 'C0ASTRAN';

test('slash launch on the sample data → plots in the Slack thread', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'astran-slack-'));
  const loaded = loadConfig();
  loaded.config.auth.users = { 'slack:U0ALICE': 'launcher' } as typeof loaded.config.auth.users;
  loaded.config.backends.local = { ...(loaded.config.backends.local as object), workdir: join(dir, 'work') };
  const fake = await startFakeSlack({ channels: [CHANNEL] });
  const store = new MemoryJobStore();
  const adapter = slackAdapterForFake(fake, store);
  const bot = await createBot({ loaded, env: {}, log: silentLogger, store, adapters: [adapter], resultsDir: join(dir, 'out') });
  await bot.start({ resume: false });
  try {
    const { ack } = await fake.slashCommand({ text: 'launch source=Crab date=20041204', channel_id: CHANNEL, user_id: 'U0ALICE' });
    const a = ack as EnvelopeAck;
    assert.ok(a.ms < 3000);
    assert.match((a.payload as { text: string }).text, /A-0001/);
    await waitFor(() => ['done', 'failed', 'cancelled'].includes(store.getJob('A-0001')?.state ?? ''), 90_000);
    const job = store.getJob('A-0001')!;
    assert.equal(job.state, 'done', JSON.stringify(job.error));
    const [channel, rootTs] = job.thread!.key.split(':');
    assert.equal(channel, CHANNEL);
    // The summary with the plots follows the state change.
    await waitFor(() => fake.filesInThread(CHANNEL, rootTs).length > 0 && fake.threadReplies(CHANNEL, rootTs).length >= 3, 30_000).catch(() => undefined);
    const replies = fake.threadReplies(CHANNEL, rootTs);
    assert.ok(replies.length >= 1, 'messages in the thread');
    const files = fake.filesInThread(CHANNEL, rootTs);
    if (!files.length) console.log(JSON.stringify({ replies: replies.map((r) => r.text.slice(0, 200)), calls: fake.calls.map((c) => [c.method, c.ok, c.error, c.args.thread_ts]) }, null, 1));
    assert.ok(files.length >= 1, 'plots uploaded to the thread');
    for (const f of files) {
      assert.match(f.filename, /\.png$/);
      assert.ok(f.bytes!.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), `${f.filename} is a PNG`);
    }
    if (job.progressMessage) {
      const progress = fake.messages.find((m) => m.ts === job.progressMessage!.id)!;
      assert.equal(progress.threadTs, rootTs, 'progress message is in the thread');
    }
    await fake.userMessage({ channel: CHANNEL, user: 'U0ALICE', text: 'status', thread_ts: rootTs });
    await waitFor(() => [...fake.threadReplies(CHANNEL, rootTs), ...fake.ephemerals.filter((e) => e.threadTs === rootTs)].some((m) => m.text.includes('A-0001') && m.ts > replies.at(-1)!.ts));
    for (const c of fake.calls) {
      assert.ok(c.ok, `${c.method}: ${c.error}`);
      assert.deepEqual(c.warnings, [], `${c.method} warnings`);
    }
    console.log(`thread: ${replies.length} replies, ${files.length} files (${files.map((f) => f.filename).join(', ')}), ${fake.calls.filter((c) => c.method === 'chat.update').length} chat.update`);
  } finally {
    await bot.stop();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

async function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
