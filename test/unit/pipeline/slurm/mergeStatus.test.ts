import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mergeStatus, rollUp, type RefMemory } from '../../../../src/pipeline/slurm/mergeStatus.js';
import { parseSacct } from '../../../../src/pipeline/slurm/parseSacct.js';
import { parseScontrol } from '../../../../src/pipeline/slurm/parseScontrol.js';
import { parseSqueue } from '../../../../src/pipeline/slurm/parseSqueue.js';
import { parsePollOutput } from '../../../../src/pipeline/slurm/pollCommand.js';
import { mapSlurmState } from '../../../../src/pipeline/slurm/slurmState.js';

const fx = (name: string) => readFileSync(new URL(`../../../fixtures/slurm/${name}`, import.meta.url), 'utf8');
const mem = (over: Partial<RefMemory> = {}): RefMemory => ({ firstSeenMs: 0, finalWithoutDetailSince: new Map(), depNeverSatisfied: false, ...over });
const T = 100_000;

test('state mapping: reasons in plain words', () => {
  assert.deepEqual(mapSlurmState('FAILED', 3, 0), { state: 'failed', reason: 'non-zero exit code 3' });
  assert.deepEqual(mapSlurmState('FAILED', 0, 9), { state: 'failed', reason: 'killed by signal 9' });
  assert.deepEqual(mapSlurmState('TIMEOUT', 0, 0), { state: 'failed', reason: 'TIMEOUT' });
  assert.deepEqual(mapSlurmState('OUT_OF_MEMORY', 0, 0), { state: 'failed', reason: 'OUT_OF_MEMORY' });
  assert.deepEqual(mapSlurmState('NODE_FAIL'), { state: 'failed', reason: 'NODE_FAIL' });
  assert.deepEqual(mapSlurmState('COMPLETING'), { state: 'running' });
  assert.equal(mapSlurmState('CANCELLED').state, 'cancelled');
});

test('finished mix with accounting: exit codes from sacct, rolled up', () => {
  const p = parsePollOutput(fx('poll-acct-on.txt'));
  const inp = { ...p, nowMs: T, graceMs: 5000 };
  const s1 = mergeStatus('1', mem({ indices: [0, 1, 2, 3] }), inp);
  assert.equal(s1.state, 'failed');
  assert.deepEqual(s1.tasks, [
    { index: 0, state: 'completed', exitCode: 0 },
    { index: 1, state: 'completed', exitCode: 0 },
    { index: 2, state: 'failed', exitCode: 3, reason: 'non-zero exit code 3' },
    { index: 3, state: 'completed', exitCode: 0 },
  ]);
  const s7 = mergeStatus('7', mem(), inp);
  assert.equal(s7.state, 'cancelled');
  assert.equal(s7.tasks.length, 3);
});

test('the same mix without accounting: scontrol gives the exit codes', () => {
  const p = parsePollOutput(fx('poll-acct-off.txt'));
  const s5 = mergeStatus('5', mem(), { ...p, nowMs: T, graceMs: 5000 });
  assert.deepEqual(s5.tasks, [
    { index: 0, state: 'failed', exitCode: 5, reason: 'non-zero exit code 5' },
    { index: 1, state: 'failed', exitCode: 5, reason: 'non-zero exit code 5' },
  ]);
  assert.equal(mergeStatus('1', mem(), { ...p, nowMs: T, graceMs: 5000 }).tasks[2]!.exitCode, 3);
});

test('sacct lag: a job only squeue knows is pending/running, not lost', () => {
  const squeue = parseSqueue(fx('squeue-running-throttled.txt'), 0).rows;
  const s = mergeStatus('11', mem({ indices: [0, 1, 2, 3], firstSeenMs: T - 1000 }), { squeue, squeueOk: true, sacct: [], sacctOk: true, nowMs: T, graceMs: 5000 });
  assert.equal(s.state, 'pending');
  assert.equal(s.tasks.length, 4);
  // The recorded bare "11|11|allocation|PENDING" row adds nothing wrong.
  const sacct = parseSacct(fx('sacct-mixed.txt'));
  const mixed = mergeStatus('11', mem(), { squeue: parseSqueue(fx('squeue-mixed.txt'), 0).rows, squeueOk: true, sacct, sacctOk: true, nowMs: T, graceMs: 5000 });
  assert.equal(mixed.state, 'running');
  // Tasks 0-1 are COMPLETED in squeue but sacct has no final row yet: held as running within the grace.
  assert.deepEqual(mixed.tasks.map((t) => t.state), ['running', 'running', 'running', 'running']);
});

