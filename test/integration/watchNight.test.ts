/**
 * Standing orders on the REAL Slurm cluster (scripts/services/slurm.sh): a script plays lstosa for one night (the run
 * catalogue, then DL1 of two subscribed sources and one unsubscribed source, step by step), `astran serve` watches it,
 * is SIGKILLed in the middle and restarted; then `astran watch --once --digest` prints the digest. Everything is
 * counted from the store and from Slurm's accounting: exactly the expected jobs, one alert, one digest.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { ensureCluster, type ClusterEnv } from '../helpers/slurmCluster.js';
import { REPO, World, sacctJobs, squeueJobs, waitUntil } from '../helpers/slurmBot.js';
import { SqliteJobStore } from '../../src/store/SqliteJobStore.js';
import { SqliteWatchStore } from '../../src/store/SqliteWatchStore.js';
import { silentLogger } from '../../src/log.js';
import { yesterdayNight } from '../../src/util/nights.js';

const PLAYER = join(REPO, 'test/fakes/lstosa/playNight.mjs');
let cluster: ClusterEnv;
let w: World | undefined;

before(() => {
  cluster = ensureCluster();
});

after(() => {
  if (w) {
    const store = new SqliteJobStore({ path: w.dbPath, prefix: 'E', log: silentLogger });
    const left = store.listJobs().flatMap((j) => squeueJobs(j.id).map((s) => s.arrayId));
    store.close();
    if (left.length) execFileSync('scancel', left);
    w.cleanup();
  }
});

function serve(world: World): { child: ChildProcess; out: () => string; exited: Promise<number | null>; type(line: string): void } {
  const child = spawn(process.execPath, [join(REPO, 'bin/astran.js'), 'serve', '--config', world.configFile], {
    cwd: world.dir,
    env: { ...process.env, ASTRAN_CONFIG: '', ASTRAN_LOG_LEVEL: 'warn' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return { child, out: () => out, exited, type: (line) => child.stdin!.write(line + '\n') };
}

/** Read the store as another process would (WAL): watcher launches, jobs, notices. */
function snapshot(world: World) {
  const jobs = new SqliteJobStore({ path: world.dbPath, prefix: 'E', log: silentLogger });
  const watch = new SqliteWatchStore({ path: world.dbPath });
  try {
    const launches = watch.listLaunches();
    const allJobs = jobs.listJobs();
    const alertKeys = launches.map((l) => `alert|console:console|${l.source}|${l.night}`).filter((k, i, a) => a.indexOf(k) === i);
    const alerts = alertKeys.map((k) => watch.getNotice(k)).filter((n) => n !== undefined);
    return { launches, jobs: allJobs, subs: watch.listSubscriptions(), alerts, pending: watch.pendingNotices() };
  } finally {
    jobs.close();
    watch.close();
  }
}

function play(world: World, ...args: string[]): void {
  execFileSync(process.execPath, [PLAYER, ...args, '--uid', String(world.uid), '--gid', String(world.gid)], { stdio: 'pipe' });
}

