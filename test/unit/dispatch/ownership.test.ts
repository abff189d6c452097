import { test } from 'node:test';
import assert from 'node:assert/strict';
import { peopleBackend } from '../../fakes/peopleBackend.js';
import { seedJob } from '../../fakes/fakeServices.js';
import { ownsJob } from '../../../src/dispatch/ownership.js';
import { createPeopleDirectory } from '../../../src/people/PeopleDirectory.js';
import type { JobRecord } from '../../../src/core/JobStore.js';

test('a job launched by mail is cancelled from Slack by the same person (and its thread names her)', async () => {
  const b = peopleBackend();
  assert.match(await b.text('launch source=Crab date=20231206', { adapter: 'email', user: 'alice@iac.es', displayName: 'A. Example' }), /^Launched \*A-0001\*/);
  const job = b.services.store.getJob('A-0001')!;
  assert.deepEqual(job.owner, { person: 'alice', name: 'Alice Example' });
  assert.equal(job.requester.adapter, 'email');
  assert.match(await b.text('cancel A-0001', { adapter: 'slack', user: 'U0ALICE' }), /^Cancel A-0001/);
  assert.match(await b.text('yes', { adapter: 'slack', user: 'U0ALICE' }), /Cancelling A-0001/);
  assert.equal(b.services.jobs.cancels.length, 1);
  assert.deepEqual(b.services.jobs.cancels[0]!.by, { adapter: 'slack', userId: 'U0ALICE', displayName: 'Alice Example', isBot: undefined });
});

test("another person may not cancel it; an admin may; a stranger is refused at the door", async () => {
  const b = peopleBackend({ auth: { 'slack:*': 'viewer' } });
  await b.text('launch source=Crab date=20231206', { adapter: 'mattermost', user: '8xk3alice' });
  assert.match(await b.text('cancel A-0001', { adapter: 'slack', user: 'U0DAN' }), /A-0001 was launched by Alice Example; you can cancel only your own jobs/);
  // A Slack user on the adapter-wide viewer pattern is no person: looks, cannot cancel.
  assert.match(await b.text('cancel A-0001', { adapter: 'slack', user: 'U0EVE' }), /needs the launcher role/);
  assert.match(await b.text('cancel A-0001', { adapter: 'email', user: 'eve@iac.es' }), /not on ASTRAN's access list/);
  assert.match(await b.text('cancel A-0001', { adapter: 'email', user: 'bob@iac.es' }), /^Cancel A-0001/);
});

test('`jobs mine` lists the person\'s jobs from every adapter, and `jobs` shows who launched each', async () => {
  const b = peopleBackend();
  await b.text('launch source=Crab date=20231206', { adapter: 'email', user: 'alice@iac.es' });
  await b.text('launch source=Crab date=20231209', { adapter: 'slack', user: 'U0ALICE' });
  await b.text('launch source=Crab date=20231209', { adapter: 'slack', user: 'U0DAN' });
  // Launched before Alice was a configured person: her Mattermost identity, no owner recorded.
  seedJob(b.services, { adapter: 'mattermost', userId: '8xk3alice', displayName: 'alice.mm' });
  // Same user id on another adapter is somebody else.
  seedJob(b.services, { adapter: 'other', userId: 'U0ALICE', displayName: 'impostor' });
  for (const [adapter, user] of [['slack', 'U0ALICE'], ['mattermost', '8xk3alice'], ['email', 'ALICE@iac.es']]) {
    const mine = await b.text('jobs mine', { adapter: adapter!, user: user! });
    assert.deepEqual([...mine.matchAll(/A-\d{4}/g)].map((m) => m[0]).sort(), ['A-0001', 'A-0002', 'A-0004'], `${adapter}: ${mine}`);
  }
  assert.deepEqual([...(await b.text('jobs mine', { adapter: 'slack', user: 'U0DAN' })).matchAll(/A-\d{4}/g)].map((m) => m[0]), ['A-0003']);
  const all = await b.text('jobs', { adapter: 'slack', user: 'U0DAN' });
  assert.match(all, /^• A-0001 \(Crab Nebula, 20231206, queued\) — Alice Example$/m);
  assert.match(all, /^• A-0002 [^\n]* — Alice Example$/m);
  assert.match(all, /^• A-0003 [^\n]* — Dan$/m);
  assert.match(all, /^• A-0005 [^\n]* — impostor$/m);
  // `status` without an id: the person's latest job, from any adapter.
  assert.match(await b.text('status', { adapter: 'mattermost', user: '8xk3alice' }), /A-0004/);
});

test('ownsJob: the recorded owner decides; without one, the requester identity and whoever has it now', () => {
  const d = createPeopleDirectory({ alice: { role: 'launcher', identities: ['slack:U1', 'alice@iac.es'] }, bob: { role: 'launcher', identities: ['slack:U2'] } });
  const alice = d.get('alice')!;
  const bob = d.get('bob')!;
  const base: Omit<JobRecord, 'requester' | 'owner'> = { id: 'A-1', seq: 1, state: 'running', stage: null, params: { source: 'x', nightFrom: '20240101', nightTo: '20240101' }, thread: null, progressMessage: null, runIds: [], createdAt: '', updatedAt: '', finishedAt: null, error: null, result: null, cancelRequestedBy: null, charge: null };
  const owned = { ...base, requester: { adapter: 'slack', userId: 'U2' }, owner: { person: 'alice', name: 'Alice' } };
  assert.equal(ownsJob(owned, { adapter: 'email', userId: 'alice@iac.es' }, alice), true);
  // The identity that typed the launch now belongs to Bob, but the job was Alice's.
  assert.equal(ownsJob(owned, { adapter: 'slack', userId: 'U2' }, bob), false);
  const old = { ...base, requester: { adapter: 'email', userId: 'Alice@IAC.es' }, owner: null };
  assert.equal(ownsJob(old, { adapter: 'slack', userId: 'U1' }, alice), true);
  assert.equal(ownsJob(old, { adapter: 'email', userId: 'alice@iac.es' }, undefined), true);
  assert.equal(ownsJob(old, { adapter: 'slack', userId: 'U2' }, bob), false);
});
