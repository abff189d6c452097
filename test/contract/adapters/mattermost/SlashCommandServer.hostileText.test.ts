/**
 * Issue 12 failure 7 on Mattermost: an e-mail launcher whose display name is a phishing link with a broadcast, a bidi
 * override in the source text: what others see when they run `jobs` (through the fake, with the real dispatcher and
 * commands). The Slack twin is test/contract/adapters/slack/SlackAdapter.hostileText.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeServices } from '../../../fakes/fakeServices.js';
import { commandSpecs } from '../../../../commands/index.js';
import { createDispatcher } from '../../../../src/dispatch/Dispatcher.js';
import { createAuthorizer } from '../../../../src/dispatch/Authorizer.js';
import type { InboundHandler } from '../../../../src/core/types.js';
import { startMattermostRig } from '../../../fakes/mattermost/mattermostRig.js';
import { assertInert, seedJobs } from '../../../helpers/hostileNames.js';

test('Mattermost: `jobs` shows hostile requester names as inert text', async () => {
  const services = makeServices();
  seedJobs(services);
  let handle: InboundHandler = async (m) => m.ack();
  const rig = await startMattermostRig({ handler: (m) => handle(m), store: services.store });
  try {
    handle = createDispatcher({ services, authorizer: createAuthorizer({ [`mattermost:${rig.fake.bob.id}`]: 'viewer' }), specs: commandSpecs, log: services.log });
    const r = await rig.fake.slashCommand(rig.slashUrl, { token: rig.slashToken, user: rig.fake.bob, text: 'jobs' });
    const text = (r.body as { text: string }).text;
    assert.match(text, /A-0005/, 'the listing is there');
    assertInert(text, 'Mattermost', /[[\]]/);
    // No markdown link or image Mattermost would render: every [ and ] outside code is escaped.
    assert.doesNotMatch(text, /(^|[^\\])\[[^\]]*(?<!\\)\]\(/);
    assert.ok(text.includes('\\[Reset your ASTRAN password\\]\\(https://evil.example/login\\)'), 'shown as typed, not as a link');
    assert.ok(text.includes('\\*Alice\\* the \\_great\\_'), 'harmless markdown in a name shows as typed');
  } finally {
    await rig.close();
  }
});
