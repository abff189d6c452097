/** The pipeline's checks across sections, through check-config: writes aimed inside data.read_only_roots, official paths. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { stringify } from 'yaml';
import { checkConfig } from '../../../src/bot/config.js';
import { RAW } from '../../helpers/readOnlySite.js';

const ROOT = new URL('../../../', import.meta.url).pathname;

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
