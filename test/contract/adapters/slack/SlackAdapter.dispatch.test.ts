/**
 * The Slack adapter (Socket Mode, against the fake) in front of the real dispatcher and commands
 * (with a recording JobControl): typo answered at once, launch opening its thread, follow-ups
 * `status` and `cancel` → `yes` typed in the thread, an unknown user refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeServices } from '../../../fakes/fakeServices.js';
import { commandSpecs } from '../../../../commands/index.js';
import { createDispatcher } from '../../../../src/dispatch/Dispatcher.js';
import { createAuthorizer } from '../../../../src/dispatch/Authorizer.js';
import { startFakeSlack, type EnvelopeAck } from '../../../fakes/slack/FakeSlack.js';
import { slackAdapterForFake } from '../../../fakes/slack/adapterForFake.js';

const CHANNEL = 'C0ASTRAN';

test('slash typo → help; launch → thread; status and cancel+yes in the thread', async () => {
  const services = makeServices();
  const fake = await startFakeSlack({ channels: [CHANNEL] });
  const adapter = slackAdapterForFake(fake, services.store);
  const handle = createDispatcher({
    services,
    authorizer: createAuthorizer({ 'slack:U0ALICE': 'launcher', 'slack:U0BOB': 'viewer' }),
    specs: commandSpecs,
    log: services.log,
  });
  services.jobs.openThread = async (req, text, jobId) => (await adapter.openThread(req, { text }, jobId)).thread;
  await adapter.start(handle);
  try {
    const typo = (await fake.slashCommand({ text: 'lanch source=Crab date=yesterday', channel_id: CHANNEL, user_id: 'U0ALICE' })).ack as EnvelopeAck;
    const typoBody = typo.payload as { response_type: string; text: string };
    assert.equal(typoBody.response_type, 'ephemeral');
    assert.match(typoBody.text, /launch/);
    assert.ok(typo.ms < 3000);

    const launch = (await fake.slashCommand({ text: 'launch source=Crab date=yesterday', channel_id: CHANNEL, user_id: 'U0ALICE' })).ack as EnvelopeAck;
    assert.match((launch.payload as { text: string }).text, /A-0001/);
    const job = services.store.getJob('A-0001')!;
    assert.ok(job.thread, 'the job has a thread');
    const [channel, rootTs] = job.thread.key.split(':');
    assert.equal(channel, CHANNEL);
    const root = fake.messages.find((m) => m.ts === rootTs)!;
    assert.equal(root.botId, fake.botId);
    assert.equal(root.threadTs, undefined);

    await fake.userMessage({ channel: CHANNEL, user: 'U0BOB', text: 'status', thread_ts: rootTs });
    await waitFor(() => [...fake.threadReplies(CHANNEL, rootTs), ...fake.ephemerals.filter((e) => e.threadTs === rootTs)].some((m) => m.text.includes('A-0001')));

    await fake.userMessage({ channel: CHANNEL, user: 'U0ALICE', text: 'cancel', thread_ts: rootTs });
    await waitFor(() => [...fake.threadReplies(CHANNEL, rootTs), ...fake.ephemerals].some((m) => /yes/i.test(m.text)));
    await fake.userMessage({ channel: CHANNEL, user: 'U0ALICE', text: 'yes', thread_ts: rootTs });
    await waitFor(() => services.jobs.cancels.length === 1);
    assert.deepEqual(services.jobs.cancels[0].by.userId, 'U0ALICE');

    const denied = (await fake.slashCommand({ text: 'launch source=Crab date=yesterday', channel_id: CHANNEL, user_id: 'U0MALLORY' })).ack as EnvelopeAck;
    assert.equal((denied.payload as { response_type: string }).response_type, 'ephemeral');
    assert.equal(services.jobs.launches.length, 1, 'an unknown user launched nothing');
    for (const c of fake.calls) assert.deepEqual(c.warnings, [], `${c.method} warnings`);
    assert.ok(fake.calls.every((c) => c.ok), 'every Web API call succeeded');

    // A launch from a channel the bot was not invited to: the user is told how to fix it.
    fake.addChannel('C0NOTIN', false);
    const notIn = (await fake.slashCommand({ text: 'launch source=Crab date=yesterday', channel_id: 'C0NOTIN', user_id: 'U0ALICE' })).ack as EnvelopeAck;
    const notInText = (notIn.payload as { text: string }).text;
    assert.match(notInText, /cannot post in this channel/);
    assert.match(notInText, /\/invite @astran/);
    assert.doesNotMatch(notInText, /xox|127\.0\.0\.1|at .*\.ts/);
  } finally {
    await adapter.stop();
    await fake.close();
  }
});

async function waitFor(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
