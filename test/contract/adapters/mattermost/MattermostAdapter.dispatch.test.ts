/**
 * The Mattermost adapter in front of the real dispatcher and commands (with a recording JobControl):
 * a typo answered at once, a launch opening its thread, a `status` follow-up in that thread.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeServices } from '../../../fakes/fakeServices.js';
import { commandSpecs } from '../../../../commands/index.js';
import { createDispatcher } from '../../../../src/dispatch/Dispatcher.js';
import { createAuthorizer } from '../../../../src/dispatch/Authorizer.js';
import type { InboundHandler } from '../../../../src/core/types.js';
import { startMattermostRig, waitFor, type MattermostRig } from '../../../fakes/mattermost/mattermostRig.js';

test('slash typo → help at once; launch → thread; status in the thread → answered there', async () => {
  const services = makeServices();
  let handle: InboundHandler = async (m) => m.ack();
  const rig: MattermostRig = await startMattermostRig({ handler: (m) => handle(m), store: services.store });
  try {
    const { fake } = rig;
    handle = createDispatcher({
      services,
      authorizer: createAuthorizer({ [`mattermost:${fake.alice.id}`]: 'launcher', [`mattermost:${fake.bob.id}`]: 'viewer' }),
      specs: commandSpecs,
      log: services.log,
    });
    services.jobs.openThread = async (req, text, jobId) => (await rig.adapter.openThread(req, { text }, jobId)).thread;

    const typo = await fake.slashCommand(rig.slashUrl, { token: rig.slashToken, text: 'lanch source=Crab date=yesterday' });
    assert.equal(typo.status, 200);
    const typoBody = typo.body as { response_type: string; text: string };
    assert.equal(typoBody.response_type, 'ephemeral');
    assert.match(typoBody.text, /launch/);
    assert.notEqual(typoBody.text, 'Working on it…');

    const launch = await fake.slashCommand(rig.slashUrl, { token: rig.slashToken, text: 'launch source=Crab date=yesterday' });
    assert.equal(launch.status, 200);
    assert.match((launch.body as { text: string }).text, /A-0001/);
    const job = services.store.getJob('A-0001')!;
    assert.ok(job.thread, 'the job has a thread');
    const root = fake.posts.get(job.thread.key)!;
    assert.equal(root.user_id, fake.bot.id);
    assert.equal(root.root_id, '');
    assert.equal(root.channel_id, fake.channel.id);

    fake.userPost(fake.bob, fake.channel.id, 'status', root.id);
    await waitFor(() => fake.thread(root.id).some((p) => p.user_id === fake.bot.id && p.message.startsWith('A-0001')), 'the status answer in the thread');

    const stranger = fake.addUser('mallory', false);
    fake.channel.members.add(stranger.id);
    const denied = await fake.slashCommand(rig.slashUrl, { token: rig.slashToken, user: stranger, text: 'launch source=Crab date=yesterday' });
    assert.equal(denied.status, 200);
    assert.equal(services.jobs.launches.length, 1, 'an unknown user launched nothing');
  } finally {
    await rig.close();
  }
});
