/**
 * People through the real Mattermost slash-command server (fake Mattermost, real dispatcher and commands): the
 * identity it builds (`mattermost:<user id>`) is the configured person's, so a job she launched by e-mail is hers here;
 * anyone else stays refused. The Slack twin is test/contract/adapters/slack/SlackAdapter.people.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeServices } from '../../../fakes/fakeServices.js';
import { commandSpecs } from '../../../../commands/index.js';
import { createDispatcher } from '../../../../src/dispatch/Dispatcher.js';
import { createAuthorizer } from '../../../../src/dispatch/Authorizer.js';
import { createPeopleDirectory } from '../../../../src/people/PeopleDirectory.js';
import { PeopleConfigSchema } from '../../../../src/people/config.js';
import type { InboundHandler } from '../../../../src/core/types.js';
import { startMattermostRig } from '../../../fakes/mattermost/mattermostRig.js';

test('Mattermost: the same person as by e-mail (jobs mine, cancel her own job); unknown users refused', async () => {
  let handle: InboundHandler = async (m) => m.ack();
  const services = makeServices({ charge: { backend: 'slurm', account: 'aswg' } });
  const rig = await startMattermostRig({ handler: (m) => handle(m), store: services.store });
  try {
    // Bob's Mattermost account is Alice Example's identity here; the fake's Alice is nobody.
    const people = PeopleConfigSchema.parse({ alice: { name: 'Alice Example', role: 'launcher', identities: [`mattermost:${rig.fake.bob.id}`, 'alice@iac.es'] } });
    const job = services.store.createJob({
      params: { source: 'Crab Nebula', nightFrom: '20231206', nightTo: '20231206' },
      requester: { adapter: 'email', userId: 'alice@iac.es' },
      owner: { person: 'alice', name: 'Alice Example' },
      runIds: [1801],
    });
    handle = createDispatcher({ services, authorizer: createAuthorizer({}, createPeopleDirectory(people)), specs: commandSpecs, log: services.log });
    const say = async (user: typeof rig.fake.bob, text: string) => ((await rig.fake.slashCommand(rig.slashUrl, { token: rig.slashToken, user, text })).body as { text: string }).text;
    const mine = await say(rig.fake.bob, 'jobs mine');
    assert.match(mine, new RegExp(`${job.id} \\(Crab Nebula, 20231206, queued\\) — Alice Example`));
    assert.match(await say(rig.fake.bob, `cancel ${job.id}`), new RegExp(`^Cancel ${job.id}`));
    assert.match(await say(rig.fake.alice, 'jobs'), /not on ASTRAN's access list/);
  } finally {
    await rig.close();
  }
});
