import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { shellJoin, shq } from '../../../../src/pipeline/slurm/shq.js';

const EVIL = [
  "'; touch /tmp/pwned #",
  '$(touch /tmp/pwned)',
  '`touch /tmp/pwned`',
  'a\nb; touch /tmp/pwned',
  "it's",
  '"double" \\ back',
  '*',
  '~',
  'X=1',
  '',
  ' lead and trail ',
  '--flag=a b',
  '${HOME}',
  '!!',
  'ünïcödé ✓',
];

test('shq: every word reaches the program unchanged through a real shell', () => {
  // printf '%s\0' prints each argument NUL-terminated: an exact round trip check.
  const line = shellJoin(['printf', '%s\\0', ...EVIL]);
  const r = spawnSync('bash', ['-c', line], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.split('\0').slice(0, -1), EVIL);
  const r2 = spawnSync('sh', ['-c', line], { encoding: 'utf8' });
  assert.deepEqual(r2.stdout.split('\0').slice(0, -1), EVIL);
});

test('shq: plain words stay readable, others are single-quoted', () => {
  assert.equal(shq('/fefs/aswg/dl1_LST-1.Run01807.h5'), '/fefs/aswg/dl1_LST-1.Run01807.h5');
  assert.equal(shq('83.633deg'), '83.633deg');
  assert.equal(shq('a b'), "'a b'");
  assert.equal(shq("it's"), "'it'\\''s'");
  assert.equal(shq(''), "''");
  assert.equal(shq('X=1'), "'X=1'");
});

test('shq: refuses NUL bytes and empty argv', () => {
  assert.throws(() => shq('a\0b'));
  assert.throws(() => shellJoin([]));
});
