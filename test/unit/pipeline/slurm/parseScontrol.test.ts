import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseScontrol } from '../../../../src/pipeline/slurm/parseScontrol.js';

// Outputs recorded on the real test cluster (Slurm 22.05.8), see test/fixtures/slurm/.
const fx = (name: string) => readFileSync(new URL(`../../../fixtures/slurm/${name}`, import.meta.url), 'utf8');

test('scontrol -o: grouped pending array and individual failed tasks', () => {
  const rows = parseScontrol(fx('scontrol-depnever-and-failed.txt'));
  assert.deepEqual(rows.map((x) => [x.arrayJobId, x.tasks, x.state, x.reason ?? null, x.exitCode]), [
    ['6', [0, 1, 2], 'PENDING', 'DependencyNeverSatisfied', 0],
    ['5', [1], 'FAILED', 'NonZeroExitCode', 5],
    ['5', [0], 'FAILED', 'NonZeroExitCode', 5],
  ]);
  assert.equal(parseScontrol(fx('scontrol-mixed.txt')).filter((x) => x.state === 'RUNNING').length, 2);
});
