import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChargePolicy } from '../../../src/people/ChargePolicy.js';
import { createPeopleDirectory } from '../../../src/people/PeopleDirectory.js';

const people = createPeopleDirectory({
  alice: { name: 'Alice Example', role: 'launcher', identities: ['alice@iac.es'], slurm: { account: 'lst_alice', partition: 'short', qos: 'high' } },
  dan: { role: 'launcher', identities: ['dan@iac.es'], slurm: { qos: 'low' } },
  bob: { name: 'Bob Admin', role: 'admin', identities: ['bob@iac.es'] },
});
const alice = people.get('alice')!;
const dan = people.get('dan')!;

test("a person's own account, partition and QoS are charged; what they leave out is left to the backend's defaults", () => {
  const p = new ChargePolicy({ backend: 'slurm', account: 'aswg', partition: 'long' }, people);
  assert.deepEqual(p.chargeFor(alice), { ok: true, charge: { account: 'lst_alice', partition: 'short', qos: 'high' } });
  assert.deepEqual(p.chargeFor(dan), { ok: true, charge: { qos: 'low' } });
  // No person (access by pattern): the default account.
  assert.deepEqual(p.chargeFor(undefined), { ok: true, charge: null });
  assert.deepEqual(p.standingOrderCharge(), { ok: true, charge: null });
});

test('no account of their own and no default: refused, saying whom to ask', () => {
  const p = new ChargePolicy({ backend: 'slurm' }, people);
  assert.deepEqual(p.chargeFor(alice), { ok: true, charge: { account: 'lst_alice', partition: 'short', qos: 'high' } });
  const d = p.chargeFor(dan);
  assert.equal(d.ok, false);
  if (d.ok) return;
  assert.match(d.message, /You have no Slurm account/);
  assert.match(d.message, /nothing was submitted/);
  assert.match(d.fix, /ASTRAN admin \(Bob Admin\)/);
  assert.match(d.fix, /`people\.dan`/);
  const stranger = p.chargeFor(undefined);
  assert.equal(stranger.ok, false);
  if (!stranger.ok) assert.match(stranger.fix, /add you to `people`/);
  const so = p.standingOrderCharge();
  assert.equal(so.ok, false);
  if (!so.ok) assert.match(so.fix, /backends\.slurm\.account/);
});

test('the local backend charges nothing and refuses nobody', () => {
  const p = new ChargePolicy({ backend: 'local' }, createPeopleDirectory({}));
  assert.deepEqual(p.chargeFor(undefined), { ok: true, charge: null });
  assert.deepEqual(p.chargeFor(alice), { ok: true, charge: null });
  assert.deepEqual(p.standingOrderCharge(), { ok: true, charge: null });
  // Without admins: "an ASTRAN admin".
  const d = new ChargePolicy({ backend: 'slurm' }, createPeopleDirectory({})).chargeFor(undefined);
  assert.ok(!d.ok && /Ask an ASTRAN admin to add you/.test(d.fix));
});
