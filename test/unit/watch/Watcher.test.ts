/** The watcher driven by an injected clock, with the real stores' memory twins, the real delivery and a fake cluster. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/bot/config.js';
import { SourceCatalog } from '../../../src/config/SourceCatalog.js';
import { MemoryJobStore } from '../../../src/store/MemoryJobStore.js';
import { MemoryWatchStore } from '../../../src/store/MemoryWatchStore.js';
import type { RunInfo } from '../../../src/core/services.js';
import type { Adapter } from '../../../src/core/types.js';
import type { NewSubscription } from '../../../src/core/WatchStore.js';
import { Watcher } from '../../../src/watch/Watcher.js';
import { parseWatchConfig } from '../../../src/watch/config.js';
import { NoticeDelivery } from '../../../src/watch/NoticeDelivery.js';
import { ListNightIndex, TEST_SOURCES } from '../../fakes/fakeServices.js';
import { silentLogger } from '../../../src/log.js';
import { ChannelRecorder } from '../../fakes/ChannelRecorder.js';
import { FakeJobs } from '../../fakes/FakeJobs.js';

interface Rig {
  watcher: Watcher;
  jobs: FakeJobs;
  store: MemoryJobStore;
  watch: MemoryWatchStore;
  slack: ChannelRecorder;
  dl1: Set<number>;
  /** Size and mtime of a run's DL1 file (default: a finished file written long ago). */
  dl1Stat: Map<number, { size: number; mtimeMs: number }>;
  setNow(iso: string): void;
  finish(jobId: string, sig: number, rate: number, flux?: { crab_units: number; crab_units_error: number }): void;
  restart(): void;
  close(): void;
}

const crab = { name: 'Crab Nebula' };

