import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arraySpec, expandArrayTasks } from '../../../../src/pipeline/slurm/arraySpec.js';

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
