import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/bot/config.js';
import { createBot } from '../../src/bot/createBot.js';
import { MemoryJobStore } from '../../src/store/MemoryJobStore.js';
import { ConsoleAdapter } from '../../adapters/console/ConsoleAdapter.js';
import { analyse } from '../../src/analysis/analyse.js';
import { DEFAULT_ANALYSIS_OPTIONS } from '../../src/analysis/types.js';
import { silentLogger } from '../../src/log.js';
import type { JobRecord } from '../../src/core/JobStore.js';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const HESS = join(ROOT, 'test/fixtures/hess-dl3-dr1/data');
const STANDINS = join(ROOT, 'test/fakes/standins');
const RUNS = [23523, 23526];

/**
 * The local pipeline end to end: a RunCatalog night, DL1 files, the three lstchain stand-ins run as local processes
 * (DL1 → DL2 → DL3 (real H.E.S.S. files) → index), then the analysis, all through the real dispatcher and orchestrator.
 */
function setup(extra: { failOnce?: boolean; failRuns?: number[]; missingDl1?: number[] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'astran-local-'));
  const base = join(dir, 'data');
  mkdirSync(join(base, 'monitoring/RunCatalog'), { recursive: true });
  writeFileSync(
    join(base, 'monitoring/RunCatalog/RunCatalog_20231207.ecsv'),
    `# %ECSV 1.0\n# ---\n# schema: astropy-2.0\nrun_id,source_name,source_ra,source_dec\n${RUNS.map((r) => `${r},Crab,83.633,22.0145`).join('\n')}\n99,Mrk421,166.11,38.2\n`,
  );
  for (const r of RUNS) {
    if (extra.missingDl1?.includes(r)) continue;
    mkdirSync(join(base, 'DL1/20231207'), { recursive: true });
    writeFileSync(join(base, `DL1/20231207/dl1_LST-1.Run${String(r).padStart(5, '0')}.h5`), `dl1 of ${r}`);
  }
  const stage = (name: string, per: string, tool: string, args: string[], inputs: string[], outputs: string[], mkdirs: string[] = []) => ({
    name, per, inputs, outputs, mkdirs, command: ['{node}', `{standins}/${tool}`, ...args],
  });
  const config = {
    bot: { poll_interval_s: 0.1, progress_edit_interval_s: 0, results_dir: join(dir, 'out') },
    store: { path: join(dir, 'astran.db') },
    sources: join(ROOT, 'config/sources.yaml'),
    data: { base, night_index: 'run_catalog', run_catalog: '{base}/monitoring/RunCatalog/RunCatalog_{night}.ecsv' },
    paths: {
      dl1: '{base}/DL1/{night}/dl1_LST-1.Run{run:05}.h5',
      dl2_dir: '{base}/DL2/{night}',
      dl2: '{dl2_dir}/dl2_LST-1.Run{run:05}.h5',
      dl3_dir: '{base}/DL3/{night}/{source_dir}',
      dl3: '{dl3_dir}/dl3_LST-1.Run{run:05}.fits.gz',
      dl3_index: '{dl3_dir}/dl3-index.json',
    },
    vars: { node: process.execPath, standins: STANDINS, models_dir: join(dir, 'models'), irf_dir: join(dir, 'irf') },
    pipeline: {
      backend: 'local',
      retries: 1,
      dl1_wait: { interval_s: 0.2, deadline_s: 1.8, on_deadline: 'proceed' },
      stages: [
        stage('dl1_to_dl2', 'run', 'standin_lstchain_dl1_to_dl2.mjs', ['-f', '{dl1}', '-p', '{models_dir}', '-o', '{dl2_dir}'], ['{dl1}'], ['{dl2}'], ['{dl2_dir}']),
        stage('dl2_to_dl3', 'run', 'standin_lstchain_create_dl3_file.mjs', ['-d', '{dl2}', '-o', '{dl3_dir}', '-i', '{irf_dir}', '--final-irf-file', 'final_irf_Run{run:05}.fits.gz', '--source-name', '{source_dir}', '--source-ra', '{source_ra}deg', '--source-dec', '{source_dec}deg', '--gzip', '--overwrite'], ['{dl2}'], ['{dl3}'], ['{dl3_dir}']),
        stage('dl3_index', 'night', 'standin_lstchain_create_dl3_index_files.mjs', ['-d', '{dl3_dir}', '-o', '{dl3_dir}', '-p', 'dl3*.fits.gz', '--overwrite'], [], ['{dl3_index}']),
      ],
    },
    backends: { local: { concurrency: 2, workdir: join(dir, 'work') } },
    auth: { users: { 'console:alice': 'launcher' } },
  };
  const file = join(dir, 'config.yaml');
  writeFileSync(file, stringify(config));
  mkdirSync(join(dir, 'models'));
  mkdirSync(join(dir, 'irf'));
  writeFileSync(join(dir, 'irf', 'irf_tuned.fits.gz'), 'stand-in IRF');
  const env: NodeJS.ProcessEnv = { ...process.env, ASTRAN_STANDIN_DL3_SOURCE_DIR: HESS };
  if (extra.failOnce) env.ASTRAN_STANDIN_FAIL_ONCE_DIR = join(dir, 'fail-once');
  if (extra.failRuns) env.ASTRAN_STANDIN_FAIL_RUNS = extra.failRuns.join(',');
  return { dir, base, file, env };
}

