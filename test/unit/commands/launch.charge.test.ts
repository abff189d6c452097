import { test } from 'node:test';
import assert from 'node:assert/strict';
import { peopleBackend } from '../../fakes/peopleBackend.js';

test("a launch is charged to the requester's own Slurm account, partition and QoS", async () => {
  const b = peopleBackend();
  assert.match(await b.text('launch source=Crab date=20231206', { adapter: 'slack', user: 'U0ALICE' }), /^Launched/);
  assert.deepEqual(b.services.jobs.launches[0]!.by, { owner: { person: 'alice', name: 'Alice Example' }, charge: { account: 'lst_alice', partition: 'short', qos: 'high' } });
  assert.deepEqual(b.services.store.getJob('A-0001')!.charge, { account: 'lst_alice', partition: 'short', qos: 'high' });
});

test('without an account of their own, the default account (backends.slurm) is used', async () => {
  const b = peopleBackend({ auth: { 'email:*@iac.es': 'launcher' } });
  await b.text('launch source=Crab date=20231206', { adapter: 'email', user: 'dan@iac.es' });
  // No account of his own: null charge = the backend's defaults (aswg).
  assert.deepEqual(b.services.jobs.launches[0]!.by, { owner: { person: 'dan', name: 'Dan' }, charge: null });
  // An address on the domain pattern is no person: no owner, the default account.
  await b.text('launch source=Crab date=20231206', { adapter: 'email', user: 'carol@iac.es' });
  assert.deepEqual(b.services.jobs.launches[1]!.by, { owner: null, charge: null });
});

test('with neither, launch says the user has no Slurm account and whom to ask, before anything is looked up or launched', async () => {
  const b = peopleBackend({ charge: { backend: 'slurm' }, auth: { 'email:*@iac.es': 'launcher' } });
  const r = await b.say('launch source=Crab date=20231206', { adapter: 'slack', user: 'U0DAN' });
  assert.equal(r!.rejected, true);
  assert.match(r!.text, /You have no Slurm account in ASTRAN's configuration, and there is no default account to charge, so nothing was submitted\./);
  assert.match(r!.text, /Ask an ASTRAN admin \(Bob Admin\) to add your Slurm account to your entry `people\.dan`/);
  const stranger = await b.text('launch source=Crab date=20231206', { adapter: 'email', user: 'carol@iac.es' });
  assert.match(stranger, /you are not one of ASTRAN's configured people/);
  assert.equal(b.services.jobs.launches.length, 0);
  assert.equal(b.services.nights.calls, 0);
  assert.equal(b.services.store.listJobs().length, 0);
  // Alice has her own account: she may launch.
  assert.match(await b.text('launch source=Crab date=20231206', { adapter: 'email', user: 'alice@iac.es' }), /^Launched/);
  // Standing orders run under the default account only: refused too, at subscription time.
  assert.match(await b.text('subscribe source=Crab', { adapter: 'slack', user: 'U0ALICE' }), /Standing orders run under ASTRAN's default Slurm account, and none is configured, so a standing order could never run/);
  assert.equal(b.services.watch.store.listSubscriptions({}).length, 0);
});

test('the local backend has no accounts: nobody is refused for lack of one', async () => {
  const b = peopleBackend({ charge: { backend: 'local' } });
  assert.match(await b.text('launch source=Crab date=20231206', { adapter: 'slack', user: 'U0DAN' }), /^Launched/);
  assert.deepEqual(b.services.jobs.launches[0]!.by, { owner: { person: 'dan', name: 'Dan' }, charge: null });
});
