import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigSchema } from '../../../src/bot/config.js';
import { MemoryJobStore } from '../../../src/store/MemoryJobStore.js';
import { buildProvenance, provenanceLine } from '../../../src/orchestrator/provenance.js';
import { REPO_HESS } from '../../helpers/clusterReadable.js';

const config = ConfigSchema.parse({
  data: { base: '/d', night_index: 'run_catalog', run_catalog: '{base}/rc_{night}', workspace: '/ws' },
  paths: { dl1: '{base}/dl1_{run}', dl2: '{workspace}/dl2_{run}', dl3_dir: '{workspace}/DL3', dl3: '{dl3_dir}/dl3_{run}', models_dir: '/m/{dec_line}', irf_dir: '/i/{dec_line}' },
  dec_lines: { roots: ['/m', '/i'] },
  pipeline: {
    stages: [
      { name: 'dl1_to_dl2', per: 'run', inputs: ['{dl1}'], outputs: ['{dl2}'], command: ['t12', '{dl1}', '-p', '{models_dir}'] },
      { name: 'dl2_to_dl3', per: 'run', inputs: ['{dl2}'], outputs: ['{dl3}'], command: ['t23', '{dl2}', '-i', '{irf_dir}'] },
    ],
  },
});

test('provenance: versions, config hash, commands that ran, models/IRFs per run, DL3 checksums, cluster jobs, timings', async () => {
  const store = new MemoryJobStore({ prefix: 'A' });
  const job = store.createJob({ params: { source: 'Crab Nebula', nightFrom: '20041204', nightTo: '20041204' }, requester: { adapter: 'test', userId: 'alice' }, runIds: [23523, 23526] });
  // Only run 23526 needed DL2 (attempt 2 after a retry); both got DL3.
  store.putSubmission({ jobId: job.id, stage: 'dl1_to_dl2', attempt: 1, backendRef: '101', state: 'failed', detail: { tasks: [{ index: 0, runId: 23526, runIds: [23526], outputs: [] }] } });
  store.putSubmission({ jobId: job.id, stage: 'dl1_to_dl2', attempt: 2, backendRef: '102', state: 'completed', detail: { tasks: [{ index: 0, runId: 23526, runIds: [23526], outputs: [] }] } });
  store.putSubmission({ jobId: job.id, stage: 'dl2_to_dl3', attempt: 1, backendRef: '103', state: 'completed', detail: { tasks: [23523, 23526].map((r, index) => ({ index, runId: r, runIds: [r], outputs: [] })) } });
  store.addEvent(job.id, 'submitted', 'dl2_to_dl3 attempt 1 submitted as 103');
  store.addEvent(job.id, 'stage_done', 'dl2_to_dl3 done (2 task(s), attempt 1)');
  const files = [23523, 23526].map((r) => join(REPO_HESS, 'data', `hess_dl3_dr1_obs_id_0${r}.fits.gz`));
  const configFile = new URL('../../../config/default.yaml', import.meta.url).pathname;
  const subject = { source: 'Crab Nebula', ra: 83.63, dec: 22.01, runs: [23523, 23526].map((runId) => ({ runId, night: '20041204', decLine: 'dec_2276' })) };
  const p = await buildProvenance({ job, store, config, base: '/d', subject, files, configFile, now: new Date(Date.parse(job.createdAt) + 90_000) });
  assert.match(p.astran.version, /^\d+\.\d+\.\d+/);
  assert.equal(p.config_sha256, createHash('sha256').update(readFileSync(configFile)).digest('hex'));
  assert.deepEqual(p.stage_commands, [
    { stage: 'dl1_to_dl2', per: 'run', tasks: [{ runs: [23526], argv: ['t12', '/d/dl1_23526', '-p', '/m/dec_2276'] }] },
    { stage: 'dl2_to_dl3', per: 'run', tasks: [{ runs: [23523], argv: ['t23', '/ws/dl2_23523', '-i', '/i/dec_2276'] }, { runs: [23526], argv: ['t23', '/ws/dl2_23526', '-i', '/i/dec_2276'] }] },
  ]);
  assert.deepEqual(p.runs[0], { run_id: 23523, night: '20041204', dec_line: 'dec_2276', models_dir: '/m/dec_2276', irf_dir: '/i/dec_2276' });
  assert.deepEqual(p.inputs_dl3[0], { run_id: 23523, file: 'hess_dl3_dr1_obs_id_023523.fits.gz', size: readFileSync(files[0]).length, sha256: createHash('sha256').update(readFileSync(files[0])).digest('hex') });
  assert.deepEqual(p.cluster_jobs.map((j) => `${j.stage}/${j.attempt}=${j.job_id}:${j.state}`), ['dl1_to_dl2/1=101:failed', 'dl1_to_dl2/2=102:completed', 'dl2_to_dl3/1=103:completed']);
  assert.equal(p.timings.elapsed_s, 90);
  assert.ok(p.timings.stages.find((s) => s.stage === 'dl2_to_dl3')!.submitted);
  assert.match(provenanceLine(p), /^models dec_2276 · ASTRAN \d+\.\d+\.\d+( \([0-9a-f]{7}\))? · config [0-9a-f]{8} · 2 DL3 files sha256-recorded$/);
});
