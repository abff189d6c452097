import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorReply } from '../../../src/dispatch/errorReply.js';

test('the one error reply: plain words, the error id, the command when known; rejected and ephemeral', () => {
  const r = errorReply('E-1A2B3C', 'launch');
  assert.equal(r.text, 'Sorry, something went wrong with `launch` (error E-1A2B3C). Nothing else was affected; an ASTRAN admin can look the error id up in the log.');
  assert.equal(r.ephemeral, true);
  assert.equal(r.rejected, true);
  assert.equal(errorReply('E-000001').text, 'Sorry, something went wrong (error E-000001). Nothing else was affected; an ASTRAN admin can look the error id up in the log.');
});
