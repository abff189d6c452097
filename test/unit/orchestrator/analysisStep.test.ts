import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAnalysisStep } from '../../../src/orchestrator/analysisStep.js';
import { renderPlots } from '../../../src/plots/renderAll.js';
import { PlotError } from '../../../src/plots/PlotError.js';
import { AbortedError } from '../../../src/util/sleep.js';
import { MemoryJobStore } from '../../../src/store/MemoryJobStore.js';
import { REPO_HESS } from '../../helpers/clusterReadable.js';
import { loadedConfig } from '../../helpers/orchestratorHarness.js';

const files = [23523, 23526].map((r) => join(REPO_HESS, 'data', `hess_dl3_dr1_obs_id_0${r}.fits.gz`));
const crab = { name: 'Crab Nebula', aliases: [], ra: 83.633, dec: 22.0145 };
const job = new MemoryJobStore().createJob({ params: { source: 'Crab Nebula', nightFrom: '20041204', nightTo: '20041204' }, requester: { adapter: 'rec', userId: 'u' } });
const config = loadedConfig().config;

test('plots are posted as the rendered buffers; the results folder keeps identical copies', async () => {
  const out = mkdtempSync(join(tmpdir(), 'astran-step-'));
  try {
    const r = await createAnalysisStep(config)(job, crab, files, out, new AbortController().signal);
    const names = r.message.files!.map((f) => f.name);
    // The H.E.S.S. files carry IRFs, so the two flux plots follow the four.
    assert.deepEqual(names, ['theta2.png', 'skymap.png', 'significance_vs_time.png', 'runs.png', 'lightcurve.png', 'spectrum.png']);
    for (const f of r.message.files!) {
      assert.equal(f.data.subarray(1, 4).toString(), 'PNG');
      assert.deepEqual(readFileSync(join(out, f.name)), f.data);
    }
    assert.ok(existsSync(join(out, 'results.json')));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('a plot that cannot be drawn costs that plot, not the job: the summary says which, why, and an error id', async () => {
  const out = mkdtempSync(join(tmpdir(), 'astran-step-'));
  try {
    const broken: typeof renderPlots = (result, before) => {
      const r = renderPlots(result, before);
      return { plots: r.plots.filter((p) => p.file !== 'skymap.png'), failures: [{ file: 'skymap.png', error: new PlotError('the map has no finite pixel') }] };
    };
    const r = await createAnalysisStep(config, undefined, { render: broken })(job, crab, files, out, new AbortController().signal);
    assert.deepEqual(r.message.files!.map((f) => f.name), ['theta2.png', 'significance_vs_time.png', 'runs.png', 'lightcurve.png', 'spectrum.png']);
    assert.match(r.message.text, /⚠️ skymap\.png could not be drawn \(the map has no finite pixel\); the numbers above are unaffected\. Error id: E-[0-9A-F]{6}\./);
    assert.match(r.message.text, /σ\* \(Li & Ma\)/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('the abort signal is honoured: an aborted analysis stops between steps with AbortedError', async () => {
  const out = mkdtempSync(join(tmpdir(), 'astran-step-'));
  try {
    const c = new AbortController();
    c.abort();
    await assert.rejects(createAnalysisStep(config)(job, crab, files, out, c.signal), AbortedError);
    // Aborted during plotting: no further plot is drawn.
    const c2 = new AbortController();
    let drawn = 0;
    const counting: typeof renderPlots = (result, before) =>
      renderPlots(result, () => {
        if (++drawn === 2) c2.abort();
        before?.();
      });
    await assert.rejects(createAnalysisStep(config, undefined, { render: counting })(job, crab, files, out, c2.signal), AbortedError);
    assert.equal(drawn, 2);
    assert.equal(existsSync(join(out, 'results.json')), false);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
