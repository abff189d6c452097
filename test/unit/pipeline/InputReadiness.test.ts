import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { ConfigSchema } from '../../../src/bot/config.js';
import { InputReadiness, dl1WaitWords } from '../../../src/pipeline/InputReadiness.js';
import { localFiles } from '../../../src/pipeline/files/localFiles.js';
import { FakeBackend } from '../../fakes/FakeBackend.js';

const cfg = (dl1_complete: Record<string, unknown>) =>
  ConfigSchema.parse({ data: { base: '/d', night_index: 'run_catalog', run_catalog: '{base}/rc_{night}' }, paths: { dl3: 'x', dl3_dir: 'y' }, vars: { prod_id: 'v0.10' }, pipeline: { dl1_complete } });
const work = (m: Record<number, string>) => ({ inputsOf: new Map(Object.entries(m).map(([r, p]) => [Number(r), { night: '20231206', inputs: [p] }])) });

test('stability: ready only after size and mtime stayed the same for stable_for_s between checks', async () => {
  const cluster = new FakeBackend();
  let now = 1_000_000_000_000;
  const r = new InputReadiness(cfg({ stable_for_s: 600 }), '/d', cluster, () => now);
  const w = work({ 1: '/d/a.h5', 2: '/d/b.h5', 3: '/d/c.h5' });
  cluster.stats.set('/d/a.h5', { size: 10, mtimeMs: now - 5_000 }); // being written
  cluster.stats.set('/d/b.h5', { size: 99, mtimeMs: now - 3_600_000 }); // finished an hour ago
  assert.deepEqual(await r.assess(w), { ready: [2], writing: [1], missing: [3] });
  now += 300_000;
  cluster.stats.set('/d/a.h5', { size: 20, mtimeMs: now - 1_000 }); // grew
  assert.deepEqual((await r.assess(w)).writing, [1]);
  now += 300_000;
  assert.deepEqual((await r.assess(w)).writing, [1], 'unchanged for 300 s only');
  now += 300_001;
  assert.deepEqual((await r.assess(w)).ready, [1, 2], 'unchanged for more than 600 s');
});

test('night flag: runs of the night are ready once NightFinished.txt exists; with stability too, either suffices', async () => {
  const cluster = new FakeBackend();
  const now = 1_000_000_000_000;
  const flag = '/d/OSA/Closer/20231206/v0.10/NightFinished.txt';
  const r = new InputReadiness(cfg({ night_flag: '{base}/OSA/Closer/{night}/{prod_id}/NightFinished.txt' }), '/d', cluster, () => now);
  cluster.stats.set('/d/a.h5', { size: 10, mtimeMs: now - 3_600_000 });
  assert.deepEqual(await r.assess(work({ 1: '/d/a.h5' })), { ready: [], writing: [1], missing: [] }, 'an old file is not enough: the flag rules');
  cluster.files.add(flag);
  assert.deepEqual((await r.assess(work({ 1: '/d/a.h5' }))).ready, [1]);
  const both = new InputReadiness(cfg({ night_flag: '{base}/flag_{night}', stable_for_s: 60 }), '/d', cluster, () => now);
  assert.deepEqual((await both.assess(work({ 1: '/d/a.h5' }))).ready, [1], 'stable although the flag is absent');
  assert.equal(
    dl1WaitWords({ ready: [1], writing: [2], missing: [3] }, 3, { nightFlag: false, stableForS: 600 }),
    '1 of 3 runs ready, 1 still being written (not yet unchanged for 600 s: run 2), 1 not there yet (run 3)',
  );
});

test('neither rule: existing is enough (the old behaviour)', async () => {
  const cluster = new FakeBackend();
  cluster.files.add('/d/a.h5');
  const r = new InputReadiness(cfg({}), '/d', cluster, () => Date.now());
  assert.deepEqual(await r.assess(work({ 1: '/d/a.h5', 2: '/d/b.h5' })), { ready: [1], writing: [], missing: [2] });
});

test('a real slowly growing DL1 file on this disk is never ready while its writer runs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'astran-dl1w-'));
  const f = join(dir, 'dl1_LST-1.Run01807.h5');
  const writer = spawn(process.execPath, [resolve('test/fakes/standins/standin_dl1_writer.mjs'), f, '12', '150'], { stdio: 'ignore' });
  const exited = new Promise((r) => writer.once('exit', r));
  const r = new InputReadiness(cfg({ stable_for_s: 1 }), dir, localFiles, () => Date.now());
  const seen: string[] = [];
  let ready = false;
  while (!ready) {
    const st = await r.assess(work({ 1807: f }));
    const state = st.ready.length ? 'ready' : st.writing.length ? 'writing' : 'missing';
    seen.push(state);
    if (state === 'ready') {
      ready = true;
      assert.ok(existsSync(`${f}.done`), `picked up before the writer finished (${seen.join(',')})`);
    } else await new Promise((res) => setTimeout(res, 100));
  }
  await exited;
  assert.ok(seen.includes('writing'), seen.join(','));
});
