import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileDependencies, afterokExpr } from '../../../../src/pipeline/slurm/dependencies.js';
import { parseEventLines } from '../../../../src/pipeline/slurm/taskEvents.js';

const corr = (indices: number[], ref = '10') => indices.map((i) => ({ index: i, on: [{ ref, index: i }] }));

test('whole-array dependencies: afterok on the refs', () => {
  assert.deepEqual(compileDependencies([0, 1], ['10', '11']), { sbatch: 'afterok:10:11', narrow: [] });
  assert.deepEqual(compileDependencies([0], []), { sbatch: undefined, narrow: [] });
});

test('per-run stages that line up with a known parent: aftercorr (plus afterok for whole arrays)', () => {
  assert.deepEqual(compileDependencies([0, 1, 2], [], corr([0, 1, 2]), () => [0, 1, 2, 3]), { sbatch: 'aftercorr:10', narrow: [] });
  assert.deepEqual(compileDependencies([0, 2], ['7'], corr([0, 2]), () => [0, 2]), { sbatch: 'aftercorr:10,afterok:7', narrow: [] });
});

test('arrays that do not line up: the union for the array, then each task narrowed to its own parents', () => {
  // Task 5 has no parent task (its input existed); the parent's indices are unknown for task 2.
  const deps = [...corr([0, 1]), { index: 2, on: [{ ref: '12', index: 0 }] }];
  const c = compileDependencies([0, 1, 2, 5], [], deps, (r) => (r === '10' ? [0, 1] : undefined));
  assert.equal(c.sbatch, 'afterok:10_0:10_1:12_0');
  assert.deepEqual(c.narrow, [
    { index: 0, expr: 'afterok:10_0' },
    { index: 1, expr: 'afterok:10_1' },
    { index: 2, expr: 'afterok:12_0' },
    { index: 5, expr: '' },
  ]);
  // A parent whose indices are not known is never assumed to line up.
  assert.equal(compileDependencies([0, 1], [], corr([0, 1]), () => undefined).sbatch, 'afterok:10_0:10_1');
  // A parent lacking one of our indices does not line up either.
  assert.equal(compileDependencies([0, 1], [], corr([0, 1]), () => [0]).sbatch, 'afterok:10_0:10_1');
  assert.equal(afterokExpr([{ ref: '3', index: 1 }, { ref: '3', index: 1 }], ['4']), 'afterok:4:3_1');
});

test('event lines: complete, well-formed lines only', () => {
  assert.deepEqual(parseEventLines('astran-event 12 3 0\nastran-event 12 4 137\ngarbage\nastran-event 12 x 0\nastran-event 1 2 3; rm -rf /\n'), [
    { ref: '12', index: 3, exitCode: 0 },
    { ref: '12', index: 4, exitCode: 137 },
  ]);
});

test('merge: an exit code from the events file settles a task squeue already calls final, without waiting for sacct', async () => {
  const { mergeStatus } = await import('../../../../src/pipeline/slurm/mergeStatus.js');
  const { parseSqueue } = await import('../../../../src/pipeline/slurm/parseSqueue.js');
  const squeue = parseSqueue('9_0|9|0|9|FAILED|NonZeroExitCode|x\n9_1|9|1|10|COMPLETED|None|x\n9_2|9|2|11|COMPLETING|None|x\n', 0).rows;
  const m = { firstSeenMs: 0, finalWithoutDetailSince: new Map(), depNeverSatisfied: false, indices: [0, 1, 2], events: new Map([[0, 3], [1, 0], [2, 0]]) };
  const s = mergeStatus('9', m, { squeue, squeueOk: true, sacct: [], sacctOk: true, nowMs: 1000, graceMs: 5000 });
  assert.deepEqual(s.tasks, [
    { index: 0, state: 'failed', exitCode: 3, reason: 'non-zero exit code 3' },
    { index: 1, state: 'completed', exitCode: 0 },
    { index: 2, state: 'running' }, // the event alone never makes a task final: squeue must agree
  ]);
  // Per-task cleanup of a blocked task.
  const blocked = parseSqueue('8_0|8|0|8|COMPLETED|None|x\n8_1|8|1|8|PENDING|DependencyNeverSatisfied|x\n', 0).rows;
  const b = mergeStatus('8', { firstSeenMs: 0, finalWithoutDetailSince: new Map(), depNeverSatisfied: false, indices: [0, 1], depNeverTasks: new Set([1]) }, { squeue: blocked, squeueOk: true, sacct: [], sacctOk: true, nowMs: 1000, graceMs: 0 });
  assert.deepEqual(b.tasks.map((t) => [t.state, t.reason]), [['completed', undefined], ['cancelled', 'DependencyNeverSatisfied']]);
});
