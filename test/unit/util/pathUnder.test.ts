import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rootContaining } from '../../../src/util/pathUnder.js';

test('paths under a root: lexical, after normalising .. and slashes; siblings with a common prefix are not inside', () => {
  assert.equal(rootContaining('/prod/DL2/x.h5', ['/prod']), '/prod');
  assert.equal(rootContaining('/prod', ['/prod/']), '/prod/');
  assert.equal(rootContaining('/ws/../prod/DL2', ['/prod']), '/prod');
  assert.equal(rootContaining('//prod//a', ['/prod']), '/prod');
  assert.equal(rootContaining('/production/a', ['/prod']), undefined);
  assert.equal(rootContaining('/ws/DL2', ['/prod', '/models']), undefined);
});
