/**
 * The standing-order watcher (issue #10). One pass: deliver what is pending, launch jobs for subscribed sources whose
 * runs became ready in the watched night, tell the other subscribed places, post results and alerts of finished jobs,
 * and, once due, the morning digest. Every decision is recorded in the store before it is acted on, so passes are
 * idempotent and a restart at any point neither repeats nor loses anything (docs/watch.md).
 */
import type { PipelineSections } from '../pipeline/config.js';
import type { SourceCatalog, SourceEntry } from '../config/SourceCatalog.js';
import type { ClusterBackend } from '../pipeline/ClusterBackend.js';
import type { DecLinePicker, JobControl, NightIndex, RunDecLine, RunInfo } from '../core/services.js';
import type { JobRecord, JobStore, LaunchParams } from '../core/JobStore.js';
import { isFinal } from '../core/JobStore.js';
import type { Place, Subscription, WatchLaunch, WatchStore } from '../core/WatchStore.js';
import { cutsKey, placeKey, watchKey } from '../core/WatchStore.js';
import type { Logger } from '../log.js';
import { planStages, pathsToCheck, neededWork } from '../pipeline/PipelinePlan.js';
import { InputReadiness } from '../pipeline/InputReadiness.js';
import { addNights } from '../util/nights.js';
import { currentNight, digestDue, watching } from './schedule.js';
import type { WatchConfig } from './config.js';
import type { NoticeSink } from './NoticeDelivery.js';
import { watchRequest, WATCH_ADAPTER } from './WatchThreadOpener.js';
import { buildDigest, resultText, threadWhere } from './digest.js';
import { totalsOf } from './nightResults.js';
import { cutsText, placeText, sourceText, subscriberName, thresholdsText } from './describe.js';
import { fmtDuration } from '../orchestrator/format.js';
import { join } from 'node:path';

export interface WatcherDeps {
  config: PipelineSections;
  /** The `watch` section, parsed (src/watch/config.ts). */
  watch: WatchConfig;
  base: string;
  sources: SourceCatalog;
  jobStore: JobStore;
  watchStore: WatchStore;
  nights: NightIndex;
  backend: Pick<ClusterBackend, 'exists' | 'stat'>;
  jobs: JobControl;
  /** Each run's Monte Carlo declination line (RF models + IRFs), as `launch` picks it; absent without dec_lines. */
  decLines?: DecLinePicker;
  notices: NoticeSink;
  resultsDir: string;
  log: Logger;
  now: () => Date;
}

export interface PassOptions {
  /** Watch this night instead of the current one (and regardless of the start time). */
  night?: string;
  /** auto: when due; force: now; skip: not in this pass. */
  digest?: 'auto' | 'force' | 'skip';
}

export interface PassReport {
  night: string | null;
  /** What the pass did, one line each (printed by `watch --once`, logged by serve). */
  lines: string[];
  /** Jobs launched in this pass. */
  launched: string[];
}

/** Finished jobs' notices and alerts are looked for in the watched night and the nights just before it. */
const RECONCILE_NIGHTS = 3;

/**
 * How an alert names a subscriber in its text: Mattermost mentions are plain `@username` text; everywhere else the
 * name, and the adapter adds the platform's own mention (Slack `<@U…>`) from the notice's `mentions`.
 */
export function mention(s: Subscription): string {
  if (s.subscriber.adapter === 'mattermost' && s.subscriber.displayName && /^[a-z0-9._-]+$/i.test(s.subscriber.displayName)) return `@${s.subscriber.displayName}`;
  return subscriberName(s);
}

export class Watcher {
  private readonly readiness: InputReadiness;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = true;

  constructor(private readonly d: WatcherDeps) {
    this.readiness = new InputReadiness(d.config, d.base, d.backend, () => d.now().getTime());
  }

  get cfg(): WatchConfig {
    return this.d.watch;
  }

