import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigSchema } from '../../../src/bot/config.js';
import { planStages, neededWork, pathsToCheck, dl3Paths } from '../../../src/pipeline/PipelinePlan.js';
import { renderTemplate, resolvePaths, sourceDirName } from '../../../src/config/template.js';

const config = ConfigSchema.parse({
  data: { base: '/d', night_index: 'run_catalog', run_catalog: '{base}/rc/RunCatalog_{night}.ecsv' },
  paths: {
    dl1: '{base}/DL1/{night}/dl1_LST-1.Run{run:05}.h5',
    dl2_dir: '{base}/DL2/{night}',
    dl2: '{dl2_dir}/dl2_LST-1.Run{run:05}.h5',
    dl3_dir: '{base}/DL3/{night}/{source_dir}',
    dl3: '{dl3_dir}/dl3_LST-1.Run{run:05}.fits.gz',
    dl3_index: '{dl3_dir}/obs-index.fits.gz',
  },
  vars: { models: '/m' },
  pipeline: {
    stages: [
      { name: 'dl1_to_dl2', per: 'run', inputs: ['{dl1}'], outputs: ['{dl2}'], command: ['tool12', '-f', '{dl1}', '-p', '{models}', '-o', '{dl2_dir}'] },
      { name: 'dl2_to_dl3', per: 'run', inputs: ['{dl2}'], outputs: ['{dl3}'], command: ['tool23', '-d', '{dl2}', '--source-ra', '{source_ra}deg'] },
      { name: 'dl3_index', per: 'night', outputs: ['{dl3_index}'], command: ['idx', '-d', '{dl3_dir}'] },
    ],
  },
});
const subject = { source: 'PKS 2155-304', ra: 329.71694, dec: -30.22559, runs: [{ runId: 1807, night: '20231207' }, { runId: 1808, night: '20231207' }, { runId: 1900, night: '20231208' }] };

test('templates: padding, nesting, unknown names', () => {
  assert.equal(renderTemplate('Run{run:05}', { run: 42 }), 'Run00042');
  assert.throws(() => renderTemplate('{nope}', {}), /unknown variable \{nope\}/);
  assert.throws(() => renderTemplate('{run:05}', { run: 'x' }), /non-negative integer/);
  assert.deepEqual(resolvePaths({ a: '{b}/x', b: '{base}/b' }, { base: '/r' }), { a: '/r/b/x', b: '/r/b' });
  assert.throws(() => resolvePaths({ a: '{b}', b: '{a}' }, {}), /refers to itself/);
  assert.equal(sourceDirName('PKS 2155-304'), 'PKS_2155-304');
  assert.equal(sourceDirName('../etc'), '__etc', 'no path traversal through a source name');
});

test('plan renders argv per run and per night, each element separately', () => {
  const plans = planStages(config, '/d', subject);
  assert.equal(plans[0].tasks.length, 3);
  assert.deepEqual(plans[0].tasks[0].argv, ['tool12', '-f', '/d/DL1/20231207/dl1_LST-1.Run01807.h5', '-p', '/m', '-o', '/d/DL2/20231207']);
  assert.deepEqual(plans[1].tasks[2].argv, ['tool23', '-d', '/d/DL2/20231208/dl2_LST-1.Run01900.h5', '--source-ra', '329.71694deg']);
  assert.equal(plans[2].tasks.length, 2, 'one index task per night');
  assert.deepEqual(plans[2].tasks[0].runIds, [1807, 1808]);
  assert.deepEqual(dl3Paths(config, '/d', subject), [
    '/d/DL3/20231207/PKS_2155-304/dl3_LST-1.Run01807.fits.gz',
    '/d/DL3/20231207/PKS_2155-304/dl3_LST-1.Run01808.fits.gz',
    '/d/DL3/20231208/PKS_2155-304/dl3_LST-1.Run01900.fits.gz',
  ]);
  assert.ok(pathsToCheck(plans).length >= 9);
});

test('needed work: everything when nothing exists; DL1 missing reported', () => {
  const plans = planStages(config, '/d', subject);
  const have = new Set(['/d/DL1/20231207/dl1_LST-1.Run01807.h5']);
  const w = neededWork(plans, (p) => have.has(p), false);
  assert.deepEqual(w.needed.map((n) => n.length), [3, 3, 2]);
  assert.deepEqual(w.missingInputs, [1808, 1900]);
});

test('needed work: when DL3 and indexes exist only the analysis runs (no stage needed)', () => {
  const plans = planStages(config, '/d', subject);
  const have = new Set(pathsToCheck(plans).filter((p) => p.includes('/DL3/')));
  const w = neededWork(plans, (p) => have.has(p), false);
  assert.deepEqual(w.needed.map((n) => n.length), [0, 0, 0]);
  assert.deepEqual(w.missingInputs, []);
});

test('needed work: DL2 present for one run skips its dl1_to_dl2; its night index reruns', () => {
  const plans = planStages(config, '/d', subject);
  const all = pathsToCheck(plans);
  const have = new Set([...all.filter((p) => p.includes('/DL1/')), '/d/DL2/20231207/dl2_LST-1.Run01808.h5', ...all.filter((p) => p.includes('obs-index'))]);
  const w = neededWork(plans, (p) => have.has(p), false);
  assert.deepEqual(w.needed[0].map((t) => t.runId), [1807, 1900]);
  assert.deepEqual(w.needed[1].map((t) => t.runId), [1807, 1808, 1900]);
  assert.deepEqual(w.needed[2].map((t) => t.night), ['20231207', '20231208']);
});

test('needed work: force redoes everything even when outputs exist', () => {
  const plans = planStages(config, '/d', subject);
  const w = neededWork(plans, () => true, true);
  assert.deepEqual(w.needed.map((n) => n.length), [3, 3, 2]);
});
