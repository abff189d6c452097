import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProbeExitCode, parseToolVersion } from '../../../src/pipeline/toolVersion.js';

const ok = (stdout: string) => parseToolVersion({ exitCode: 0, stdout });

test('versions as lstchain reports them are accepted', () => {
  for (const v of ['0.10.5', '0.10.18', '0.11.0rc1', '0.10.12.dev5+g6a3f2b1', '0.10.12.dev5+g6a3f2b1.d20240101', '0.3.0.post233+git0ec4864', '0.0.0', '1!2.0'])
    assert.deepEqual(ok(`${v}\n`), { ok: true, version: v }, v);
  // Surrounding blank lines and a CRLF are not content.
  assert.deepEqual(ok('\n0.10.5\r\n\n'), { ok: true, version: '0.10.5' });
});

test('anything else is unreadable, with a plain reason, and never passed on', () => {
  const bad = [
    'v0.10.5', // git tag, not a version
    'unknown',
    '0.10.5 extra',
    '0.10.5; rm -rf /',
    '<@U123> 0.10.5',
    'lstchain 0.10.5',
    '0.10.5+',
    `${'1.'.repeat(30)}1`,
    '0.10.5+g' + 'a'.repeat(90),
  ];
  for (const b of bad) assert.deepEqual(ok(b), { ok: false, problem: 'the probe printed something that is not a version number' }, b);
  assert.deepEqual(ok('WARNING: numba cache\n0.10.5\n'), { ok: false, problem: 'the probe printed more than one line' });
  assert.deepEqual(ok('  \n'), { ok: false, problem: 'the probe printed nothing' });
  assert.equal(parseToolVersion({ exitCode: 1, stdout: '0.10.5' }).ok, false);
  assert.equal(parseToolVersion(null).ok, false);
});

test('probe exit code files: one small integer only', () => {
  assert.equal(parseProbeExitCode('0\n'), 0);
  assert.equal(parseProbeExitCode('124'), 124);
  for (const b of ['', 'x', '-1', '1 2', '12345']) assert.equal(parseProbeExitCode(b), null, b);
  assert.equal(parseProbeExitCode(null), null);
});