test('a simulated night: catalogue, then DL1 over time; kill and restart mid-way; exactly the expected jobs, one alert, the digest', { timeout: 600_000 }, async () => {
  const night = yesterdayNight(new Date());
  const runs = [
    { night, runId: 1901, catalogName: 'Crab', hess: 23523, dl1: false },
    { night, runId: 1902, catalogName: 'Crab', hess: 23526, dl1: false },
    { night, runId: 1911, catalogName: 'PKS2155', hess: 33787, dl1: false },
    { night, runId: 1912, catalogName: 'PKS2155', hess: 33788, dl1: false },
    { night, runId: 1921, catalogName: 'Mrk501', hess: 23559, dl1: false },
  ];
  w = new World({ cluster, runs, console: true });
  const world = w;
  // lstosa has not written this night's catalogue yet: the player does, below.
  rmSync(join(world.base, 'monitoring/RunCatalog', `RunCatalog_${night}.ecsv`));
  const cfg = parseYaml(readFileSync(world.configFile, 'utf8')) as Record<string, unknown>;
  // Watching all day, digest not due during the test (it is forced at the end), alerts only for a flare: Crab's
  // ~8 excess/min stays below 15, PKS 2155-304's 2006 flare (~24/min) is above.
  cfg.watch = { interval_s: 1, start_utc: '00:00', digest_utc: '23:59', alert_sigma: 5, alert_rate: 15 };
  writeFileSync(world.configFile, toYaml(cfg));

  const first = serve(world);
  try {
    await waitUntil('the bot to listen', () => first.out().includes('ASTRAN is listening'), 60_000);
    first.type('subscribe source=Crab');
    first.type('subscribe source=PKS2155');
    first.type('subscribe source=Mrk421'); // never observed this night
    await waitUntil('three subscriptions', () => snapshot(world).subs.length === 3, 30_000, 200);
    play(world, 'catalog', world.base, night, '1901:Crab', '1902:Crab', '1911:PKS2155', '1912:PKS2155', '1921:Mrk501');
    play(world, 'dl1', world.base, night, 'v0.10', '1901', '1911');
    const launched = await waitUntil('two first jobs launched', () => {
      const s = snapshot(world);
      return s.launches.length === 2 && s.launches.every((l) => l.jobId) && s.launches;
    }, 60_000, 200);
    await waitUntil('a stage RUNNING on the cluster', () => launched.some((l) => squeueJobs(l.jobId!).some((j) => j.states.includes('RUNNING'))), 90_000, 200);
  } finally {
    first.child.kill('SIGKILL');
  }
  assert.equal(await first.exited, null, 'killed by a signal');

  // While the bot is down, the rest of the night's DL1 arrives, including the unsubscribed source's.
  play(world, 'dl1', world.base, night, 'v0.10', '1902', '1912', '1921');

  const second = serve(world);
  try {
    await waitUntil(
      'the follow-ups launched, every job final and every notice delivered',
      () => {
        const s = snapshot(world);
        return s.launches.length === 4 && s.launches.every((l) => l.jobId) && s.jobs.length === 4 && s.jobs.every((j) => ['done', 'failed', 'cancelled'].includes(j.state)) && s.alerts.length >= 1 && s.pending.length === 0 && s;
      },
      420_000,
      500,
    );
  } finally {
    second.child.kill('SIGTERM');
  }
  await second.exited;
  const s = snapshot(world);
  const out = first.out() + second.out();

  // Exactly the expected jobs: per subscribed source, the first job and one follow-up with every run; nothing for Mrk 501.
  assert.deepEqual(
    s.launches.map((l) => [l.source, l.part, l.runIds]),
    [
      ['Crab Nebula', 1, [1901]],
      ['Crab Nebula', 2, [1901, 1902]],
      ['PKS 2155-304', 1, [1911]],
      ['PKS 2155-304', 2, [1911, 1912]],
    ],
  );
  assert.equal(s.jobs.length, 4, 'no job launched twice across the kill');
  for (const j of s.jobs) {
    assert.equal(j.state, 'done', JSON.stringify(j.error));
    assert.equal(j.requester.adapter, 'watch');
    // One Slurm job per (stage, attempt): the kill did not make anything run twice.
    const names = sacctJobs(j.id).map((r) => r.name);
    assert.equal(new Set(names).size, names.length, `${j.id}: ${names.join(', ')}`);
  }
  assert.ok(!s.jobs.some((j) => j.params.source === 'Mrk 501' || j.runIds.includes(1921)), 'the unsubscribed source is left alone');

  // One alert, for the flare, delivered once.
  assert.equal(s.alerts.length, 1);
  assert.match(s.alerts[0]!.key, /^alert\|console:console\|PKS 2155-304\|/);
  assert.equal(s.alerts[0]!.state, 'delivered');
  assert.equal(out.split('🚨 *Alert: PKS 2155-304*').length - 1, 1, 'the alert was posted once');
  assert.doesNotMatch(out, /Alert: Crab/);

  // The digest, from a cron-style single pass on the same store: lists the jobs, launches nothing new.
  const once = spawnSync(process.execPath, [join(REPO, 'bin/astran.js'), 'watch', '--once', '--night', night, '--digest', '--config', world.configFile], {
    cwd: world.dir,
    env: { ...process.env, ASTRAN_CONFIG: '', ASTRAN_LOG_LEVEL: 'warn' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(once.status, 0, once.stdout + once.stderr);
  const d = once.stdout;
  const crab2 = s.launches[1]!.jobId!;
  const pks2 = s.launches[3]!.jobId!;
  assert.match(d, new RegExp(`ASTRAN digest — night ${night}`));
  assert.match(d, new RegExp(`Crab Nebula\\* — 2 runs, .* livetime · \\*\\d+\\.\\dσ\\* · excess [\\d.]+ · [\\d.]+ excess/min(?: · flux [^·]+)? · job \\*${crab2}\\*`));
  assert.match(d, new RegExp(`PKS 2155-304\\* — 2 runs, .* · job \\*${pks2}\\*`));
  assert.match(d, /Mrk 421\* — not observed: no runs \(not scheduled, or weather\)\./);
  assert.doesNotMatch(d, /Mrk 501/);
  assert.match(d, /nothing new/);
  assert.doesNotMatch(d, /launched E-/);
  assert.equal(snapshot(world).jobs.length, 4, 'the single pass launched nothing');
  const trend = join(world.resultsDir, `digest-${night}`);
  assert.ok(existsSync(trend) && readdirSync(trend).filter((f) => f.endsWith('.png')).length === 3, 'one trend image per subscribed source');
});