function rig(runs: RunInfo[], cfg: Partial<{ alert_sigma: number; alert_rate: number | null }> = {}, stableForS = 0): Rig {
  let now = new Date('2026-12-01T05:00:00Z');
  const clock = () => now;
  const loaded = loadConfig();
  loaded.config.pipeline.dl1_complete = { ...loaded.config.pipeline.dl1_complete, stable_for_s: stableForS };
  const watchCfg = { ...parseWatchConfig({ start_utc: '06:00', digest_utc: '12:00', interval_s: 600, alert_sigma: 5 }), ...cfg };
  const dir = mkdtempSync(join(tmpdir(), 'astran-watcher-'));
  const store = new MemoryJobStore({ now: clock });
  const watch = new MemoryWatchStore(clock);
  const slack = new ChannelRecorder('slack');
  const adapters = new Map<string, Adapter>([['slack', slack]]);
  const dl1 = new Set<number>();
  const dl1Stat = new Map<number, { size: number; mtimeMs: number }>();
  const runOf = (p: string) => {
    const m = /dl1_LST-1\.Run(\d{5})\.h5$/.exec(p);
    return m !== null && dl1.has(Number(m[1])) ? Number(m[1]) : null;
  };
  const backend = {
    async stat(paths: string[]) {
      return paths.map((p) => {
        const run = runOf(p);
        return run === null ? null : (dl1Stat.get(run) ?? { size: 1000, mtimeMs: 0 });
      });
    },
    // DL1 of a run "exists" once the test says so; no DL2/DL3 exist, so every stage is needed.
    async exists(paths: string[]) {
      return paths.map((p) => {
        const m = /dl1_LST-1\.Run(\d{5})\.h5$/.exec(p);
        return m !== null && dl1.has(Number(m[1]));
      });
    },
  };
  const jobs = new FakeJobs(store);
  const make = () =>
    new Watcher({
      config: loaded.config,
      watch: watchCfg,
      base: loaded.base,
      sources: new SourceCatalog(TEST_SOURCES),
      jobStore: store,
      watchStore: watch,
      nights: new ListNightIndex(runs),
      backend,
      jobs,
      notices: new NoticeDelivery(watch, adapters, silentLogger),
      resultsDir: dir,
      log: silentLogger,
      now: clock,
    });
  const r: Rig = {
    watcher: make(),
    jobs,
    store,
    watch,
    slack,
    dl1,
    dl1Stat,
    setNow: (iso) => (now = new Date(iso)),
    finish(jobId, sig, rate, flux) {
      const j = store.updateJob(jobId, {
        state: 'done',
        finishedAt: now.toISOString(),
        result: {
          total: { n_runs: 2, livetime_s: 3600, excess: rate * 60, significance: sig, excess_rate_per_min: rate, flux: flux ? { ...flux, index: 2.6, e_min_tev: 1, e_max_tev: 100, value_cm2s: 1e-11, error_cm2s: 1e-12, safe_emin_tev: 0.8 } : null },
          images: [],
          outDir: dir,
        },
      });
      r.watcher.onJobFinal(j);
    },
    restart: () => (r.watcher = make()),
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
  return r;
}

function sub(place: string, user: string, source = 'Crab Nebula', extra: Partial<NewSubscription> = {}): NewSubscription {
  return {
    place: { adapter: 'slack', channel: place },
    subscriber: { adapter: 'slack', userId: user, displayName: user },
    source,
    too: null,
    cuts: { theta2_cut: 0.02, off_regions: 3 },
    alertSigma: null,
    alertRate: null,
    ...extra,
  };
}

const NOV30: RunInfo[] = [
  { runId: 1801, night: '20261130', source: 'Crab Nebula' },
  { runId: 1802, night: '20261130', source: 'Crab Nebula' },
  { runId: 2001, night: '20261130', source: 'Mrk 421' },
];

test('before the start time nothing happens; after it the night that began yesterday is watched, across a month boundary', async () => {
  const r = rig(NOV30);
  r.watch.addSubscription(sub('C1', 'U1'));
  r.dl1.add(1801).add(1802);
  const early = await r.watcher.pass();
  assert.equal(early.night, null);
  assert.match(early.lines[0], /before 06:00 UTC/);
  assert.equal(r.jobs.launches.length, 0);
  r.setNow('2026-12-01T06:00:00Z');
  const rep = await r.watcher.pass();
  assert.equal(rep.night, '20261130');
  assert.equal(r.jobs.launches.length, 1);
  assert.deepEqual(r.jobs.launches[0].runs, [1801, 1802]);
  assert.equal(r.jobs.launches[0].params.nightFrom, '20261130');
  assert.equal(r.jobs.launches[0].channel, 'slack:C1', 'the job’s thread opens in the subscribed place');
  r.close();
});

test('with pipeline.dl1_complete.stable_for_s, a DL1 file still being written is not picked up until it stops changing', async () => {
  const r = rig(NOV30, {}, 600);
  r.watch.addSubscription(sub('C1', 'U1'));
  r.setNow('2026-12-01T06:10:00Z');
  r.dl1.add(1801).add(1802);
  r.dl1Stat.set(1801, { size: 1000, mtimeMs: Date.parse('2026-12-01T06:09:00Z') });
  r.dl1Stat.set(1802, { size: 5000, mtimeMs: Date.parse('2026-12-01T06:09:30Z') });
  await r.watcher.pass();
  assert.equal(r.jobs.launches.length, 0, 'both files were written a minute ago');
  r.setNow('2026-12-01T06:15:00Z');
  r.dl1Stat.set(1801, { size: 2000, mtimeMs: Date.parse('2026-12-01T06:14:50Z') });
  await r.watcher.pass();
  assert.equal(r.jobs.launches.length, 0, 'run 1801 grew; run 1802 has been unchanged for only 5 min');
  r.setNow('2026-12-01T06:21:00Z');
  await r.watcher.pass();
  assert.deepEqual(r.jobs.launches.map((l) => l.runs), [[1802]], 'only 1802 has been unchanged for 10 min');
  r.setNow('2026-12-01T06:26:00Z');
  await r.watcher.pass();
  assert.equal(r.jobs.launches.length, 1, 'the follow-up for 1801 waits for the running job');
  r.close();
});

test('a job is launched only once DL1 is there; a run that arrives later goes into one follow-up, never a duplicate', async () => {
  const r = rig(NOV30);
  r.watch.addSubscription(sub('C1', 'U1'));
  r.setNow('2026-12-01T06:10:00Z');
  await r.watcher.pass();
  assert.equal(r.jobs.launches.length, 0, 'no DL1 yet');
  r.dl1.add(1801);
  await r.watcher.pass();
  await r.watcher.pass();
  assert.deepEqual(r.jobs.launches.map((l) => l.runs), [[1801]]);
  r.dl1.add(1802);
  r.setNow('2026-12-01T08:00:00Z');
  const waiting = await r.watcher.pass();
  assert.match(waiting.lines.join('\n'), /1 more run\(s\) ready; the follow-up starts when A-0001 has finished/);
  assert.equal(r.jobs.launches.length, 1, 'no follow-up beside a running job of the same night');
  r.finish('A-0001', 10, 1);
  const rep = await r.watcher.pass();
  await r.watcher.pass();
  assert.deepEqual(r.jobs.launches.map((l) => l.runs), [[1801], [1801, 1802]]);
  assert.match(rep.lines.join('\n'), /follow-up 2/);
  assert.deepEqual(r.watch.listLaunches().map((l) => [l.part, l.jobId]), [[1, 'A-0001'], [2, 'A-0002']]);
  r.close();
});

test('one job per (source, night, cuts): places with the same cuts share it and are told; other cuts get their own', async () => {
  const r = rig(NOV30);
  r.watch.addSubscription(sub('C1', 'U1'));
  r.watch.addSubscription(sub('C2', 'U2'));
  r.watch.addSubscription(sub('C2', 'U3'));
  r.watch.addSubscription(sub('C3', 'U4', 'Crab Nebula', { cuts: { theta2_cut: 0.05, off_regions: 1 } }));
  r.dl1.add(1801).add(1802);
  r.setNow('2026-12-01T07:00:00Z');
  await r.watcher.pass();
  assert.equal(r.jobs.launches.length, 2);
  assert.deepEqual(r.jobs.launches.map((l) => [l.params.theta2_cut, l.channel]), [[0.02, 'slack:C1'], [0.05, 'slack:C3']]);
  const c2 = r.slack.texts('C2');
  assert.equal(c2.length, 1, 'C2 is told once about the shared job');
  assert.match(c2[0], /Analysing as \*A-0001\*; its thread is in Slack channel C1/);
  assert.equal(r.slack.texts('C1').length, 0, 'the job’s own place has its thread instead');
  r.close();
});

test('a finished job: its result in the other places (in the notice’s thread), an alert once per place and night', async () => {
  const r = rig(NOV30, { alert_sigma: 5, alert_rate: 2 });
  r.watch.addSubscription(sub('C1', 'U1'));
  r.watch.addSubscription(sub('C2', 'U2'));
  r.watch.addSubscription(sub('C2', 'U3', 'Crab Nebula', {}));
  r.watch.addSubscription(sub('C1', 'U5', 'Mrk 421'));
  r.dl1.add(1801).add(1802).add(2001);
  r.setNow('2026-12-01T07:00:00Z');
  await r.watcher.pass();
  const crabJob = r.jobs.launches.findIndex((l) => l.params.source === 'Crab Nebula') + 1;
  const mrkJob = r.jobs.launches.findIndex((l) => l.params.source === 'Mrk 421') + 1;
  r.finish(`A-000${crabJob}`, 30, 8); // bright
  r.finish(`A-000${mrkJob}`, 12, 1.2); // significant, but below alert_rate
  await r.watcher.pass();
  await r.watcher.pass();
  const c1 = r.slack.texts('C1');
  const c2 = r.slack.texts('C2');
  assert.equal(c1.filter((t) => t.startsWith('🚨')).length, 1, 'one alert in C1 (Crab), none for Mrk 421');
  assert.match(c1.find((t) => t.startsWith('🚨'))!, /Alert: Crab Nebula\*, night 20261130, 2 run\(s\) in 1h 00m: \*30\.0σ\* .*8\.00 excess\/min.* U1$/);
  assert.deepEqual(r.slack.posts.find((p) => p.channel === 'C1' && p.text.startsWith('🚨'))!.mentions, ['U1'], 'the adapter is asked to notify the subscriber');
  assert.equal(c2.filter((t) => t.startsWith('🚨')).length, 1);
  assert.match(c2.find((t) => t.startsWith('🚨'))!, /U2 U3$/);
  assert.deepEqual(r.slack.posts.find((p) => p.channel === 'C2' && p.text.startsWith('🚨'))!.mentions, ['U2', 'U3']);
  const result = r.slack.posts.find((p) => p.channel === 'C2' && p.text.startsWith('✅'))!;
  assert.match(result.text, /Crab Nebula\*, night 20261130 \(\*A-000\d\*, thread in Slack channel C1\): 2 run\(s\), 1h 00m livetime · \*30\.0σ\*/);
  assert.equal(result.thread, r.watch.getNotice(`started|slack:C2|A-000${crabJob}`)!.posted!.thread.key, 'posted under the earlier notice');
  assert.equal(r.slack.posts.filter((p) => p.text.startsWith('✅')).length, 1, 'the result once, only where the thread is not');
  r.close();
});

test('digest: not before its hour, then once per place; lists no-run sources, running jobs and results; survives a restart', async () => {
  const r = rig(NOV30);
  r.watch.addSubscription(sub('C1', 'U1'));
  r.watch.addSubscription(sub('C1', 'U1', 'Geminga'));
  r.watch.addSubscription(sub('C1', 'U1', 'Mrk 421'));
  r.dl1.add(1801).add(1802);
  r.setNow('2026-12-01T11:59:00Z');
  await r.watcher.pass();
  assert.equal(r.slack.texts('C1').filter((t) => t.includes('digest')).length, 0, 'before 12:00');
  r.finish('A-0001', 26.5, 8.37, { crab_units: 1.49, crab_units_error: 0.08 });
  r.setNow('2026-12-01T12:00:00Z');
  await r.watcher.pass();
  const digests = r.slack.posts.filter((p) => p.text.includes('ASTRAN digest'));
  assert.equal(digests.length, 1);
  const d = digests[0].text;
  assert.match(d, /ASTRAN digest — night 20261130/);
  assert.match(d, /Crab Nebula\* — 2 runs, 1h 00m livetime · \*26\.5σ\* · excess 502\.2 · 8\.37 excess\/min · flux 1\.49 ± 0\.08 Crab \(1\.0–100 TeV, Γ = 2\.6\) · job \*A-0001\* \(thread in Slack channel C1\)/);
  assert.match(d, /Geminga\* — not observed: no runs \(not scheduled, or weather\)\./);
  assert.match(d, /Mrk 421\* — observed, 1 run; DL1 not complete yet/);
  assert.deepEqual(digests[0].files, ['trend-Crab_Nebula.png', 'trend-Geminga.png', 'trend-Mrk_421.png']);
  r.restart();
  await r.watcher.pass();
  r.setNow('2026-12-01T18:00:00Z');
  await r.watcher.pass();
  assert.equal(r.slack.posts.filter((p) => p.text.includes('ASTRAN digest')).length, 1, 'never twice');
  r.close();
});

test('a job still running at digest time shows as running; its result follows in its thread', async () => {
  const r = rig(NOV30);
  r.watch.addSubscription(sub('C1', 'U1'));
  r.dl1.add(1801).add(1802);
  r.setNow('2026-12-01T11:00:00Z');
  await r.watcher.pass();
  r.store.updateJob('A-0001', { state: 'running', stage: 'dl1_to_dl2' });
  r.setNow('2026-12-01T12:30:00Z');
  await r.watcher.pass();
  const d = r.slack.posts.find((p) => p.text.includes('ASTRAN digest'))!.text;
  assert.match(d, /Crab Nebula\* — job \*A-0001\* \(2 runs\) is running \(dl1_to_dl2\); its result follows in its thread \(in Slack channel C1\)/);
  r.close();
});

test('restart between recording a launch and creating its job: launched exactly once; a created job is adopted', async () => {
  const r = rig(NOV30);
  r.watch.addSubscription(sub('C1', 'U1'));
  r.dl1.add(1801);
  r.setNow('2026-12-01T07:00:00Z');
  // As if the previous process died right after recording the intent.
  r.watch.recordLaunch({ source: 'Crab Nebula', night: '20261130', cutsKey: 't2=0.02;off=3;emin=;emax=', runIds: [1801] });
  r.restart();
  await r.watcher.pass();
  await r.watcher.pass();
  assert.equal(r.jobs.launches.length, 1);
  assert.equal(r.watch.listLaunches()[0].jobId, 'A-0001');
  // Died after the job was created but before it was linked: the job is found by its watch key, not launched again.
  r.dl1.add(1802);
  r.finish('A-0001', 10, 1);
  r.jobs.failAfterCreate = true;
  await r.watcher.pass();
  r.jobs.failAfterCreate = false;
  assert.equal(r.jobs.launches.length, 2);
  assert.deepEqual(r.watch.listLaunches().map((l) => l.jobId), ['A-0001', 'A-0002']);
  await r.watcher.pass();
  assert.equal(r.jobs.launches.length, 2);
  r.close();
});

test('a notice that cannot be delivered stays pending and is delivered on the next pass, once', async () => {
  const r = rig(NOV30);
  r.watch.addSubscription(sub('C1', 'U1'));
  r.watch.addSubscription(sub('C2', 'U2'));
  r.dl1.add(1801).add(1802);
  r.setNow('2026-12-01T07:00:00Z');
  r.slack.fail = true;
  await r.watcher.pass();
  assert.equal(r.watch.pendingNotices().length, 1);
  assert.equal(r.watch.pendingNotices()[0].lastError, 'platform down');
  r.slack.fail = false;
  r.restart();
  await r.watcher.pass();
  await r.watcher.pass();
  assert.deepEqual(r.watch.pendingNotices(), []);
  assert.equal(r.slack.texts('C2').length, 1);
  r.close();
});

test('a target of opportunity is watched by its position and launched with its coordinates', async () => {
  const r = rig([...NOV30, { runId: 3001, night: '20261130', source: 'GRB_261130A' }]);
  r.watch.addSubscription(sub('C1', 'U1', 'GRB_261130A', { too: { ra: 288.26, dec: 19.77 } }));
  r.dl1.add(3001);
  r.setNow('2026-12-01T06:30:00Z');
  await r.watcher.pass();
  assert.equal(r.jobs.launches.length, 1);
  assert.deepEqual(r.jobs.launches[0].params.target, { ra: 288.26, dec: 19.77 });
  assert.deepEqual(r.jobs.launches[0].runs, [3001]);
  r.close();
});