async function launch(s: ReturnType<typeof setup>, text: string) {
  const out: string[] = [];
  const sink = new (await import('node:stream')).Writable({ write(c, _e, cb) { out.push(String(c)); cb(); } });
  const consoleAdapter = new ConsoleAdapter({ user: 'alice', output: sink });
  const bot = await createBot({ loaded: loadConfig(s.file), env: s.env, log: silentLogger, store: new MemoryJobStore(), adapters: [consoleAdapter] });
  let job: JobRecord | undefined;
  bot.orchestrator.on('launched', (j: JobRecord) => (job = j));
  await bot.start();
  const reply = await consoleAdapter.inject(text);
  assert.ok(job, `launched: ${reply?.text}`);
  return { bot, job: job!, out, consoleAdapter, final: () => bot.orchestrator.waitFor(job!.id) };
}

test('local pipeline: DL1 → DL2 → DL3 → index → analysis, the same numbers as the engine on the same files', async () => {
  const s = setup();
  const r = await launch(s, 'launch source=Crab date=20231207');
  const final = await r.final();
  const thread = r.out.join('');
  assert.equal(final.state, 'done', thread);
  assert.deepEqual(final.runIds, RUNS, 'Mrk 421 run of the night is not taken');
  for (const st of ['dl1_to_dl2', 'dl2_to_dl3', 'dl3_index']) assert.match(thread, new RegExp(`✅ ${st} done`));
  const dl3 = RUNS.map((x) => join(s.base, `DL3/20231207/Crab_Nebula/dl3_LST-1.Run${String(x).padStart(5, '0')}.fits.gz`));
  for (const f of dl3) assert.ok(existsSync(f), f);
  const ref = await analyse(dl3, { ...DEFAULT_ANALYSIS_OPTIONS, source: { ra: 83.63308, dec: 22.0145 }, sourceName: 'Crab Nebula' });
  const res = JSON.parse(readFileSync(join(s.dir, 'out', final.id, 'results.json'), 'utf8'));
  assert.equal(res.total.n_on, ref.total.n_on);
  assert.equal(res.total.n_off, ref.total.n_off);
  assert.match(thread, new RegExp(`\\*${ref.total.significance.toFixed(1)}σ\\*`));
  assert.match(thread, /📎 theta2\.png[\s\S]*📎 skymap\.png/);
  // A second launch of the same night finds DL3 and only analyses.
  const again = await r.consoleAdapter.inject('launch source=Crab date=20231207');
  assert.match(again?.text ?? '', /Launched/);
  await r.bot.stop();
});

test('local pipeline: a task failing once is retried; one failing always fails the job with its log tail', async () => {
  const s1 = setup({ failOnce: true });
  const r1 = await launch(s1, 'launch source=Crab date=20231207');
  const f1 = await r1.final();
  assert.equal(f1.state, 'done', r1.out.join(''));
  assert.match(r1.out.join(''), /🔁 dl1_to_dl2: 2 task\(s\) failed/);
  await r1.bot.stop();

  const s2 = setup({ failRuns: [23526] });
  const r2 = await launch(s2, 'launch source=Crab date=20231207');
  const f2 = await r2.final();
  const thread = r2.out.join('');
  assert.equal(f2.state, 'failed');
  assert.match(thread, /❌ A-0001 failed: Stage dl1_to_dl2 failed for run\(s\) 23526: exit code 3 \(after 2 attempts\)/);
  assert.match(thread, /Last lines of the log:\n```[\s\S]*(Error|Traceback)[\s\S]*```/);
  assert.doesNotMatch(thread, new RegExp(s2.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'no absolute paths in the thread');
  await r2.bot.stop();
});

test('local pipeline: status in the job thread, and cancel with confirmation', async () => {
  const s = setup();
  s.env.ASTRAN_STANDIN_SLEEP_MS = '30000';
  const r = await launch(s, 'launch source=Crab date=20231207');
  while (r.bot.store.getJob(r.job.id)!.state !== 'running') await new Promise((x) => setTimeout(x, 20));
  const st = await r.consoleAdapter.inject('T1: status');
  assert.match(st?.text ?? '', /A-0001.*Crab Nebula[\s\S]*State: running dl1_to_dl2/);
  const ask = await r.consoleAdapter.inject('cancel A-0001');
  assert.match(ask?.text ?? '', /Reply `yes`/);
  await r.consoleAdapter.inject('yes');
  const final = await r.final();
  assert.equal(final.state, 'cancelled');
  assert.match(r.out.join(''), /🛑 A-0001 cancelled by alice\. Its cluster jobs were cancelled\./);
  await r.bot.stop();
});
