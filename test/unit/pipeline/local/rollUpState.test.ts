import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskState } from '../../../../src/pipeline/ClusterBackend.js';
import { rollUpState } from '../../../../src/pipeline/local/rollUpState.js';

const r = (...s: TaskState[]) => rollUpState(s.map((state) => ({ state })));

describe('rollUpState', () => {
  it('is final only when every task is final', () => {
    assert.equal(r('pending', 'pending'), 'pending');
    assert.equal(r('pending', 'running'), 'running');
    assert.equal(r('completed', 'pending'), 'running');
    assert.equal(r('failed', 'running'), 'running');
    assert.equal(r('completed', 'completed'), 'completed');
    assert.equal(r('completed', 'failed', 'cancelled'), 'failed');
    assert.equal(r('completed', 'cancelled'), 'cancelled');
    assert.equal(r('cancelled'), 'cancelled');
    assert.equal(r(), 'completed');
  });
});
