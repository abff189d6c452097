import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { LocalBackend } from '../../../src/pipeline/LocalBackend.js';
import type { StageStatus } from '../../../src/pipeline/ClusterBackend.js';
import { silentLogger } from '../../../src/log.js';
import { REPO_HESS } from '../../helpers/clusterReadable.js';
import { FINAL_IRF_RUNS, layDl3Inputs, profileDl3Tasks } from '../../helpers/finalIrfScenario.js';

const PREFIX = [process.execPath, resolve('test/fakes/standins/standin_lstchain_create_dl3_file.mjs')];

async function runNight(withoutFix: boolean) {
  const base = mkdtempSync(join(tmpdir(), 'astran-firf-'));
  const s = profileDl3Tasks(base, PREFIX, withoutFix);
  layDl3Inputs(base, s);
  const b = new LocalBackend({ config: { workdir: join(base, 'work'), concurrency: 3 }, env: process.env, log: silentLogger });
  await b.start();
  const ref = await b.submit({
    jobId: 'T-0001',
    stage: 'dl2_to_dl3',
    attempt: 1,
    tasks: s.tasks,
    mkdirs: s.mkdirs,
    // All three tasks hold after writing their final IRF until all three have: the overlap is certain, not timed.
    env: { ASTRAN_STANDIN_DL3_SOURCE_DIR: join(REPO_HESS, 'data'), ASTRAN_STANDIN_TRACE_FILE: join(base, 'trace.jsonl'), ASTRAN_STANDIN_FINAL_IRF_BARRIER: '3' },
  });
  let st: StageStatus | undefined;
  for (const end = Date.now() + 30_000; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) {
    st = (await b.poll([ref])).get(ref);
    if (st && !['pending', 'running'].includes(st.state)) break;
  }
  const logs = await Promise.all(s.tasks.map((t) => b.logTail(ref, t.index, 20)));
  await b.stop();
  return { base, s, st: st!, logs };
}

test('without a final IRF per task, parallel DL3 tasks of one night clash on final_irf.fits.gz (the stand-in shows it)', async () => {
  const { st, logs } = await runNight(true);
  const failed = st.tasks.filter((t) => t.state === 'failed');
  assert.ok(failed.length >= 1, `some task must fail: ${JSON.stringify(st.tasks)}`);
  assert.ok(
    failed.some((t) => /final_irf\.fits\.gz (was replaced while in use|already exists)|removed by another process/.test(logs[t.index])),
    logs.join('\n---\n'),
  );
});

test('the LST profile gives each task its own final IRF file: all complete, each file holds its own run', async () => {
  const { base, s, st, logs } = await runNight(false);
  assert.equal(st.state, 'completed', logs.join('\n---\n'));
  for (const run of FINAL_IRF_RUNS) {
    const f = join(s.dl3Dir, `final_irf_Run${String(run).padStart(5, '0')}.fits.gz`);
    assert.equal(JSON.parse(readFileSync(f, 'utf8')).interpolated_for_run, run);
  }
  const trace = readFileSync(join(base, 'trace.jsonl'), 'utf8');
  assert.equal(trace.split('"event":"final_irf_written"').length - 1, 3, 'the three writes did overlap (barrier of 3 passed)');
});
