import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, existsSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { LIST_SCRIPT, READ_SCRIPT, STAT_SCRIPT, parseListOutput, parseReadOutput, parseStatOutput } from '../../../../src/pipeline/slurm/remoteFiles.js';
import { READ_TEXT_MAX_BYTES } from '../../../../src/pipeline/ClusterBackend.js';

// The scripts run here through the same `sh -c SCRIPT name ARGS...` the backend sends over SSH.
const sh = (script: string, args: string[]) => execFileSync('sh', ['-c', script, 'astran-test', ...args], { encoding: 'utf8' });

test('stat script: size and sub-second mtime, 0 for absent, hostile names stay literal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'astran-rf-'));
  const a = join(dir, 'a file $(touch pwned)');
  writeFileSync(a, 'hello');
  utimesSync(a, 1700000000.25, 1700000000.25);
  const out = parseStatOutput(sh(STAT_SCRIPT, [a, join(dir, 'nope'), '-x']), 3)!;
  assert.deepEqual(out[0], { size: 5, mtimeMs: 1700000000250 });
  assert.equal(out[1], null);
  assert.equal(out[2], null);
  assert.equal(existsSync(join(dir, 'pwned')), false);
});

test('read script: exact UTF-8 text, absent and folders are null, large files flagged', () => {
  const dir = mkdtempSync(join(tmpdir(), 'astran-rf-'));
  const text = '# %ECSV 1.0\nrun_id,source_name\n1,"Mrk 421" ✓\n\nlast line without newline';
  writeFileSync(join(dir, 'cat.ecsv'), text);
  writeFileSync(join(dir, 'empty'), '');
  writeFileSync(join(dir, 'big'), Buffer.alloc(READ_TEXT_MAX_BYTES + 1, 65));
  const out = parseReadOutput(sh(READ_SCRIPT, [join(dir, 'cat.ecsv'), join(dir, 'missing'), dir, join(dir, 'empty'), join(dir, 'big')]), 5)!;
  assert.deepEqual(out.slice(0, 4), [{ kind: 'text', text }, { kind: 'absent' }, { kind: 'absent' }, { kind: 'text', text: '' }]);
  assert.deepEqual(out[4], { kind: 'too_large', bytes: READ_TEXT_MAX_BYTES + 1 });
});

test('list script: names (even with spaces and newlines), null for an absent folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'astran-rf-'));
  mkdirSync(join(dir, 'dec_2276'));
  mkdirSync(join(dir, 'dec_min_413'));
  writeFileSync(join(dir, 'odd\nname'), '');
  assert.deepEqual(parseListOutput(sh(LIST_SCRIPT, [dir])), ['dec_2276', 'dec_min_413', 'odd\nname']);
  assert.equal(parseListOutput(sh(LIST_SCRIPT, [join(dir, 'nope')])), null);
  assert.deepEqual(parseListOutput(sh(LIST_SCRIPT, [join(dir, 'dec_2276')])), []);
});

test('parsers refuse answers that do not fit the protocol', () => {
  assert.equal(parseStatOutput('1 5 17\n', 2), undefined);
  assert.equal(parseStatOutput('1 five 17\n', 1), undefined);
  assert.equal(parseReadOutput('1 !!notbase64\n', 1), undefined);
  assert.equal(parseReadOutput('3\n', 1), undefined);
  assert.equal(parseListOutput('Permission denied\n'), undefined);
  assert.equal(parseListOutput('1\nabc'), undefined);
});
