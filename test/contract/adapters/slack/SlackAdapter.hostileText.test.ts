/**
 * Issue 12 failure 7 on Slack: an e-mail launcher whose display name is a phishing link with a broadcast, a bidi
 * override in the source text: what others see when they run `jobs` (through the fake, with the real dispatcher and
 * commands). The Mattermost twin is test/contract/adapters/mattermost/SlashCommandServer.hostileText.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeServices } from '../../../fakes/fakeServices.js';
import { commandSpecs } from '../../../../commands/index.js';
import { createDispatcher } from '../../../../src/dispatch/Dispatcher.js';
import { createAuthorizer } from '../../../../src/dispatch/Authorizer.js';
import { startFakeSlack, type EnvelopeAck } from '../../../fakes/slack/FakeSlack.js';
import { slackAdapterForFake } from '../../../fakes/slack/adapterForFake.js';
import { assertInert, seedJobs } from '../../../helpers/hostileNames.js';

test('Slack: `jobs` shows hostile requester names as inert text', async () => {
  const services = makeServices();
  seedJobs(services);
  const fake = await startFakeSlack({ channels: ['C0ASTRAN'] });
  const adapter = slackAdapterForFake(fake, services.store);
  await adapter.start(createDispatcher({ services, authorizer: createAuthorizer({ 'slack:U0BOB': 'viewer' }), specs: commandSpecs, log: services.log }));
  try {
    const r = (await fake.slashCommand({ text: 'jobs', channel_id: 'C0ASTRAN', user_id: 'U0BOB' })).ack as EnvelopeAck;
    const text = (r.payload as { text: string }).text;
    assert.match(text, /A-0005/, 'the listing is there');
    assertInert(text, 'Slack', /[<>&]/);
    // Slack's own syntax: no link, special mention or user mention can come out of a name.
    assert.doesNotMatch(text, /<https?:|<!|<@/);
    assert.match(text, /\[Reset your ASTRAN password\]\(https:\/\/evil\.example\/login\)/, 'shown as typed, not as a link');
    // Slack cannot escape formatting: the name's stars are fenced by zero-width spaces, so they show and do not bold.
    assert.ok(text.includes('\u200B*\u200BAlice\u200B*\u200B the \u200B_\u200Bgreat\u200B_\u200B'), 'harmless markdown in a name shows as typed');
  } finally {
    await adapter.stop();
    await fake.close();
  }
});
