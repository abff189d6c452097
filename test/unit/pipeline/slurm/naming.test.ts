import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jobName, parseJobName } from '../../../../src/pipeline/slurm/naming.js';

test('job names parse back to the stage key', () => {
  const k = { jobId: 'A-0042', stage: 'dl1_to_dl2', attempt: 3 };
  assert.equal(jobName(k), 'astran-A-0042-dl1_to_dl2-a3');
  assert.deepEqual(parseJobName(jobName(k)), k);
  assert.equal(parseJobName('wrap'), undefined);
});
