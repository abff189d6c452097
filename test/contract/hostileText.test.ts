/**
 * Issue 12 failure 7: an e-mail launcher whose display name is a phishing link with a broadcast, a bidi override in
 * the source text: what others see when they run `jobs` on Slack and on Mattermost (through the fakes, with the real
 * dispatcher and commands). One table of hostile names, checked on both platforms.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeServices } from '../fakes/fakeServices.js';
import { commandSpecs } from '../../commands/index.js';
import { createDispatcher } from '../../src/dispatch/Dispatcher.js';
import { createAuthorizer } from '../../src/dispatch/Authorizer.js';
import type { InboundHandler } from '../../src/core/types.js';
import { startFakeSlack, type EnvelopeAck } from '../fakes/slack/FakeSlack.js';
import { slackAdapterForFake } from '../fakes/slack/adapterForFake.js';
import { startMattermostRig } from '../fakes/mattermost/mattermostRig.js';

const HOSTILE_NAMES = [
  '@channel [Reset your ASTRAN password](https://evil.example/login)',
  '<!channel> <https://evil.example/login|Click here>',
  '@here ![pixel](https://evil.example/p.png)',
  'Alice \u202Egnp.exe',
  '@all \u2066hidden\u2069',
];

function seedJobs(services: ReturnType<typeof makeServices>): void {
  for (const name of HOSTILE_NAMES) {
    services.store.createJob({ params: { source: 'Crab', nightFrom: '20240101', nightTo: '20240101' }, requester: { adapter: 'email', userId: 'mallory@evil.test', displayName: name } });
  }
}

/** What must never reach another user's screen, whatever the platform. */
function assertInert(text: string, platform: string, special: RegExp): void {
  assert.doesNotMatch(text, /[\u202A-\u202E\u2066-\u2069]/, `${platform}: bidi controls stripped`);
  assert.doesNotMatch(text, /(^|[^\u200B])@(channel|here|all)\b/, `${platform}: broadcasts inert`);
  // A name carrying the platform's own syntax (or a bidi control or broadcast) never comes out unchanged.
  for (const name of HOSTILE_NAMES.filter((n) => special.test(n) || /[@\u202A-\u202E\u2066-\u2069]/.test(n))) {
    assert.ok(!text.includes(name), `${platform}: ${JSON.stringify(name)} not echoed raw`);
  }
}

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
  } finally {
    await adapter.stop();
    await fake.close();
  }
});

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
    assert.ok(text.includes('\\[Reset your ASTRAN password\\](https://evil.example/login)'), 'shown as typed, not as a link');
  } finally {
    await rig.close();
  }
});
