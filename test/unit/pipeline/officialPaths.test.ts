/** Official products (lstosa's DL2) used read-only: found per run, planned as inputs, never redone. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigSchema } from '../../../src/bot/config.js';
import { planStages, neededWork } from '../../../src/pipeline/PipelinePlan.js';
import { withOfficialPaths } from '../../../src/pipeline/officialPaths.js';
import { FakeBackend } from '../../fakes/FakeBackend.js';
import { RAW, subject } from '../../helpers/readOnlySite.js';

test('an official DL2 is used read-only: its stage is skipped, the next stage reads it, force=yes redoes only own products', async () => {
  const config = ConfigSchema.parse(RAW);
  const cluster = new FakeBackend();
  cluster.files.add('/prod/DL2/20231207/dl2_LST-1.Run01807.h5'); // lstosa made it
  for (const r of ['01807', '01808']) cluster.files.add(`/prod/DL1/20231207/dl1_LST-1.Run${r}.h5`);
  const s = await withOfficialPaths(config, '/prod', subject, cluster);
  assert.deepEqual(s.runs[0].paths, { dl2: '/prod/DL2/20231207/dl2_LST-1.Run01807.h5' });
  assert.equal(s.runs[1].paths, undefined);
  const plans = planStages(config, '/prod', s);
  assert.equal(plans[1].tasks[0].inputs[0], '/prod/DL2/20231207/dl2_LST-1.Run01807.h5', 'DL3 of run 1807 reads the official DL2');
  assert.equal(plans[1].tasks[1].inputs[0], '/ws/DL2/20231207/dl2_LST-1.Run01808.h5');
  const have = (p: string) => cluster.files.has(p);
  for (const force of [false, true]) {
    const w = neededWork(plans, have, force);
    assert.deepEqual(w.needed[0].map((t) => t.runId), [1808], `force=${force}: the official DL2 is never redone`);
    assert.deepEqual(w.needed[1].map((t) => t.runId), [1807, 1808]);
    const written = w.needed.flat().flatMap((t) => [...t.outputs, ...t.mkdirs]);
    assert.ok(written.every((p) => p.startsWith('/ws/')), written.join());
  }
  // Everything of ours exists: force=yes still redoes our own products, nothing official.
  for (const p of ['/ws/DL2/20231207/dl2_LST-1.Run01808.h5', '/ws/DL3/20231207/Crab_Nebula/dl3_LST-1.Run01807.fits.gz', '/ws/DL3/20231207/Crab_Nebula/dl3_LST-1.Run01808.fits.gz', '/ws/DL3/20231207/Crab_Nebula/obs-index.fits.gz']) cluster.files.add(p);
  assert.deepEqual(neededWork(plans, have, false).needed.map((n) => n.length), [0, 0, 0]);
  assert.deepEqual(neededWork(plans, have, true).needed.map((n) => n.map((t) => t.runId)), [[1808], [1807, 1808], [1807]]);
});

test('no official_paths: no extra round trip, subject unchanged', async () => {
  const config = ConfigSchema.parse({ ...RAW, official_paths: {} });
  let calls = 0;
  const s = await withOfficialPaths(config, '/prod', subject, { exists: async (p: string[]) => (calls++, p.map(() => false)) });
  assert.equal(calls, 0);
  assert.equal(s, subject);
});
