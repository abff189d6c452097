import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, params, request, runs } from '../../helpers/orchestratorHarness.js';

test("every stage is submitted with the requester's account, partition and QoS, the comment naming the person", async () => {
  const h = harness();
  const o = h.make();
  const by = { owner: { person: 'alice', name: 'Alice Example' }, charge: { account: 'lst_alice', qos: 'high' } };
  const job = await o.launch(params, runs, { ...request, identity: { adapter: 'rec', userId: 'alice@iac.es' } }, undefined, by);
  assert.equal((await o.waitFor(job.id)).state, 'done');
  assert.equal(h.backend.submitted.length, 3);
  for (const s of h.backend.submitted) {
    assert.equal(s.account, 'lst_alice', s.stage);
    assert.equal(s.qos, 'high');
    assert.equal(s.partition, undefined, 'left to the backend default');
    assert.equal(s.requester, 'alice');
  }
  assert.deepEqual(h.store.getJob(job.id)!.owner, { person: 'alice', name: 'Alice Example' });
  assert.match(h.chat.posts[0]!.text, /requested by Alice Example/);
  await o.stop();
});

test('a launch without a person (standing orders, access by pattern) uses the backend defaults; the comment names the identity', async () => {
  const h = harness();
  const o = h.make();
  const job = await o.launch(params, runs, { ...request, identity: { adapter: 'rec', userId: "o'hara@iac.es" } });
  assert.equal((await o.waitFor(job.id)).state, 'done');
  for (const s of h.backend.submitted) {
    assert.equal(s.account, undefined);
    assert.equal(s.partition, undefined);
    assert.equal(s.qos, undefined);
    assert.equal(s.requester, 'rec:o_hara@iac.es');
  }
  assert.equal(h.store.getJob(job.id)!.owner, null);
  assert.equal(h.store.getJob(job.id)!.charge, null);
  await o.stop();
});
