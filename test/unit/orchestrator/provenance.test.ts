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
  // Run 23523's DL2 existed: its models folder was not used by this job, its IRF folder was (its DL3 was made).
  assert.deepEqual(p.runs, [
    { run_id: 23523, night: '20041204', dec_line: 'dec_2276', stages_run: ['dl2_to_dl3'], models_dir: null, irf_dir: '/i/dec_2276' },
    { run_id: 23526, night: '20041204', dec_line: 'dec_2276', stages_run: ['dl1_to_dl2', 'dl2_to_dl3'], models_dir: '/m/dec_2276', irf_dir: '/i/dec_2276' },
  ]);
  assert.deepEqual(p.inputs_dl3[0], { run_id: 23523, file: 'hess_dl3_dr1_obs_id_023523.fits.gz', size: readFileSync(files[0]).length, sha256: createHash('sha256').update(readFileSync(files[0])).digest('hex') });
  assert.deepEqual(p.cluster_jobs.map((j) => `${j.stage}/${j.attempt}=${j.job_id}:${j.state}`), ['dl1_to_dl2/1=101:failed', 'dl1_to_dl2/2=102:completed', 'dl2_to_dl3/1=103:completed']);
  assert.equal(p.timings.elapsed_s, 90);
  assert.ok(p.timings.stages.find((s) => s.stage === 'dl2_to_dl3')!.submitted);
  assert.match(provenanceLine(p), /^models dec_2276 · ASTRAN \d+\.\d+\.\d+( \([0-9a-f]{7}\))? · config [0-9a-f]{8} · 2 DL3 files sha256-recorded$/);
});

const probed = ConfigSchema.parse({ ...config, pipeline: { ...config.pipeline, version_probe: { tool: 'lstchain', command: ['python', '-c', 'import lstchain; print(lstchain.__version__)'] } } });

function jobWith(subs: { stage: string; attempt: number; ref: string | null }[]) {
  const store = new MemoryJobStore({ prefix: 'A' });
  const job = store.createJob({ params: { source: 'Crab Nebula', nightFrom: '20041204', nightTo: '20041204' }, requester: { adapter: 'test', userId: 'alice' }, runIds: [23523] });
  for (const s of subs) store.putSubmission({ jobId: job.id, stage: s.stage, attempt: s.attempt, backendRef: s.ref, state: 'completed', detail: { tasks: [{ index: 0, runId: 23523, runIds: [23523], outputs: [] }] } });
  return { store, job };
}
const one = { source: 'Crab Nebula', ra: 83.63, dec: 22.01, runs: [{ runId: 23523, night: '20041204', decLine: 'dec_2276' }] };
const files = [join(REPO_HESS, 'data', 'hess_dl3_dr1_obs_id_023523.fits.gz')];

test('provenance: the lstchain version each stage attempt reported on its node; the summary line leads with it', async () => {
  const { store, job } = jobWith([{ stage: 'dl1_to_dl2', attempt: 1, ref: '201' }, { stage: 'dl2_to_dl3', attempt: 1, ref: '202' }]);
  const probes = new Map([['201', { exitCode: 0, stdout: '0.10.5\n' }], ['202', { exitCode: 0, stdout: '0.10.5\n' }]]);
  const p = await buildProvenance({ job, store, config: probed, base: '/d', subject: one, files, probes, now: new Date() });
  assert.deepEqual(p.tool, {
    name: 'lstchain',
    version: '0.10.5',
    reports: [{ stage: 'dl1_to_dl2', attempt: 1, version: '0.10.5' }, { stage: 'dl2_to_dl3', attempt: 1, version: '0.10.5' }],
    note: 'reported by every stage attempt on its compute node',
  });
  assert.match(provenanceLine(p), /^lstchain 0\.10\.5 · models dec_2276 · ASTRAN \d+\.\d+\.\d+( \([0-9a-f]{7}\))? · 1 DL3 file sha256-recorded$/);
});

test('provenance: disagreeing, malformed or missing reports leave the version unknown, with the reason', async () => {
  const { store, job } = jobWith([{ stage: 'dl1_to_dl2', attempt: 1, ref: '201' }, { stage: 'dl2_to_dl3', attempt: 1, ref: '202' }]);
  const run = (probes: Map<string, { exitCode: number; stdout: string } | null>) => buildProvenance({ job, store, config: probed, base: '/d', subject: one, files, probes, now: new Date() });
  const differ = await run(new Map([['201', { exitCode: 0, stdout: '0.10.5\n' }], ['202', { exitCode: 0, stdout: '0.10.7\n' }]]));
  assert.equal(differ.tool.version, null);
  assert.equal(differ.tool.note, 'the stage attempts reported different versions (0.10.5, 0.10.7)');
  assert.match(provenanceLine(differ), /^lstchain version unknown · /);
  const hostile = await run(new Map([['201', { exitCode: 0, stdout: '<!channel> cn042.lst.cta' }], ['202', null]]));
  assert.equal(hostile.tool.version, null);
  assert.deepEqual(hostile.tool.reports.map((r) => r.problem), ['the probe printed something that is not a version number', 'the environment did not report (the probe did not run or was killed)']);
  assert.doesNotMatch(JSON.stringify(hostile), /cn042|channel/);
  // One attempt unreadable, the other fine: the version stands, and the note says how many reported.
  const partly = await run(new Map([['201', { exitCode: 1, stdout: '' }], ['202', { exitCode: 0, stdout: '0.10.5' }]]));
  assert.equal(partly.tool.version, '0.10.5');
  assert.equal(partly.tool.note, 'reported by 1 of 2 stage attempts on their compute nodes');
});

test('provenance: no stage ran (bundled or existing DL3) says so honestly; no probe configured says not recorded', async () => {
  const none = jobWith([]);
  const p = await buildProvenance({ job: none.job, store: none.store, config: probed, base: '/d', subject: one, files, now: new Date() });
  assert.deepEqual(p.tool, { name: 'lstchain', version: null, reports: [], note: 'no pipeline stage ran in this job: every DL3 file existed before it, so no pipeline tool ran' });
  assert.match(provenanceLine(p), /^no lstchain run \(DL3 files pre-existing\) · ASTRAN/);
  assert.deepEqual(p.runs, [{ run_id: 23523, night: '20041204', dec_line: 'dec_2276', stages_run: [], models_dir: null, irf_dir: null }]);
  const ran = jobWith([{ stage: 'dl1_to_dl2', attempt: 1, ref: '201' }]);
  const q = await buildProvenance({ job: ran.job, store: ran.store, config, base: '/d', subject: one, files, now: new Date() });
  assert.equal(q.tool.note, 'not recorded: pipeline.version_probe is not configured');
});