  /** Passes one after another: a pass never overlaps another (timer, job endings, `watch --once`). */
  pass(opts: PassOptions = {}): Promise<PassReport> {
    const p = this.running.then(() => this.doPass(opts));
    this.running = p.catch(() => undefined);
    return p;
  }

  /** Run a pass now and then every interval_s until stop(). A failed pass is logged and the next one runs. */
  start(): void {
    this.stopped = false;
    const tick = async () => {
      try {
        const r = await this.pass();
        for (const line of r.lines) this.d.log.info({ night: r.night }, `watch: ${line}`);
      } catch (e) {
        this.d.log.error({ err: e }, 'watch pass failed; retrying at the next interval');
      }
      if (!this.stopped) this.timer = setTimeout(tick, this.cfg.interval_s * 1000);
    };
    void tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** A job ended: if it is one of ours, post its result and any alert at once (not at the next interval). */
  onJobFinal(job: JobRecord): void {
    const night = (job.params as { watch_key?: unknown }).watch_key ? job.params.nightFrom : null;
    if (!night) return;
    const p = this.running.then(async () => {
      await this.reconcile(night, night, []);
      await this.d.notices.flush();
    });
    this.running = p.catch((e) => this.d.log.error({ err: e, job: job.id }, 'watch: posting a finished job failed; the next pass retries'));
  }

  private async doPass(opts: PassOptions): Promise<PassReport> {
    const now = this.d.now();
    const report: PassReport = { night: null, lines: [], launched: [] };
    await this.d.notices.flush(); // whatever a previous run recorded but could not deliver
    const night = opts.night ?? (watching(now, this.cfg) ? currentNight(now) : null);
    if (!night) {
      report.lines.push(`before ${this.cfg.start_utc} UTC: nothing to watch yet`);
      return report;
    }
    report.night = night;
    const subs = this.d.watchStore.listSubscriptions();
    if (!subs.length) report.lines.push('no subscriptions');
    for (const group of groupSubs(subs)) await this.watchGroup(group, night, report);
    await this.reconcile(addNights(night, -(RECONCILE_NIGHTS - 1)), night, report.lines);
    const digest = opts.digest ?? 'auto';
    if (digest === 'force' || (digest === 'auto' && digestDue(night, now, this.cfg))) await this.digest(night, subs, report);
    await this.d.notices.flush();
    return report;
  }

  /** The source entry of a subscription: from the source list, or the target of opportunity's own position. */
  private entryOf(s: Subscription): SourceEntry | undefined {
    if (s.too) return { name: s.source, aliases: [], ra: s.too.ra, dec: s.too.dec };
    return this.d.sources.resolve(s.source);
  }

  private async runsOf(s: Subscription, night: string): Promise<RunInfo[]> {
    const e = this.entryOf(s);
    return e ? this.d.nights.runs(e, night, night) : [];
  }

  /**
   * Runs whose inputs are complete by the job runner's own rule (pipeline.dl1_complete: night flag or file stability,
   * through the same InputReadiness the runner uses), or whose products already exist. Observations of growing files
   * are kept across passes, so a file that is still being written is not picked up early.
   */
  private async readyRuns(entry: SourceEntry, runs: RunInfo[], report: PassReport, label: string): Promise<RunInfo[]> {
    const lines = await this.decLinesOf(runs, report, label);
    if (!lines) return [];
    const plans = planStages(this.d.config, this.d.base, { source: entry.name, ra: entry.ra, dec: entry.dec, runs: runs.map((r) => ({ runId: r.runId, night: r.night, decLine: lines[String(r.runId)]?.line })) });
    const paths = pathsToCheck(plans);
    const flags = paths.length ? await this.d.backend.exists(paths) : [];
    const have = new Set(paths.filter((_, i) => flags[i]));
    const work = neededWork(plans, (p) => have.has(p), false);
    if (!work.inputsOf.size) return runs;
    const status = await this.readiness.assess(work);
    const ready = new Set(status.ready);
    return runs.filter((r) => !work.inputsOf.has(r.runId) || ready.has(r.runId));
  }

  /** The runs' declination lines ({} without dec_lines); undefined, with the reason in the report, when refused. */
  private async decLinesOf(runs: RunInfo[], report: PassReport, label: string): Promise<Record<string, RunDecLine> | undefined> {
    if (!this.d.decLines || !runs.length) return {};
    const picked = await this.d.decLines.pick(runs);
    if (picked.ok) return picked.lines;
    report.lines.push(`${label}: ${picked.problems.map((p) => p.message).join('; ')}`);
    return undefined;
  }

  private async watchGroup(subs: Subscription[], night: string, report: PassReport): Promise<void> {
    const first = subs[0];
    const label = `${sourceText(first)} (${cutsText(first.cuts)})`;
    const entry = this.entryOf(first);
    if (!entry) {
      report.lines.push(`${label}: no longer in the source list; skipped`);
      return;
    }
    const ck = cutsKey(first.cuts);
    const runs = await this.d.nights.runs(entry, night, night);
    const launches = this.d.watchStore.listLaunches({ source: first.source, cutsKey: ck, nightFrom: night, nightTo: night });
    // A launch recorded but not linked to its job: the previous run stopped in between. Adopt or finish it first.
    for (const l of launches) if (!l.jobId) await this.completeLaunch(l, subs, runs, report);
    if (!runs.length) {
      report.lines.push(`${label}: no runs in night ${night}`);
      return;
    }
    const covered = new Set(launches.flatMap((l) => l.runIds));
    const ready = await this.readyRuns(entry, runs, report, label);
    const fresh = ready.filter((r) => !covered.has(r.runId));
    if (!fresh.length) {
      report.lines.push(`${label}: ${runs.length} run(s) in night ${night}, ${ready.length} ready, ${covered.size} already launched; nothing new`);
      return;
    }
    // A follow-up reuses the products of the jobs before it: it starts once they have ended, never beside them.
    const busy = launches.map((l) => (l.jobId ? this.d.jobStore.getJob(l.jobId) : undefined)).find((j) => j && !isFinal(j.state));
    if (busy) {
      report.lines.push(`${label}: ${fresh.length} more run(s) ready; the follow-up starts when ${busy.id} has finished`);
      return;
    }
    // A follow-up covers every ready run of the night: earlier runs' products exist, so only the new ones are processed.
    const ids = [...new Set([...ready.map((r) => r.runId), ...covered])].filter((id) => runs.some((r) => r.runId === id)).sort((a, b) => a - b);
    const l = this.d.watchStore.recordLaunch({ source: first.source, night, cutsKey: ck, runIds: ids });
    await this.completeLaunch(l, subs, runs, report);
  }

  private findJob(key: string): JobRecord | undefined {
    const byRequest = this.d.jobStore.findJobByRequest(`${WATCH_ADAPTER}:${key}`);
    if (byRequest) return byRequest;
    return this.d.jobStore.listJobs({ requesterUserId: WATCH_ADAPTER }).find((j) => (j.params as { watch_key?: unknown }).watch_key === key && j.requester.adapter === WATCH_ADAPTER);
  }

  private async completeLaunch(l: WatchLaunch, subs: Subscription[], runs: RunInfo[], report: PassReport): Promise<void> {
    const key = watchKey(l);
    const primary = subs[0].place;
    let job = this.findJob(key);
    const adopted = job !== undefined;
    if (!job) {
      const cuts = subs[0].cuts;
      const params: LaunchParams & { watch_key: string; watch_place: string } = {
        source: l.source,
        nightFrom: l.night,
        nightTo: l.night,
        theta2_cut: cuts.theta2_cut,
        off_regions: cuts.off_regions,
        watch_key: key,
        watch_place: placeKey(primary),
      };
      if (cuts.emin !== undefined) params.emin = cuts.emin;
      if (cuts.emax !== undefined) params.emax = cuts.emax;
      if (subs[0].too) params.target = { ra: subs[0].too.ra, dec: subs[0].too.dec };
      const runInfos = l.runIds.map((id) => runs.find((r) => r.runId === id) ?? { runId: id, night: l.night, source: l.source });
      const lines = await this.decLinesOf(runInfos, report, sourceText(subs[0]));
      if (lines === undefined) return;
      if (Object.keys(lines).length) params.runDecLines = lines;
      try {
        job = await this.d.jobs.launch(params, runInfos, watchRequest(key, primary, subs.map(subscriberName), this.d.now()));
      } catch (e) {
        job = this.findJob(key); // created, then its thread could not be opened: it runs anyway
        if (!job) {
          this.d.log.error({ err: e, key }, 'watch: launch failed; retried at the next pass');
          report.lines.push(`${l.source}, night ${l.night}: launch failed (${(e as Error).message}); retried at the next pass`);
          return;
        }
        this.d.log.error({ err: e, job: job.id }, 'watch: job created but its thread could not be opened');
      }
    }
    this.d.watchStore.linkLaunch(l, job.id);
    report.launched.push(job.id);
    report.lines.push(
      `${adopted ? 'adopted' : 'launched'} ${job.id}: ${l.source}, night ${l.night}, ${l.runIds.length} run(s) (${l.runIds.join(', ')})${l.part > 1 ? `, follow-up ${l.part}` : ''}; thread in ${placeText(primary)}`,
    );
    const places = uniquePlaces(subs).filter((p) => placeKey(p) !== placeKey(primary));
    for (const place of places) {
      const text =
        `🔭 Standing order: *${l.source}*, night ${l.night} — ${l.runIds.length} run(s) ready${l.part > 1 ? ' (follow-up for runs that arrived later)' : ''}. ` +
        `Analysing as *${job.id}*; its thread is in ${placeText(primary)}. The result will be posted here too; \`/astran status ${job.id}\` any time.`;
      await this.d.notices.notify({ key: `started|${placeKey(place)}|${job.id}`, place, kind: 'job_started', text, files: [] });
    }
  }

  /** Finished jobs of nights from..to: their result in every other subscribed place, and alerts. Idempotent by key. */
  private async reconcile(from: string, to: string, lines: string[]): Promise<void> {
    const subs = this.d.watchStore.listSubscriptions();
    for (const l of this.d.watchStore.listLaunches({ nightFrom: from, nightTo: to })) {
      if (!l.jobId) continue;
      const job = this.d.jobStore.getJob(l.jobId);
      if (!job || !isFinal(job.state)) continue;
      const group = subs.filter((s) => s.source === l.source && cutsKey(s.cuts) === l.cutsKey);
      const primary = String((job.params as { watch_place?: unknown }).watch_place ?? '');
      const totals = totalsOf(job);
      for (const place of uniquePlaces(group)) {
        if (placeKey(place) === primary) continue; // the job's own thread has its summary
        const key = `finished|${placeKey(place)}|${job.id}`;
        if (this.d.watchStore.getNotice(key)) continue;
        const head = `*${l.source}*, night ${l.night} (*${job.id}*, thread in ${threadWhere(job)})`;
        const text = totals
          ? `✅ ${head}: ${totals.n_runs} run(s), ${fmtDuration(totals.livetime_s)} livetime · ${resultText(totals)}.`
          : job.state === 'failed'
            ? `❌ ${head} failed: ${job.error?.message ?? 'unknown error'}${job.error ? ` (error id ${job.error.id})` : ''}.`
            : `🛑 ${head} ended ${job.state}.`;
        const result = job.result as { images?: unknown; outDir?: unknown } | null;
        const files =
          totals && Array.isArray(result?.images) && typeof result?.outDir === 'string'
            ? (result.images as unknown[]).filter((n): n is string => typeof n === 'string').map((n) => ({ name: n, path: join(result.outDir as string, n), contentType: 'image/png' }))
            : [];
        const replyTo = this.d.watchStore.getNotice(`started|${placeKey(place)}|${job.id}`)?.posted ?? null;
        await this.d.notices.notify({ key, place, kind: 'job_finished', text, files, replyTo });
        lines.push(`posted the result of ${job.id} in ${placeText(place)}`);
      }
      if (totals) await this.alerts(l, job, totals, group, lines);
    }
  }

  private async alerts(l: WatchLaunch, job: JobRecord, t: NonNullable<ReturnType<typeof totalsOf>>, group: Subscription[], lines: string[]): Promise<void> {
    for (const place of uniquePlaces(group)) {
      const key = `alert|${placeKey(place)}|${l.source}|${l.night}`;
      if (this.d.watchStore.getNotice(key)) continue; // once per (source, night) in each place
      const hit = group.filter((s) => {
        if (placeKey(s.place) !== placeKey(place)) return false;
        const sigma = s.alertSigma ?? this.cfg.alert_sigma;
        const rate = s.alertRate ?? this.cfg.alert_rate;
        return t.significance >= sigma && (rate === null || t.excess_rate_per_min >= rate);
      });
      if (!hit.length) continue;
      const s = hit[0];
      const text =
        `🚨 *Alert: ${l.source}*, night ${l.night}, ${t.n_runs} run(s) in ${fmtDuration(t.livetime_s)}: ${resultText(t)} — ` +
        `above the threshold ${thresholdsText(s.alertSigma ?? this.cfg.alert_sigma, s.alertRate ?? this.cfg.alert_rate)}. ` +
        `Job *${job.id}*, thread in ${threadWhere(job)}. ${hit.map(mention).join(' ')}`;
      await this.d.notices.notify({ key, place, kind: 'alert', text: text.trim(), files: [], mentions: hit.map((h) => h.subscriber) });
      lines.push(`alert for ${l.source}, night ${l.night} in ${placeText(place)} (${t.significance.toFixed(1)}σ, ${t.excess_rate_per_min.toFixed(2)}/min)`);
    }
  }

  private async digest(night: string, subs: Subscription[], report: PassReport): Promise<void> {
    const outDir = join(this.d.resultsDir, `digest-${night}`);
    for (const place of uniquePlaces(subs)) {
      const key = `digest|${placeKey(place)}|${night}`;
      if (this.d.watchStore.getNotice(key)) {
        report.lines.push(`digest of night ${night} for ${placeText(place)}: already sent`);
        continue;
      }
      const mine = subs.filter((s) => placeKey(s.place) === placeKey(place));
      const dg = await buildDigest(
        { watch: this.d.watchStore, jobs: this.d.jobStore, runsOf: (s, n) => this.runsOf(s, n), trendNights: this.cfg.trend_nights, outDir },
        place,
        mine,
        night,
      );
      await this.d.notices.notify({ key, place, kind: 'digest', text: dg.text, files: dg.files });
      report.lines.push(`digest of night ${night} for ${placeText(place)}: ${mine.length} subscription(s); trend image(s) in ${outDir}`);
    }
  }
}

/** Subscriptions grouped by (source, cuts): one job per group and night. Oldest subscription first in each. */
export function groupSubs(subs: Subscription[]): Subscription[][] {
  const m = new Map<string, Subscription[]>();
  for (const s of subs) {
    const k = `${s.source}\u0000${cutsKey(s.cuts)}`;
    m.set(k, [...(m.get(k) ?? []), s]);
  }
  return [...m.values()];
}

export function uniquePlaces(subs: Subscription[]): Place[] {
  const m = new Map<string, Place>();
  for (const s of subs) if (!m.has(placeKey(s.place))) m.set(placeKey(s.place), s.place);
  return [...m.values()];
}
