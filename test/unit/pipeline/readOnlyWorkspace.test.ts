/** Site safety: read-only data roots, ASTRAN's workspace, official products used but never rewritten. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { stringify } from 'yaml';
import { ConfigSchema } from '../../../src/bot/config.js';
import { checkConfig } from '../../../src/bot/config.js';
import { planStages, neededWork } from '../../../src/pipeline/PipelinePlan.js';
import { withOfficialPaths } from '../../../src/pipeline/officialPaths.js';
import { LocalBackend } from '../../../src/pipeline/LocalBackend.js';
import { ReadOnlyPathError } from '../../../src/pipeline/WriteGuard.js';
import { rootContaining } from '../../../src/util/pathUnder.js';
import { silentLogger } from '../../../src/log.js';
import { FakeBackend } from '../../fakes/FakeBackend.js';

const ROOT = new URL('../../../', import.meta.url).pathname;

const RAW = {
  data: { base: '/prod', night_index: 'run_catalog', run_catalog: '{base}/rc/RunCatalog_{night}.ecsv', workspace: '/ws', read_only_roots: ['{base}', '{models_root}'] },
  paths: {
    dl1: '{base}/DL1/{night}/dl1_LST-1.Run{run:05}.h5',
    dl2_dir: '{workspace}/DL2/{night}',
    dl2: '{dl2_dir}/dl2_LST-1.Run{run:05}.h5',
    dl3_dir: '{workspace}/DL3/{night}/{source_dir}',
    dl3: '{dl3_dir}/dl3_LST-1.Run{run:05}.fits.gz',
    dl3_index: '{dl3_dir}/obs-index.fits.gz',
  },
  official_paths: { dl2: '{base}/DL2/{night}/dl2_LST-1.Run{run:05}.h5' },
  vars: { models_root: '/models' },
  pipeline: {
    stages: [
      { name: 'dl1_to_dl2', per: 'run', inputs: ['{dl1}'], outputs: ['{dl2}'], mkdirs: ['{dl2_dir}'], command: ['t12', '-f', '{dl1}', '-o', '{dl2_dir}'] },
      { name: 'dl2_to_dl3', per: 'run', inputs: ['{dl2}'], outputs: ['{dl3}'], mkdirs: ['{dl3_dir}'], command: ['t23', '-d', '{dl2}', '-o', '{dl3_dir}'] },
      { name: 'dl3_index', per: 'night', outputs: ['{dl3_index}'], command: ['idx', '-d', '{dl3_dir}'] },
    ],
  },
};
const subject = { source: 'Crab Nebula', ra: 83.63, dec: 22.01, runs: [{ runId: 1807, night: '20231207' }, { runId: 1808, night: '20231207' }] };

function writeConfig(mut: (c: any) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'astran-ro-'));
  const c = JSON.parse(JSON.stringify(RAW));
  c.sources = join(ROOT, 'config/sources.yaml');
  c.bot = { results_dir: join(dir, 'results') };
  c.store = { path: join(dir, 'astran.db') };
  c.backends = { local: { workdir: join(dir, 'work') } };
  mut(c);
  const f = join(dir, 'astran.yaml');
  writeFileSync(f, stringify(c));
  return f;
}

test('paths under a root: lexical, after normalising .. and slashes; siblings with a common prefix are not inside', () => {
  assert.equal(rootContaining('/prod/DL2/x.h5', ['/prod']), '/prod');
  assert.equal(rootContaining('/prod', ['/prod/']), '/prod/');
  assert.equal(rootContaining('/ws/../prod/DL2', ['/prod']), '/prod');
  assert.equal(rootContaining('//prod//a', ['/prod']), '/prod');
  assert.equal(rootContaining('/production/a', ['/prod']), undefined);
  assert.equal(rootContaining('/ws/DL2', ['/prod', '/models']), undefined);
});

test('check-config accepts outputs in the workspace', () => {
  assert.deepEqual(checkConfig(writeConfig(() => {})), []);
});

test('check-config refuses, naming the key, every write aimed inside a read-only root', () => {
  const cases: [string, (c: any) => void, RegExp][] = [
    ['stage output', (c) => (c.paths.dl3_dir = '{base}/DL3/{night}/{source_dir}'), /pipeline\.stages\.1\.outputs\.0: "\/prod\/DL3\/20240101\/Crab_Nebula\/dl3_LST-1\.Run00001\.fits\.gz" is inside the read-only root data\.read_only_roots\.0 \(\/prod\)/],
    ['mkdirs entry', (c) => (c.pipeline.stages[0].mkdirs = ['{models_root}/tmp']), /pipeline\.stages\.0\.mkdirs\.0: "\/models\/tmp" is inside the read-only root data\.read_only_roots\.1/],
    ['a .. escape', (c) => (c.paths.dl2_dir = '{workspace}/../prod/DL2'), /pipeline\.stages\.0\.outputs\.0: .*read_only_roots\.0/],
    ['results folder', (c) => (c.bot.results_dir = '/prod/astran-results'), /bot\.results_dir: "\/prod\/astran-results" is inside/],
    ['workspace', (c) => (c.data.workspace = '/prod/astran'), /data\.workspace: "\/prod\/astran" is inside/],
    ['slurm work folder', (c) => (c.backends.slurm = { host: 'h', user: 'u', knownHostsPath: '/k', remoteWorkdir: '/prod/jobs' }), /backends\.slurm\.remoteWorkdir: "\/prod\/jobs" is inside/],
    ['official path for no path', (c) => (c.official_paths.dl4 = '{base}/x'), /official_paths\.dl4: there is no paths\.dl4/],
  ];
  for (const [what, mut, re] of cases) {
    const issues = checkConfig(writeConfig(mut));
    assert.ok(issues.some((i) => re.test(i)), `${what}: ${issues.join('\n')}`);
  }
});

test('an official DL2 is used read-only: its stage is skipped, the next stage reads it, force=yes redoes only own products', async () => {
  const config = ConfigSchema.parse(RAW);
  const cluster = new FakeBackend();
  cluster.files.add('/prod/DL2/20231207/dl2_LST-1.Run01807.h5'); // lstosa made it
  for (const r of ['01807', '01808']) cluster.files.add(`/prod/DL1/20231207/dl1_LST-1.Run${r}.h5`);
  const s = await withOfficialPaths(config, '/prod', subject, cluster);
  assert.deepEqual(s.runs[0].paths, { dl2: '/prod/DL2/20231207/dl2_LST-1.Run01807.h5' });
  assert.equal(s.runs[1].paths, undefined);
  const plans = planStages(config, '/prod', s);
  assert.equal(plans[1].tasks[0].inputs[0], '/prod/DL2/20231207/dl2_LST-1.Run01807.h5', 'DL3 of run 1807 reads the official DL2');
  assert.equal(plans[1].tasks[1].inputs[0], '/ws/DL2/20231207/dl2_LST-1.Run01808.h5');
  const have = (p: string) => cluster.files.has(p);
  for (const force of [false, true]) {
    const w = neededWork(plans, have, force);
    assert.deepEqual(w.needed[0].map((t) => t.runId), [1808], `force=${force}: the official DL2 is never redone`);
    assert.deepEqual(w.needed[1].map((t) => t.runId), [1807, 1808]);
    const written = w.needed.flat().flatMap((t) => [...t.outputs, ...t.mkdirs]);
    assert.ok(written.every((p) => p.startsWith('/ws/')), written.join());
  }
  // Everything of ours exists: force=yes still redoes our own products, nothing official.
  for (const p of ['/ws/DL2/20231207/dl2_LST-1.Run01808.h5', '/ws/DL3/20231207/Crab_Nebula/dl3_LST-1.Run01807.fits.gz', '/ws/DL3/20231207/Crab_Nebula/dl3_LST-1.Run01808.fits.gz', '/ws/DL3/20231207/Crab_Nebula/obs-index.fits.gz']) cluster.files.add(p);
  assert.deepEqual(neededWork(plans, have, false).needed.map((n) => n.length), [0, 0, 0]);
  assert.deepEqual(neededWork(plans, have, true).needed.map((n) => n.map((t) => t.runId)), [[1808], [1807, 1808], [1807]]);
});

test('no official_paths: no extra round trip, subject unchanged', async () => {
  const config = ConfigSchema.parse({ ...RAW, official_paths: {} });
  let calls = 0;
  const s = await withOfficialPaths(config, '/prod', subject, { exists: async (p: string[]) => (calls++, p.map(() => false)) });
  assert.equal(calls, 0);
  assert.equal(s, subject);
});

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