test('squeue says final before sacct has the exit code: wait within the grace, then report', () => {
  const squeue = parseSqueue('9_0|9|0|9|FAILED|NonZeroExitCode|x\n', 0).rows;
  const m = mem({ indices: [0] });
  const early = mergeStatus('9', m, { squeue, squeueOk: true, sacct: [], sacctOk: true, nowMs: T, graceMs: 5000 });
  assert.equal(early.tasks[0]!.state, 'running');
  const late = mergeStatus('9', m, { squeue, squeueOk: true, sacct: [], sacctOk: true, nowMs: T + 6000, graceMs: 5000 });
  assert.deepEqual(late.tasks[0], { index: 0, state: 'failed', reason: 'non-zero exit code' });
  const withDetail = mergeStatus('9', mem(), { squeue, squeueOk: true, sacct: parseSacct('9_0|9|x|FAILED|2:0\n'), sacctOk: true, nowMs: T, graceMs: 5000 });
  assert.equal(withDetail.tasks[0]!.exitCode, 2);
});

test('a pending task cancelled on its own vanishes: stale grouped sacct row is not believed', () => {
  const squeue = parseSqueue('4_0|4|0|5|RUNNING|None|x\n', 0).rows;
  const sacct = parseSacct('4_0|5|x|RUNNING|0:0\n4_[1-2]|4|x|PENDING|0:0\n');
  const s = mergeStatus('4', mem({ indices: [0, 1, 2] }), { squeue, squeueOk: true, sacct, sacctOk: true, nowMs: T, graceMs: 5000 });
  assert.deepEqual(s.tasks.map((t) => t.state), ['running', 'cancelled', 'cancelled']);
  // ...but right after submission (sacct lag) missing tasks are pending.
  const young = mergeStatus('4', mem({ indices: [0, 1, 2], firstSeenMs: T - 100 }), { squeue: [], squeueOk: true, sacct: [], sacctOk: true, nowMs: T, graceMs: 5000 });
  assert.deepEqual(young.tasks.map((t) => t.state), ['pending', 'pending', 'pending']);
  // ...and with the controller down nothing is declared lost.
  const down = mergeStatus('4', mem({ indices: [0, 1, 2] }), { squeue: [], squeueOk: false, sacct, sacctOk: true, nowMs: T, graceMs: 5000 });
  assert.deepEqual(down.tasks.map((t) => t.state), ['running', 'pending', 'pending']);
});

test('DependencyNeverSatisfied: reported cancelled with the reason once the backend cancels', () => {
  const p = parsePollOutput(fx('poll-acct-on.txt'));
  const s = mergeStatus('6', mem({ depNeverSatisfied: true }), { ...p, nowMs: T, graceMs: 5000 });
  assert.equal(s.state, 'cancelled');
  assert.ok(s.tasks.every((t) => t.state === 'cancelled' && t.reason === 'DependencyNeverSatisfied'));
  const sc = parseScontrol(fx('scontrol-depnever-and-failed.txt'));
  assert.equal(mergeStatus('6', mem(), { squeue: [], squeueOk: false, sacct: [], sacctOk: false, scontrol: sc, nowMs: T, graceMs: 0 }).tasks.length, 3);
});

test('final outcomes are sticky once Slurm forgets the job', () => {
  const m = mem({ indices: [0, 1] });
  const p = parsePollOutput(fx('poll-acct-on.txt'));
  const first = mergeStatus('5', m, { ...p, nowMs: T, graceMs: 5000 });
  assert.equal(first.state, 'failed');
  // Later: squeue purged it (MinJobAge) and accounting is down; scontrol knows nothing either.
  const later = mergeStatus('5', m, { squeue: [], squeueOk: true, sacct: [], sacctOk: false, scontrol: [], nowMs: T + 1e6, graceMs: 5000 });
  assert.deepEqual(later, first);
});

test('rollUp', () => {
  assert.equal(rollUp([{ index: 0, state: 'pending' }]), 'pending');
  assert.equal(rollUp([{ index: 0, state: 'pending' }, { index: 1, state: 'completed' }]), 'running');
  assert.equal(rollUp([{ index: 0, state: 'completed' }, { index: 1, state: 'completed' }]), 'completed');
  assert.equal(rollUp([{ index: 0, state: 'cancelled' }, { index: 1, state: 'failed' }]), 'failed');
  assert.equal(rollUp([{ index: 0, state: 'cancelled' }, { index: 1, state: 'completed' }]), 'cancelled');
});

