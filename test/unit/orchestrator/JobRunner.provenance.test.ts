/** The runner reads the environment probes of its stage attempts and puts the tool version into results and summary. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { harness, params, request, runs } from '../../helpers/orchestratorHarness.js';
import { REPO_HESS } from '../../helpers/clusterReadable.js';

const PROBE = { tool: 'lstchain', command: ['python', '-c', 'import lstchain; print(lstchain.__version__)'] };
const HESS = [23523, 23526].map((r) => join(REPO_HESS, 'data', `hess_dl3_dr1_obs_id_0${r}.fits.gz`));

function rig(reportText: string | null, submission: 'chain' | 'stage_by_stage' = 'chain') {
  const h = harness({ pipeline: { version_probe: PROBE, submission } });
  h.backend.probeReport = reportText === null ? null : { exitCode: 0, stdout: reportText };
  // The DL3 "fetched" from the fake cluster: two real files, so their checksums are real.
  h.backend.fetch = async () => HESS;
  h.setAnalysis(async (_job, _src, _files, outDir) => {
    writeFileSync(join(outDir, 'results.json'), JSON.stringify({ total: { significance: 5.5 } }));
    return { summary: { total: { significance: 5.5 } }, message: { text: 'SUMMARY 5.5σ' } };
  });
  return h;
}

for (const mode of ['chain', 'stage_by_stage'] as const)
test(`${mode}: every submission carries the configured probe; the version reported on the cluster reaches results.json and the summary`, async () => {
  const h = rig('0.10.5\n', mode);
  const o = h.make();
  const job = await o.launch(params, runs, request);
  const final = await o.waitFor(job.id);
  assert.equal(final.state, 'done', h.chat.text());
  assert.deepEqual(h.backend.submitted.map((s) => s.probe), [PROBE.command, PROBE.command, PROBE.command]);
  const res = JSON.parse(readFileSync(join('/tmp/astran-test-out', job.id, 'results.json'), 'utf8'));
  assert.equal(res.provenance.tool.version, '0.10.5');
  assert.deepEqual(res.provenance.tool.reports.map((r: { stage: string }) => r.stage), ['dl1_to_dl2', 'dl2_to_dl3', 'dl3_index']);
  assert.deepEqual(res.provenance.cluster_jobs.map((j: { job_id: string }) => j.job_id), ['fake-1', 'fake-2', 'fake-3']);
  // Timings of every attempt, in chain mode (the default) as in stage-by-stage mode.
  for (const s of res.provenance.timings.stages) assert.ok(s.submitted && s.done && s.done >= s.submitted, JSON.stringify(s));
  assert.equal(h.chat.sent(/^SUMMARY 5\.5σ\nProvenance: lstchain 0\.10\.5 · ASTRAN \d+\.\d+\.\d+( \([0-9a-f]{7}\))? · 2 DL3 files sha256-recorded\.$/), 1, h.chat.text());
  await o.stop();
});

test('a probe that prints something else: the job still succeeds, the version is "unknown", the text never reaches chat', async () => {
  const h = rig('<!channel> Traceback: /fefs/aswg/software/conda/bin/python on cn042\n');
  const o = h.make();
  const job = await o.launch(params, runs, request);
  const final = await o.waitFor(job.id);
  assert.equal(final.state, 'done', h.chat.text());
  assert.match(h.chat.text(), /Provenance: lstchain version unknown · /);
  assert.doesNotMatch(h.chat.text(), /cn042|fefs|channel/);
  await o.stop();
});
