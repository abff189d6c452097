import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { arraySpec, expandArrayTasks } from '../../../../src/pipeline/slurm/arraySpec.js';
import { parseSacct } from '../../../../src/pipeline/slurm/parseSacct.js';
import { parseSbatch } from '../../../../src/pipeline/slurm/parseSbatch.js';
import { parseScontrol } from '../../../../src/pipeline/slurm/parseScontrol.js';
import { parseSqueue } from '../../../../src/pipeline/slurm/parseSqueue.js';
import { parsePollOutput } from '../../../../src/pipeline/slurm/pollCommand.js';
import { jobName, parseJobName } from '../../../../src/pipeline/slurm/naming.js';
import { SlurmParseError } from '../../../../src/pipeline/slurm/SlurmRow.js';

// Outputs recorded on the real test cluster (Slurm 22.05.8), see test/fixtures/slurm/.
const fx = (name: string) => readFileSync(new URL(`../../../fixtures/slurm/${name}`, import.meta.url), 'utf8');

test('arraySpec compresses indices and adds the throttle', () => {
  assert.equal(arraySpec([0, 1, 2]), '0-2');
  assert.equal(arraySpec([5, 1, 4, 6, 9], 3), '1,4-6,9%3');
  assert.equal(arraySpec([7]), '7');
  assert.throws(() => arraySpec([]));
});

test('expandArrayTasks reads what Slurm prints', () => {
  assert.deepEqual(expandArrayTasks('3'), [3]);
  assert.deepEqual(expandArrayTasks('[2-3]'), [2, 3]);
  assert.deepEqual(expandArrayTasks('[0-3%2]'), [0, 1, 2, 3]);
  assert.deepEqual(expandArrayTasks('[1,4-5]'), [1, 4, 5]);
  assert.equal(expandArrayTasks('[1-'), undefined);
  assert.equal(expandArrayTasks('x'), undefined);
});

test('sbatch --parsable: id or id;cluster, nothing else', () => {
  const [a, b] = fx('sbatch-parsable.txt').trim().split('\n');
  assert.equal(parseSbatch(a!), '15');
  assert.equal(parseSbatch(b!), '16');
  assert.throws(() => parseSbatch('sbatch: error: Batch job submission failed: Invalid account'));
  assert.throws(() => parseSbatch(''));
});

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

test('sacct: "CANCELLED by N" is CANCELLED, exit codes, grouped pending rows', () => {
  const rows = parseSacct(fx('sacct-final-mixed.txt'));
  assert.equal(rows.length, 10);
  const failed = rows.find((x) => x.arrayJobId === '1' && x.tasks?.[0] === 2)!;
  assert.deepEqual([failed.state, failed.exitCode, failed.signal], ['FAILED', 3, 0]);
  const grouped = rows.find((x) => x.arrayJobId === '6')!;
  assert.deepEqual([grouped.grouped, grouped.tasks, grouped.state], [true, [0, 1, 2], 'PENDING']);
  assert.ok(rows.filter((x) => x.arrayJobId === '7').every((x) => x.state === 'CANCELLED'));
});

test('sacct: a lagging job shows as a bare row without tasks; step rows are skipped', () => {
  const rows = parseSacct(fx('sacct-mixed.txt'));
  assert.deepEqual(rows.map((x) => [x.arrayJobId, x.tasks, x.state]), [['11', null, 'PENDING']]);
  assert.equal(parseSacct('1_0.batch|2.batch|batch|COMPLETED|0:0\n').length, 0);
  assert.throws(() => parseSacct('1_0|2|x|COMPLETED\n'), SlurmParseError);
  assert.throws(() => parseSacct('abc|2|x|COMPLETED|0:0\n'), SlurmParseError);
});

test('scontrol -o: grouped pending array and individual failed tasks', () => {
  const rows = parseScontrol(fx('scontrol-depnever-and-failed.txt'));
  assert.deepEqual(rows.map((x) => [x.arrayJobId, x.tasks, x.state, x.reason ?? null, x.exitCode]), [
    ['6', [0, 1, 2], 'PENDING', 'DependencyNeverSatisfied', 0],
    ['5', [1], 'FAILED', 'NonZeroExitCode', 5],
    ['5', [0], 'FAILED', 'NonZeroExitCode', 5],
  ]);
  assert.equal(parseScontrol(fx('scontrol-mixed.txt')).filter((x) => x.state === 'RUNNING').length, 2);
});

test('combined poll output, accounting on and off', () => {
  const on = parsePollOutput(fx('poll-acct-on.txt'));
  assert.equal(on.sacctOk, true);
  assert.equal(on.squeueOk, true);
  assert.equal(on.scontrol, undefined);
  assert.equal(on.sacct.length, 10);
  const off = parsePollOutput(fx('poll-acct-off.txt'));
  assert.equal(off.sacctOk, false);
  assert.equal(off.sacct.length, 0);
  assert.equal(off.scontrol!.length, 10);
  const none = parsePollOutput(fx('poll-unknown-only.txt'));
  assert.deepEqual([none.squeueOk, none.squeue.length, none.sacct.length], [true, 0, 0]);
  assert.throws(() => parsePollOutput('@@ASTRAN-SQUEUE\n'));
});

test('job names parse back to the stage key', () => {
  const k = { jobId: 'A-0042', stage: 'dl1_to_dl2', attempt: 3 };
  assert.equal(jobName(k), 'astran-A-0042-dl1_to_dl2-a3');
  assert.deepEqual(parseJobName(jobName(k)), k);
  assert.equal(parseJobName('wrap'), undefined);
});
