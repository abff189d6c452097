import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseSqueue } from '../../../../src/pipeline/slurm/parseSqueue.js';
import { SlurmParseError } from '../../../../src/pipeline/slurm/SlurmRow.js';

// Outputs recorded on the real test cluster (Slurm 22.05.8), see test/fixtures/slurm/.
const fx = (name: string) => readFileSync(new URL(`../../../fixtures/slurm/${name}`, import.meta.url), 'utf8');

test('squeue rows of a finished mix: states, reasons, task ids', () => {
  const r = parseSqueue(fx('squeue-final-mixed.txt'), 0);
  assert.equal(r.ok, true);
  assert.equal(r.rows.length, 12);
  const t12 = r.rows.find((x) => x.arrayJobId === '1' && x.tasks?.[0] === 2)!;
  assert.equal(t12.state, 'FAILED');
  assert.equal(t12.reason, 'NonZeroExitCode');
  assert.equal(t12.jobName, 'astran-A-1-s-a1');
  const dep = r.rows.filter((x) => x.arrayJobId === '6');
  assert.deepEqual(dep.map((x) => [x.tasks, x.state, x.reason]), [[[0], 'PENDING', 'DependencyNeverSatisfied'], [[1], 'PENDING', 'DependencyNeverSatisfied'], [[2], 'PENDING', 'DependencyNeverSatisfied']]);
});

test('squeue: unknown ids only is an answer; a controller error is not', () => {
  assert.deepEqual(parseSqueue('slurm_load_jobs error: Invalid job id specified\n', 1), { rows: [], ok: true, errors: ['slurm_load_jobs error: Invalid job id specified'] });
  assert.equal(parseSqueue('slurm_load_jobs error: Unable to contact slurm controller (connect failure)\n', 1).ok, false);
  assert.throws(() => parseSqueue('garbage line\n', 0), SlurmParseError);
});
