import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { LocalBackend } from '../../../../src/pipeline/LocalBackend.js';
import { silentLogger } from '../../../../src/log.js';

test('local backend reads files, stats and folders of this machine', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'astran-lf-'));
  const b = new LocalBackend({ config: { workdir: join(dir, 'work') }, env: {}, log: silentLogger });
  writeFileSync(join(dir, 'a.txt'), 'héllo');
  mkdirSync(join(dir, 'sub'));
  assert.deepEqual(await b.readText([join(dir, 'a.txt'), join(dir, 'nope'), join(dir, 'sub')]), ['héllo', null, null]);
  const [st, none] = await b.stat([join(dir, 'a.txt'), join(dir, 'nope')]);
  assert.equal(st!.size, 6);
  assert.ok(st!.mtimeMs > 0);
  assert.equal(none, null);
  assert.deepEqual(await b.list(dir), ['a.txt', 'sub']);
  assert.equal(await b.list(join(dir, 'nope')), null);
  assert.equal(await b.list(join(dir, 'a.txt')), null);
});
