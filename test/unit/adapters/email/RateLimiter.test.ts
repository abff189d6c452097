import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from '../../../../adapters/email/RateLimiter.js';

test('rate limiter: max per window, then one notice, then silence', () => {
  const r = new RateLimiter(3, 60_000);
  const t0 = 1_000_000;
  assert.deepEqual([0, 1, 2].map((i) => r.check('a@x', t0 + i)), ['ok', 'ok', 'ok']);
  assert.equal(r.check('a@x', t0 + 10), 'notify');
  assert.equal(r.check('a@x', t0 + 20), 'drop');
  assert.equal(r.check('a@x', t0 + 30), 'drop');
  // Other senders are independent.
  assert.equal(r.check('b@x', t0 + 40), 'ok');
  // After the window slides past the first hit, one more is allowed and the notice re-arms.
  assert.equal(r.check('a@x', t0 + 60_000), 'ok');
  assert.equal(r.check('a@x', t0 + 60_001), 'ok');
  assert.equal(r.check('a@x', t0 + 60_002), 'ok');
  assert.equal(r.check('a@x', t0 + 60_003), 'notify');
  assert.equal(r.check('a@x', t0 + 60_004), 'drop');
});

test('rate limiter: refused mails do not extend the window', () => {
  const r = new RateLimiter(1, 1000);
  assert.equal(r.check('a', 0), 'ok');
  assert.equal(r.check('a', 500), 'notify');
  assert.equal(r.check('a', 900), 'drop');
  assert.equal(r.check('a', 1000), 'ok');
});
