/** The local backend's write guard: nothing inside a read-only root is created, written or removed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { LocalBackend } from '../../../src/pipeline/LocalBackend.js';
import { ReadOnlyPathError } from '../../../src/pipeline/WriteGuard.js';
import { silentLogger } from '../../../src/log.js';

test('the local backend refuses outputs, mkdirs and removals inside a read-only root before doing anything', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'astran-ro-'));
  const prod = join(dir, 'prod');
  mkdirSync(prod);
  writeFileSync(join(prod, 'dl2.h5'), 'official');
  const b = new LocalBackend({ config: { workdir: join(dir, 'work') }, env: {}, log: silentLogger, readOnlyRoots: [prod] });
  await b.start();
  const sub = (outputs: string[], mkdirs: string[]) => ({
    jobId: 'T-0001',
    stage: 'dl1_to_dl2',
    attempt: 1,
    mkdirs,
    tasks: [{ index: 0, runId: 1, argv: ['touch', ...outputs], inputs: [], outputs }],
  });
  await assert.rejects(b.submit(sub([join(prod, 'DL2', 'x.h5')], [join(dir, 'ws', 'DL2')])), ReadOnlyPathError);
  assert.equal(existsSync(join(dir, 'ws', 'DL2')), false, 'no mkdir happened');
  assert.equal(existsSync(join(dir, 'work', 'T-0001')), false, 'nothing was submitted');
  await assert.rejects(b.submit(sub([join(dir, 'ws', 'x.h5')], [join(prod, 'DL2')])), (e: unknown) => {
    assert.ok(e instanceof ReadOnlyPathError);
    assert.doesNotMatch(e.message + e.hint, /\/prod|\/tmp/, 'no path in the user-facing words');
    return true;
  });
  assert.equal(existsSync(join(prod, 'DL2')), false);
  await assert.rejects(b.remove([join(prod, 'dl2.h5')]), ReadOnlyPathError);
  assert.equal(existsSync(join(prod, 'dl2.h5')), true);
  await b.stop();
});
