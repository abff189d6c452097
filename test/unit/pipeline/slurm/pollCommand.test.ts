import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parsePollOutput } from '../../../../src/pipeline/slurm/pollCommand.js';

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
