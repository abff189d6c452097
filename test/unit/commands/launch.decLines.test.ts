import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestBackend } from '../../fakes/TestBackend.js';
import { makeServices, TEST_NOW } from '../../fakes/fakeServices.js';
import { ClusterDecLinePicker } from '../../../src/pipeline/DecLinePicker.js';
import { silentLogger } from '../../../src/log.js';
import { FakeBackend } from '../../fakes/FakeBackend.js';

function bot() {
  const services = makeServices({
    now: TEST_NOW,
    runs: [
      { runId: 1801, night: '20231206', source: 'Crab Nebula', pointingDec: 22.41 },
      { runId: 1802, night: '20231206', source: 'Crab Nebula', pointingDec: 21.61 },
      { runId: 1700, night: '20231201', source: 'PKS 2155-304', pointingDec: -30.23 },
    ],
  });
  const cluster = new FakeBackend();
  for (const root of ['/m', '/i']) for (const n of ['dec_2276', 'dec_3476']) cluster.files.add(`${root}/${n}/x`);
  services.decLines = new ClusterDecLinePicker({ roots: ['/m', '/i'], maxDistanceDeg: 8, latitudeDeg: 28.761944, files: cluster, log: silentLogger });
  return new TestBackend({ services });
}

test('launch picks each run its declination line, says so, and stores it with the job', async () => {
  const b = bot();
  const reply = await b.say('launch source=Crab date=20231206', { user: 'alice' });
  assert.match(reply!.text, /2 runs \(1801, 1802\) · RF models \+ IRFs: dec_2276 \(\+22\.76°\)/);
  assert.deepEqual(b.services.jobs.launches[0].params.runDecLines, {
    '1801': { line: 'dec_2276', dec: 22.76, pointingDec: 22.41 },
    '1802': { line: 'dec_2276', dec: 22.76, pointingDec: 21.61 },
  });
});

test('launch is refused in plain words when no line is near the pointing', async () => {
  const b = bot();
  const reply = await b.say('launch source="PKS 2155-304" date=20231201', { user: 'alice' });
  assert.match(reply!.text, /No RF models and IRFs within 8° of the pointing of run 1700 \(pointing declination −30\.23°/);
  assert.match(reply!.text, /Available lines: dec_2276 \(\+22\.76°\), dec_3476 \(\+34\.76°\)/);
  assert.equal(b.services.jobs.launches.length, 0);
});
