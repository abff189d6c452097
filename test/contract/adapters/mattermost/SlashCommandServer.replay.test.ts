/**
 * Issue 12 failure 6 on Mattermost: a slash request replayed with the same body and trigger_id launches nothing a
 * second time, also after the adapter restarted on the same store. The Slack twin is
 * test/contract/adapters/slack/SlackAdapter.replay.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeServices } from '../../../fakes/fakeServices.js';
import { commandSpecs } from '../../../../commands/index.js';
import { createDispatcher } from '../../../../src/dispatch/Dispatcher.js';
import { createAuthorizer } from '../../../../src/dispatch/Authorizer.js';
import type { InboundHandler } from '../../../../src/core/types.js';
import { startMattermostRig } from '../../../fakes/mattermost/mattermostRig.js';

test('Mattermost: the same trigger_id twice (and again after a restart) launches one job', async () => {
  const services = makeServices();
  let handle: InboundHandler = async (m) => m.ack();
  const rig = await startMattermostRig({ handler: (m) => handle(m), store: services.store });
  try {
    handle = createDispatcher({ services, authorizer: createAuthorizer({ [`mattermost:${rig.fake.alice.id}`]: 'launcher' }), specs: commandSpecs, log: services.log });
    services.jobs.openThread = async (req, text, jobId) => (await rig.adapter.openThread(req, { text }, jobId)).thread;
    const triggerId = 'replayedtrigger0123456789ab';
    const first = await rig.fake.slashCommand(rig.slashUrl, { token: rig.slashToken, text: 'launch source=Crab date=yesterday', triggerId });
    assert.match((first.body as { text: string }).text, /A-0001/);
    const replay = await rig.fake.slashCommand(rig.slashUrl, { token: rig.slashToken, text: 'launch source=Crab date=yesterday', triggerId });
    assert.equal(replay.status, 200);
    assert.match((replay.body as { text: string }).text, /already handled/);
    assert.equal(services.jobs.launches.length, 1);

    await rig.restartAdapter((m) => handle(m));
    await rig.fake.slashCommand(rig.slashUrl, { token: rig.slashToken, text: 'launch source=Crab date=yesterday', triggerId });
    assert.equal(services.jobs.launches.length, 1, 'still one launch after a restart');
    // A fresh trigger_id is a new request.
    await rig.fake.slashCommand(rig.slashUrl, { token: rig.slashToken, text: 'launch source=Crab date=yesterday' });
    assert.equal(services.jobs.launches.length, 2);
  } finally {
    await rig.close();
  }
});
