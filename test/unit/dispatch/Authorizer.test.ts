import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigAuthorizer, createAuthorizer, type Authorizer } from '../../../src/dispatch/Authorizer.js';
import { AuthConfigSchema } from '../../../src/dispatch/config.js';
import { ConfigError } from '../../../src/core/errors.js';
import { TestBackend } from '../../fakes/TestBackend.js';
import { peopleBackend } from '../../fakes/peopleBackend.js';
import { createPeopleDirectory } from '../../../src/people/PeopleDirectory.js';
import { seedJob } from '../../fakes/fakeServices.js';
import type { Identity } from '../../../src/core/types.js';

const CONFIG = {
  'console:local': 'admin',
  'slack:U0123': 'launcher',
  'mattermost:abc123': 'viewer',
  'email:alice@iac.es': 'launcher',
  'email:*@iac.es': 'viewer',
  'email:boss@iac.es': 'admin',
  'test:*': 'viewer',
};

const id = (adapter: string, userId: string): Identity => ({ adapter, userId });

const ROWS: [Identity, string | null][] = [
  [id('console', 'local'), 'admin'],
  [id('slack', 'U0123'), 'launcher'],
  [id('slack', 'u0123'), null], // platform ids are exact
  [id('slack', 'U9999'), null],
  [id('mattermost', 'abc123'), 'viewer'],
  [id('email', 'alice@iac.es'), 'launcher'], // exact beats the domain wildcard
  [id('email', 'Alice@IAC.es'), 'launcher'], // addresses are case-insensitive
  [id('email', 'carol@iac.es'), 'viewer'], // domain wildcard
  [id('email', 'boss@iac.es'), 'admin'],
  [id('email', 'carol@evil-iac.es'), null],
  [id('email', 'carol@iac.es.evil.com'), null],
  [id('email', 'Carol <carol@iac.es>'), null], // not a bare address: no wildcard match
  [id('email', '@iac.es'), null],
  [id('test', 'anyone'), 'viewer'], // adapter-wide entry
  [id('slack', ''), null],
  [id('', 'local'), null],
];

for (const [who, role] of ROWS) {
  test(`role of ${who.adapter}:${who.userId} is ${role}`, () => {
    assert.equal(createAuthorizer(CONFIG).roleOf(who), role);
  });
}

test('AuthConfigSchema rejects malformed patterns and unknown roles, naming the entry', () => {
  assert.equal(AuthConfigSchema.safeParse(CONFIG).success, true);
  for (const bad of [{ 'slack U1': 'admin' }, { 'slack:U1': 'root' }, { 'email:*@': 'viewer' }, { 'slack:*U1': 'viewer' }, { ':U1': 'viewer' }, []]) {
    assert.equal(AuthConfigSchema.safeParse(bad).success, false, JSON.stringify(bad));
  }
  assert.throws(
    () => createAuthorizer({ 'slack:U1': 'root' }),
    (e: unknown) => e instanceof ConfigError && e.issues.some((i) => i.includes('auth.slack:U1')),
  );
});

test('the same identity twice with different roles is a configuration error', () => {
  assert.throws(() => new ConfigAuthorizer({ 'email:A@iac.es': 'admin', 'email:a@iac.es': 'viewer' }), ConfigError);
});

test('unknown identity → polite refusal naming the identity to add, no internals, nothing runs', async () => {
  const b = new TestBackend();
  const r = await b.say('launch source=Crab date=yesterday', { user: 'U0123', adapter: 'slack' });
  assert.equal(r!.text, "You are not on ASTRAN's access list; ask an ASTRAN admin to add `slack:U0123`.");
  assert.equal(r!.rejected, true);
  assert.equal(b.services.jobs.launches.length, 0);
});

test('viewer may look but not launch or cancel', async () => {
  const b = new TestBackend();
  const job = seedJob(b.services, { adapter: 'test', userId: 'alice' });
  for (const t of ['status', 'jobs', 'help', 'sources', 'nights source=Crab', `status ${job.id}`]) {
    const r = await b.say(t, { user: 'vera' });
    assert.notEqual(r!.rejected, true, t);
  }
  assert.match(await b.text('launch source=Crab date=yesterday', { user: 'vera' }), /`launch` needs the launcher role and you are a viewer/);
  assert.match(await b.text(`cancel ${job.id}`, { user: 'vera' }), /`cancel` needs the launcher role/);
  // Refused before any parameter is looked at: no did-you-mean or lookups for a refused verb.
  assert.match(await b.text('launch sorce=Crab', { user: 'vera' }), /needs the launcher role/);
  assert.equal(b.services.nights.calls, 0);
  assert.equal(b.services.jobs.launches.length + b.services.jobs.cancels.length, 0);
});

