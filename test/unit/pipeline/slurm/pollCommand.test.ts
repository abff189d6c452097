import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parsePollOutput, rowsByRef } from '../../../../src/pipeline/slurm/pollCommand.js';
import { mergeStatus } from '../../../../src/pipeline/slurm/mergeStatus.js';

// Outputs recorded on the real test cluster (Slurm 22.05.8), see test/fixtures/slurm/.
const fx = (name: string) => readFileSync(new URL(`../../../fixtures/slurm/${name}`, import.meta.url), 'utf8');

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

test('rows grouped by array job once per poll: each ref gets exactly its own rows, and the same status as from all rows', () => {
  for (const file of ['poll-acct-on.txt', 'poll-acct-off.txt']) {
    const p = parsePollOutput(fx(file));
    const of = rowsByRef(p);
    const refs = [...new Set([...p.squeue, ...p.sacct, ...(p.scontrol ?? [])].map((r) => r.arrayJobId)), '999'];
    for (const ref of refs) {
      const own = of(ref);
      assert.deepEqual([own.squeueOk, own.sacctOk, own.scontrol === undefined], [p.squeueOk, p.sacctOk, p.scontrol === undefined]);
      assert.deepEqual(own.squeue, p.squeue.filter((r) => r.arrayJobId === ref));
      assert.deepEqual(own.sacct, p.sacct.filter((r) => r.arrayJobId === ref));
      if (p.scontrol) assert.deepEqual(own.scontrol, p.scontrol.filter((r) => r.arrayJobId === ref));
      const mem = () => ({ firstSeenMs: 0, finalWithoutDetailSince: new Map(), depNeverSatisfied: false, indices: [0, 1, 2] });
      const input = { nowMs: 1e9, graceMs: 5000 };
      assert.deepEqual(mergeStatus(ref, mem(), { ...own, ...input }), mergeStatus(ref, mem(), { ...p, ...input }), `${file} ${ref}`);
    }
    assert.equal(of('999').squeue.length + of('999').sacct.length, 0);
  }
});
