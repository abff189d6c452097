import { test } from 'node:test';
import assert from 'node:assert/strict';
import { safeMask, safeThresholdTeV } from '../../../../src/analysis/flux/safeThreshold.js';

const close = (a: number, b: number, tol = 1e-10) => assert.ok(Math.abs(a - b) <= tol * Math.abs(b), `${a} vs ${b}`);

test('threshold where the log–log interpolated area reaches 10 % of its maximum', () => {
  // A = 1, 100, 1000 m² at 0.1, 1, 10 TeV: 10 % of the maximum is 100 m², reached exactly at 1 TeV.
  close(safeThresholdTeV([0.1, 1, 10], [1, 100, 1000])!, 1);
  // 50 %: 500 m² between 1 and 10 TeV on the log–log line A = 100·E → E = 5.
  close(safeThresholdTeV([0.1, 1, 10], [1, 100, 1000], 50)!, 5);
  // The scan starts at the first positive area.
  close(safeThresholdTeV([0.05, 0.1, 1, 10], [0, 1, 100, 1000])!, 1);
});

test('no crossing: the first centre with a positive area; all zero: null', () => {
  assert.equal(safeThresholdTeV([0.1, 1, 10], [500, 800, 1000]), 0.1);
  assert.equal(safeThresholdTeV([0.1, 1, 10], [0, 0, 0]), null);
});

test('safe mask: reco bins whose lower edge is at or above the threshold', () => {
  assert.deepEqual(safeMask([0.1, 0.5, 1, 2], 0.5), [false, true, true]);
  assert.deepEqual(safeMask([0.1, 0.5, 1, 2], 0.51), [false, false, true]);
  assert.deepEqual(safeMask([0.1, 0.5, 1, 2], null), [false, false, false]);
});
