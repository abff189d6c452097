/**
 * Issue 12 failure 6 on Slack: a slash command replayed with the same trigger_id launches nothing a second time,
 * also after the adapter restarted on the same store. The Mattermost twin is
 * test/contract/adapters/mattermost/SlashCommandServer.replay.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeServices } from '../../../fakes/fakeServices.js';
import { commandSpecs } from '../../../../commands/index.js';
import { createDispatcher } from '../../../../src/dispatch/Dispatcher.js';
import { createAuthorizer } from '../../../../src/dispatch/Authorizer.js';
import { startFakeSlack, type EnvelopeAck } from '../../../fakes/slack/FakeSlack.js';
import { slackAdapterForFake } from '../../../fakes/slack/adapterForFake.js';

test('Slack: the same trigger_id twice (and again after a restart) launches one job', async () => {
  const services = makeServices();
  const fake = await startFakeSlack({ channels: ['C0ASTRAN'] });
  const handle = createDispatcher({ services, authorizer: createAuthorizer({ 'slack:U0ALICE': 'launcher' }), specs: commandSpecs, log: services.log });
  let adapter = slackAdapterForFake(fake, services.store);
  services.jobs.openThread = async (req, text, jobId) => (await adapter.openThread(req, { text }, jobId)).thread;
  await adapter.start(handle);
  try {
    const trigger_id = '1700000000.1.replayed';
    const first = (await fake.slashCommand({ text: 'launch source=Crab date=yesterday', channel_id: 'C0ASTRAN', user_id: 'U0ALICE', trigger_id })).ack as EnvelopeAck;
    assert.match((first.payload as { text: string }).text, /A-0001/);
    await adapter.stop();
    adapter = slackAdapterForFake(fake, services.store);
    await adapter.start(handle);
    await fake.slashCommand({ text: 'launch source=Crab date=yesterday', channel_id: 'C0ASTRAN', user_id: 'U0ALICE', trigger_id });
    assert.equal(services.jobs.launches.length, 1);
  } finally {
    await adapter.stop();
    await fake.close();
  }
});
