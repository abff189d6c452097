import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PeopleDirectory, createPeopleDirectory } from '../../../src/people/PeopleDirectory.js';
import { ConfigError } from '../../../src/core/errors.js';
import { parseIdentity } from '../../../src/people/identityKey.js';

const PEOPLE = {
  alice: {
    name: 'Alice Example',
    role: 'launcher',
    identities: ['slack:U0ALICE', 'mattermost:8xk3alice', 'Alice@IAC.es'],
    slurm: { account: 'lst_alice', qos: 'short' },
  },
  bob: { role: 'admin', identities: ['email:bob@iac.es', 'console:bob'] },
} as const;

test('one person is found through each of their identities, e-mail case-insensitively', () => {
  const d = createPeopleDirectory(PEOPLE);
  for (const id of [
    { adapter: 'slack', userId: 'U0ALICE' },
    { adapter: 'mattermost', userId: '8xk3alice' },
    { adapter: 'email', userId: 'alice@iac.es' },
    { adapter: 'email', userId: 'ALICE@iac.ES' },
  ])
    assert.equal(d.personOf(id)?.id, 'alice', JSON.stringify(id));
  const alice = d.personOf({ adapter: 'slack', userId: 'U0ALICE' })!;
  assert.equal(alice.name, 'Alice Example');
  assert.equal(alice.role, 'launcher');
  assert.deepEqual(alice.slurm, { account: 'lst_alice', qos: 'short' });
  // Platform ids are exact; another adapter with the same id is another identity.
  assert.equal(d.personOf({ adapter: 'slack', userId: 'u0alice' }), undefined);
  assert.equal(d.personOf({ adapter: 'mattermost', userId: 'U0ALICE' }), undefined);
  assert.equal(d.personOf({ adapter: 'slack', userId: '' }), undefined);
  // The name defaults to the id; admins are whom to ask.
  assert.equal(d.get('bob')?.name, 'bob');
  assert.deepEqual(d.admins().map((p) => p.id), ['bob']);
});

test('identities: adapter:userId or a bare address; wildcards and malformed entries are refused', () => {
  assert.deepEqual(parseIdentity('alice@iac.es'), { adapter: 'email', userId: 'alice@iac.es' });
  assert.deepEqual(parseIdentity('email:Alice@IAC.es'), { adapter: 'email', userId: 'alice@iac.es' });
  assert.deepEqual(parseIdentity('slack:U0123'), { adapter: 'slack', userId: 'U0123' });
  for (const bad of ['slack:*', 'email:*@iac.es', '*@iac.es', 'slack U1', 'U0123', ':U1', 'slack:', 'email:not-an-address', 'Alice <alice@iac.es>', 'SLACK:U1'])
    assert.equal(parseIdentity(bad), null, bad);
});

test('schema problems name the entry; an identity of two people is refused', () => {
  const bad = [
    { Alice: { role: 'launcher', identities: ['slack:U1'] } }, // id not lower-case
    { alice: { role: 'root', identities: ['slack:U1'] } },
    { alice: { role: 'viewer', identities: [] } },
    { alice: { role: 'viewer', identities: ['slack:*'] } },
    { alice: { role: 'viewer', identities: ['slack:U1'], slurm: { account: "x'; rm -rf /" } } },
    { alice: { role: 'viewer', identities: ['slack:U1'], slurm: { acount: 'x' } } },
    { alice: { name: '<!channel> *boss*', role: 'viewer', identities: ['slack:U1'] } },
  ];
  for (const b of bad) assert.throws(() => createPeopleDirectory(b), ConfigError, JSON.stringify(b));
  assert.throws(
    () => createPeopleDirectory({ alice: { role: 'viewer', identities: ['alice@iac.es'] }, carol: { role: 'admin', identities: ['email:ALICE@iac.es'] } }),
    (e: unknown) => e instanceof ConfigError && e.issues.some((i) => i.includes('people.carol.identities.0') && i.includes('people.alice')),
  );
  assert.equal(new PeopleDirectory().people.length, 0);
  assert.equal(createPeopleDirectory(undefined).people.length, 0);
});
