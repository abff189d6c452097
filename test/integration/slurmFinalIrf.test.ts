/**
 * lstchain's final IRF file on the REAL test Slurm cluster: the dl2_to_dl3 tasks of one night, planned by
 * config/lst.yaml, run as one job array writing into one DL3 folder. Without a final IRF per task they clash (the
 * stand-in fails when the IRF it reads back is not the one it wrote); with the profile's --final-irf-file they do not.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SlurmBackend } from '../../src/pipeline/slurm/SlurmBackend.js';
import { ensureCluster, makeBackend, uniq, waitFinal, type ClusterEnv } from '../helpers/slurmCluster.js';
import { clusterReadable } from '../helpers/clusterReadable.js';
import { FINAL_IRF_RUNS, layDl3Inputs, profileDl3Tasks } from '../helpers/finalIrfScenario.js';

let env: ClusterEnv;
let b: SlurmBackend;

before(async () => {
  env = ensureCluster();
  b = makeBackend(env);
  await b.start();
});

after(async () => {
  await b?.stop();
});

async function night(withoutFix: boolean) {
  const base = mkdtempSync('/tmp/astran-firf-');
  chmodSync(base, 0o755);
  const s = profileDl3Tasks(base, ['node', join(clusterReadable().standins, 'standin_lstchain_create_dl3_file.mjs')], withoutFix);
  layDl3Inputs(base, s);
  execFileSync('chown', ['-R', `${env.user}:`, base]);
  const ref = await b.submit({
    jobId: uniq('F'),
    stage: 'dl2_to_dl3',
    attempt: 1,
    tasks: s.tasks,
    mkdirs: s.mkdirs,
    // The single test node runs 2 tasks at once: those two hold after their write until both have written.
    maxParallel: 2,
    env: { ASTRAN_STANDIN_DL3_SOURCE_DIR: join(clusterReadable().hess, 'data'), ASTRAN_STANDIN_TRACE_FILE: join(base, 'trace.jsonl'), ASTRAN_STANDIN_FINAL_IRF_BARRIER: '2' },
  });
  const st = (await waitFinal(b, [ref], 120_000)).get(ref)!;
  const logs = await Promise.all(s.tasks.map((t) => b.logTail(ref, t.index, 30)));
  return { s, st, logs };
}

describe('final IRF per task on Slurm', { concurrency: false }, () => {
  test('without the fix, parallel array tasks clash on final_irf.fits.gz', async () => {
    const { st, logs } = await night(true);
    const failed = st.tasks.filter((t) => t.state === 'failed');
    assert.ok(failed.length >= 1, JSON.stringify(st));
    assert.ok(failed.some((t) => /final_irf\.fits\.gz (was replaced while in use|already exists)|removed by another process/.test(logs[t.index])), logs.join('\n---\n'));
  });

  test('with the LST profile as shipped, every task completes with its own final IRF', async () => {
    const { s, st, logs } = await night(false);
    assert.equal(st.state, 'completed', logs.join('\n---\n'));
    for (const run of FINAL_IRF_RUNS)
      assert.equal(JSON.parse(readFileSync(join(s.dl3Dir, `final_irf_Run${String(run).padStart(5, '0')}.fits.gz`), 'utf8')).interpolated_for_run, run);
  });
});
