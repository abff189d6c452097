/** The morning digest of one place for one night: text per subscribed source, and a trend image per source. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobRecord, JobStore } from '../core/JobStore.js';
import type { NoticeFile, Place, Subscription, WatchStore } from '../core/WatchStore.js';
import { cutsKey } from '../core/WatchStore.js';
import type { RunInfo } from '../core/services.js';
import { addNights } from '../util/nights.js';
import { renderTrend } from '../plots/renderTrend.js';
import { fmtDuration } from '../orchestrator/format.js';
import { nightJobs, trendPoints, type NightTotals } from './nightResults.js';
import { cutsText, placeText, sourceText } from './describe.js';
import { parsePlaceKey } from './WatchThreadOpener.js';

export interface DigestDeps {
  watch: WatchStore;
  jobs: JobStore;
  /** Catalogued runs of a subscription's source in the night. */
  runsOf(sub: Subscription, night: string): Promise<RunInfo[]>;
  trendNights: number;
  /** Folder the trend images are written to. */
  outDir: string;
}

export interface Digest {
  text: string;
  files: NoticeFile[];
}

/** "26.5σ · excess 512.3 · 9.10 excess/min". */
export function resultText(t: NightTotals): string {
  const flux = t.flux ? ` · flux ${t.flux.crab_units.toFixed(2)} ± ${t.flux.crab_units_error.toFixed(2)} Crab (${fmtE(t.flux.e_min_tev)}–${fmtE(t.flux.e_max_tev)} TeV, Γ = ${t.flux.index})` : '';
  return `*${t.significance.toFixed(1)}σ* · excess ${t.excess.toFixed(1)} · ${t.excess_rate_per_min.toFixed(2)} excess/min${flux}`;
}

const fmtE = (e: number) => (e >= 10 ? e.toFixed(0) : e >= 1 ? e.toFixed(1) : e.toFixed(2));

/** Where a watcher job's thread is, for people in another place. */
export function threadWhere(job: JobRecord): string {
  const p = parsePlaceKey(String((job.params as { watch_place?: unknown }).watch_place ?? ''));
  return p ? placeText(p) : 'its thread';
}

function stateText(j: JobRecord): string {
  switch (j.state) {
    case 'queued':
      return 'is queued';
    case 'waiting_inputs':
      return 'is waiting for DL1';
    case 'running':
      return `is running (${j.stage ?? 'pipeline'})`;
    case 'analysis':
      return 'is in the final analysis';
    case 'failed':
      return `failed: ${j.error?.message ?? 'unknown error'}${j.error ? ` (error id ${j.error.id})` : ''}`;
    case 'cancelled':
      return 'was cancelled';
    default:
      return j.state;
  }
}

const slug = (s: string) => s.replace(/[^A-Za-z0-9_+-]+/g, '_').replace(/^_+|_+$/g, '') || 'source';

export async function buildDigest(d: DigestDeps, place: Place, subs: Subscription[], night: string): Promise<Digest> {
  const lines = [`☀️ *ASTRAN digest — night ${night}* · ${placeText(place)}`];
  const files: NoticeFile[] = [];
  const seen = new Set<string>();
  const multiCuts = new Set(subs.map((s) => s.source)).size !== subs.length;
  for (const s of subs) {
    const ck = cutsKey(s.cuts);
    if (seen.has(`${s.source}|${ck}`)) continue;
    seen.add(`${s.source}|${ck}`);
    const head = `• *${sourceText(s)}*${multiCuts ? ` (${cutsText(s.cuts)})` : ''}`;
    const runs = await d.runsOf(s, night);
    const nj = nightJobs(d.watch, d.jobs, s.source, ck, night);
    if (runs.length === 0 && nj.jobs.length === 0) {
      lines.push(`${head} — not observed: no runs (not scheduled, or weather).`);
    } else if (nj.jobs.length === 0) {
      lines.push(`${head} — observed, ${runs.length} run${runs.length === 1 ? '' : 's'}; DL1 not complete yet: the analysis starts when it is.`);
    } else {
      const parts: string[] = [];
      if (nj.latestDone) {
        const { job, totals: t } = nj.latestDone;
        parts.push(`${t.n_runs} run${t.n_runs === 1 ? '' : 's'}, ${fmtDuration(t.livetime_s)} livetime · ${resultText(t)} · job *${job.id}* (thread in ${threadWhere(job)})`);
      }
      const latest = nj.latest!;
      if (latest !== nj.latestDone?.job && latest.id !== nj.latestDone?.job.id) {
        parts.push(`job *${latest.id}* (${latest.runIds.length} run${latest.runIds.length === 1 ? '' : 's'}) ${stateText(latest)}${['done', 'failed', 'cancelled'].includes(latest.state) ? '' : '; its result follows in its thread'} (in ${threadWhere(latest)})`);
      }
      const notYet = runs.filter((r) => !nj.launches.some((l) => l.runIds.includes(r.runId))).length;
      if (notYet) parts.push(`${notYet} more run${notYet === 1 ? '' : 's'} waiting for DL1`);
      lines.push(`${head} — ${parts.join(' · ')}`);
    }
    const from = addNights(night, -(d.trendNights - 1));
    const png = renderTrend({ source: s.source, fromNight: from, toNight: night, points: trendPoints(d.watch, d.jobs, s.source, ck, from, night), subtitle: cutsText(s.cuts) });
    mkdirSync(d.outDir, { recursive: true });
    const name = `trend-${slug(s.source)}${multiCuts ? `-${slug(ck)}` : ''}.png`;
    const path = join(d.outDir, `${slug(place.adapter + '-' + place.channel)}-${name}`);
    writeFileSync(path, png);
    files.push({ name, path, contentType: 'image/png' });
  }
  lines.push(`Trend${files.length === 1 ? '' : 's'} of the last ${d.trendNights} nights attached. \`/astran subscriptions\` lists this place’s standing orders.`);
  return { text: lines.join('\n'), files };
}
