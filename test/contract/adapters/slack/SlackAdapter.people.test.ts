/**
 * People through the real Slack adapter (fake Slack, real dispatcher and commands): the identity the adapter builds
 * (`slack:<user_id>`) is the configured person's, so a job she launched by e-mail is hers here; anyone else stays
 * refused. The Mattermost twin is test/contract/adapters/mattermost/SlashCommandServer.people.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeServices } from '../../../fakes/fakeServices.js';
import { commandSpecs } from '../../../../commands/index.js';
import { createDispatcher } from '../../../../src/dispatch/Dispatcher.js';
import { createAuthorizer } from '../../../../src/dispatch/Authorizer.js';
import { createPeopleDirectory } from '../../../../src/people/PeopleDirectory.js';
import { PeopleConfigSchema } from '../../../../src/people/config.js';
import { startFakeSlack, type EnvelopeAck } from '../../../fakes/slack/FakeSlack.js';
import { slackAdapterForFake } from '../../../fakes/slack/adapterForFake.js';

test('Slack: the same person as by e-mail (jobs mine, cancel her own job); unknown users refused', async () => {
  const people = PeopleConfigSchema.parse({ alice: { name: 'Alice Example', role: 'launcher', identities: ['slack:U0ALICE', 'alice@iac.es'] } });
  const services = makeServices({ people, charge: { backend: 'slurm', account: 'aswg' } });
  const job = services.store.createJob({
    params: { source: 'Crab Nebula', nightFrom: '20231206', nightTo: '20231206' },
    requester: { adapter: 'email', userId: 'alice@iac.es' },
    owner: { person: 'alice', name: 'Alice Example' },
    runIds: [1801],
  });
  const fake = await startFakeSlack({ channels: ['C0ASTRAN'] });
  const adapter = slackAdapterForFake(fake, services.store);
  await adapter.start(createDispatcher({ services, authorizer: createAuthorizer({}, createPeopleDirectory(people)), specs: commandSpecs, log: services.log }));
  const say = async (user_id: string, text: string) => ((((await fake.slashCommand({ text, channel_id: 'C0ASTRAN', user_id })).ack as EnvelopeAck).payload as { text: string }).text);
  try {
    const mine = await say('U0ALICE', 'jobs mine');
    assert.match(mine, new RegExp(`${job.id} \\(Crab Nebula, 20231206, queued\\) — Alice Example`));
    assert.match(await say('U0ALICE', `cancel ${job.id}`), new RegExp(`^Cancel ${job.id}`));
    for (const stranger of ['U0EVE', 'U0MALLORY']) assert.match(await say(stranger, 'jobs'), /not on ASTRAN's access list/, stranger);
  } finally {
    await adapter.stop();
    await fake.close();
  }
});