test("launcher cannot cancel another's job (nor confirm into it)", async () => {
  const b = new TestBackend();
  const job = seedJob(b.services, { adapter: 'test', userId: 'alice' });
  assert.match(await b.text(`cancel ${job.id}`, { user: 'bob' }), /launched by alice|launched by test:alice/);
  assert.match(await b.text('yes', { user: 'bob' }), /nothing waiting/);
  assert.equal(b.services.jobs.cancels.length, 0);
  // Same user id on another adapter is another person.
  const b2 = new TestBackend({ auth: { 'test:alice': 'launcher', 'other:alice': 'launcher' } });
  const j2 = seedJob(b2.services, { adapter: 'test', userId: 'alice' });
  assert.match(await b2.text(`cancel ${j2.id}`, { user: 'alice', adapter: 'other' }), /only your own jobs/);
});

test('an authorizer that throws → refusal (fail closed), handler never runs', async () => {
  const throwing: Authorizer = {
    roleOf() {
      throw new Error('LDAP down at ldap.internal:389');
    },
  };
  const b = new TestBackend({ authorizer: throwing });
  const r = await b.say('launch source=Crab date=yesterday', { user: 'admin' });
  assert.match(r!.text, /not on ASTRAN's access list/);
  assert.doesNotMatch(r!.text, /LDAP|ldap\.internal/);
  assert.equal(b.services.jobs.launches.length, 0);
});

test('an authorizer returning a non-role → refusal', async () => {
  const weird = { roleOf: () => 'superuser' } as unknown as Authorizer;
  const b = new TestBackend({ authorizer: weird });
  assert.match(await b.text('help'), /not on ASTRAN's access list/);
});

test('a role lost between the question and the yes is checked again', async () => {
  let role: 'launcher' | 'viewer' = 'launcher';
  const b = new TestBackend({ authorizer: { roleOf: () => role } });
  const job = seedJob(b.services, { adapter: 'test', userId: 'alice' });
  assert.match(await b.text(`cancel ${job.id}`), /^Cancel /);
  role = 'viewer';
  assert.match(await b.text('yes'), /needs the launcher role/);
  assert.equal(b.services.jobs.cancels.length, 0);
});

test("a person's identities on every adapter get the person's role; the person is known to the commands", () => {
  const people = createPeopleDirectory({
    alice: { role: 'launcher', identities: ['slack:U0ALICE', 'mattermost:8xk3alice', 'alice@iac.es', 'console:alice'] },
    boss: { role: 'admin', identities: ['boss@iac.es'] },
  });
  const a = createAuthorizer({ 'email:*@iac.es': 'viewer' }, people);
  for (const who of [id('slack', 'U0ALICE'), id('mattermost', '8xk3alice'), id('email', 'Alice@IAC.es'), id('console', 'alice')]) {
    assert.equal(a.roleOf(who), 'launcher', who.userId);
    assert.equal(a.personOf(who)?.id, 'alice', who.userId);
  }
  // A person beats the domain pattern (more specific); the pattern still serves everyone else on the domain.
  assert.equal(a.roleOf(id('email', 'boss@iac.es')), 'admin');
  assert.equal(a.roleOf(id('email', 'carol@iac.es')), 'viewer');
  assert.equal(a.personOf(id('email', 'carol@iac.es')), undefined);
});

test('unknown identities stay refused on every adapter type (fail closed), with people configured', async () => {
  const b = peopleBackend({ auth: {} });
  for (const [adapter, user] of [
    ['slack', 'U0EVE'],
    ['slack', 'u0alice'], // platform ids are exact
    ['mattermost', '8xk3ALICE'],
    ['mattermost', 'U0ALICE'], // Alice's Slack id on another adapter
    ['email', 'alice@iac.es.evil.com'],
    ['email', 'Alice Example <alice@iac.es>'],
    ['console', 'alice'],
    ['console', 'root'],
  ]) {
    const r = await b.say('launch source=Crab date=20231206', { adapter: adapter!, user: user! });
    assert.equal(r!.refusal, 'access', `${adapter}:${user}`);
    assert.match(r!.text, /not on ASTRAN's access list/);
  }
  assert.equal(b.services.jobs.launches.length, 0);
});

test('an identity both in auth.users and in people must not get two roles', () => {
  const people = createPeopleDirectory({ alice: { role: 'launcher', identities: ['slack:U1', 'alice@iac.es'] } });
  assert.throws(
    () => createAuthorizer({ 'email:ALICE@iac.es': 'admin' }, people),
    (e: unknown) => e instanceof ConfigError && /people\.alice/.test(e.issues.join()),
  );
  // The same role twice is harmless (an old auth.users entry kept while moving to people).
  assert.equal(createAuthorizer({ 'slack:U1': 'launcher' }, people).roleOf(id('slack', 'U1')), 'launcher');
});
