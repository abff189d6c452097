/**
 * JobAnalysis: the end of a job. The DL3 files are copied from the cluster, the analysis step computes the results and
 * plots into the job's results folder, and the provenance block is added (JobRunner then records and delivers them).
 *
 * Ahead of time: while the last stage (the night's DL3 index) still runs, the DL3 files are already final (their stage
 * was recorded done: exit 0 and outputs there). `prepare()` copies them and runs the analysis into a staging folder,
 * so the results do not wait for the copy and the analysis once the index is done. `run()` uses that result only if
 * the final copy finds every file unchanged (same local copies: same size, time and inode); otherwise, or when the
 * early analysis failed or was not complete, it analyses as usual. Nothing made ahead is shown to anyone before the
 * last stage succeeded: a job that fails there discards it (`discard()`).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { copyFile, rename, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { dl3Paths, type PlanSubject } from '../pipeline/PipelinePlan.js';
import type { ProbeReport } from '../pipeline/ClusterBackend.js';
import type { JobRecord } from '../core/JobStore.js';
import { UserFacingError } from '../core/errors.js';
import { FitsError } from '../fits/FitsError.js';
import { IrfError } from '../analysis/irf/IrfError.js';
import { AbortedError } from '../util/sleep.js';
import { buildProvenance, provenanceLine } from './provenance.js';
import type { ClusterBackend } from '../pipeline/ClusterBackend.js';
import type { SourceEntry } from '../config/SourceCatalog.js';
import type { JobStore } from '../core/JobStore.js';
import type { OutboundMessage } from '../core/types.js';
import type { Logger } from '../log.js';
import type { RunnerConfig } from './config.js';
import * as say from './wording.js';

/** What the analysis step returns: the final thread message (summary + images) and a JSON summary for the store. */
export interface AnalysisOutcome {
  message: OutboundMessage;
  summary: unknown;
}
export type AnalysisStep = (job: JobRecord, source: SourceEntry, files: string[], outDir: string, signal: AbortSignal) => Promise<AnalysisOutcome>;

/** What JobAnalysis uses of the runner's dependencies (RunnerDeps). */
export interface AnalysisDeps {
  config: RunnerConfig;
  base: string;
  backend: ClusterBackend;
  analysis: AnalysisStep;
  source: SourceEntry;
  resultsDir: string;
  cacheDir: string;
  log: Logger;
  store: JobStore;
  configFile?: string;
  now: () => Date;
}

/** What JobAnalysis needs from its runner. */
export interface AnalysisHost {
  readonly jobId: string;
  job(): JobRecord;
  clusterKey(): string;
  planSubject(): Promise<PlanSubject>;
  /** A cluster operation, waiting out outages (JobRunner.cluster). */
  cluster<T>(f: () => Promise<T>, signal: AbortSignal): Promise<T>;
  event(kind: string, message: string, data?: unknown): void;
}

/** A local copy as it was when analysed: any change (a new download) shows in one of these. */
interface Stamp {
  size: number;
  mtimeMs: number;
  ino: number;
}

interface Ahead {
  files: string[];
  stamps: Stamp[];
  outcome: AnalysisOutcome;
  dir: string;
}

const stampOf = (file: string): Stamp => {
  const s = statSync(file);
  return { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino };
};
const sameStamp = (a: Stamp, b: Stamp) => a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;

export class JobAnalysis {
  private ahead: Promise<Ahead | undefined> | undefined;

  constructor(
    private readonly d: AnalysisDeps,
    private readonly h: AnalysisHost,
  ) {}

  private get cache(): string {
    return resolve(this.d.cacheDir, this.h.jobId);
  }

  /** Where the analysis made ahead waits to be used (beside the copies, not among the results). */
  private get stagingDir(): string {
    return join(this.cache, 'analysis-ahead');
  }

  /**
   * The last stage is running and every earlier one is done: copy the DL3 files and analyse them now. `pending` are
   * the outputs the running stage still has to write: if a DL3 file is among them, nothing is done ahead. Best effort:
   * any problem only means `run()` does the work itself.
   */
  prepare(pending: string[], signal: AbortSignal): void {
    this.ahead ??= this.runAhead(new Set(pending), signal).catch((err: unknown) => {
      if (!(err instanceof AbortedError)) this.d.log.debug({ err, job: this.h.jobId }, 'the analysis ahead of the last stage failed; it is done at the end');
      return undefined;
    });
  }

  private async runAhead(pending: Set<string>, signal: AbortSignal): Promise<Ahead | undefined> {
    const subject = await this.h.planSubject();
    const remote = dl3Paths(this.d.config, this.d.base, subject);
    if (remote.some((p) => pending.has(p))) return undefined;
    const flags = await this.d.backend.exists(remote);
    const there = remote.filter((_, i) => flags[i]);
    if (there.length === 0) return undefined;
    const files = await this.d.backend.fetch(there, this.cache);
    // Part of the files only: copying them saves time at the end; analysing them would not be the job's result.
    if (there.length < remote.length || signal.aborted) return undefined;
    const stamps = files.map(stampOf);
    const dir = this.stagingDir;
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const outcome = await this.d.analysis(this.h.job(), this.d.source, files, dir, signal);
    return { files, stamps, outcome, dir };
  }

  /** The staging folder of a job that will not use it (failed, cancelled, or done without it). */
  discard(): void {
    rmSync(this.stagingDir, { recursive: true, force: true });
  }

  /** The job's result: the DL3 files copied (checked), analysed (or the analysis made ahead adopted), provenance. */
  async run(signal: AbortSignal): Promise<AnalysisOutcome> {
    const subject = await this.h.planSubject();
    const remote = dl3Paths(this.d.config, this.d.base, subject);
    // Let a copy or analysis in progress finish rather than race it (the copy is reused, the analysis maybe too).
    const ahead = await this.ahead;
    let files: string[];
    try {
      files = await this.h.cluster(() => this.d.backend.fetch(remote, this.cache), signal);
    } catch (e) {
      if (e instanceof AbortedError) throw e;
      this.d.log.error({ err: e, job: this.h.jobId }, 'fetching the DL3 files failed');
      const w = say.fetchFailed(subject.runs.map((r) => r.runId));
      throw new UserFacingError(w.message, w.hint);
    }
    const outDir = resolve(this.d.resultsDir, this.h.jobId);
    mkdirSync(outDir, { recursive: true });
    let outcome = ahead && this.unchanged(ahead, files) ? await this.adopt(ahead, outDir) : undefined;
    if (!outcome) {
      this.discard();
      outcome = await this.analyse(files, outDir, signal);
    }
    try {
      outcome = await this.withProvenance(outcome, subject, files, outDir, signal);
    } catch (e) {
      if (e instanceof AbortedError) throw e;
      // The result stands without its provenance block; the log says why (an unreadable local copy, say).
      this.d.log.error({ err: e, job: this.h.jobId }, 'could not build the provenance block');
    }
    return outcome;
  }

  private unchanged(ahead: Ahead, files: string[]): boolean {
    if (ahead.files.length !== files.length || ahead.files.some((f, i) => f !== files[i])) return false;
    try {
      return files.every((f, i) => sameStamp(stampOf(f), ahead.stamps[i]!));
    } catch {
      return false;
    }
  }

  /** Move what was made ahead into the results folder (rename; copy where the folders are on different disks). */
  private async adopt(ahead: Ahead, outDir: string): Promise<AnalysisOutcome | undefined> {
    try {
      for (const name of readdirSync(ahead.dir)) {
        const from = join(ahead.dir, name);
        const to = join(outDir, name);
        await rename(from, to).catch(async (e: NodeJS.ErrnoException) => {
          if (e.code !== 'EXDEV') throw e;
          await copyFile(from, `${to}.tmp-${process.pid}`);
          await rename(`${to}.tmp-${process.pid}`, to);
          await unlink(from);
        });
      }
    } catch (err) {
      this.d.log.warn({ err, job: this.h.jobId }, 'could not move the analysis made ahead; analysing again');
      return undefined;
    }
    this.discard();
    this.h.event('analysis_ahead', 'the analysis made while the last stage ran is used: its DL3 files did not change');
    const summary = ahead.outcome.summary;
    return { ...ahead.outcome, summary: summary && typeof summary === 'object' && 'outDir' in summary ? { ...summary, outDir } : summary };
  }

  private async analyse(files: string[], outDir: string, signal: AbortSignal): Promise<AnalysisOutcome> {
    try {
      return await this.d.analysis(this.h.job(), this.d.source, files, outDir, signal);
    } catch (e) {
      if (e instanceof AbortedError) throw e;
      if (e instanceof FitsError || e instanceof IrfError) {
        this.d.log.error({ err: e, job: this.h.jobId }, 'analysis input unreadable');
        const run = /Run0*(\d+)|obs_id_0*(\d+)/.exec(e.file);
        const where = `${e.file}${run ? ` (run ${run[1] ?? run[2]})` : ''}${e instanceof IrfError ? `, HDU ${e.hdu}` : ''}`;
        const w = say.analysisInputFailed(`${where}: ${e.problem}`);
        throw new UserFacingError(w.message, w.hint);
      }
      // Anything else: still say what stopped and what to do; the cause is logged with the job's error id.
      const w = say.analysisFailed(files.length);
      throw Object.assign(new UserFacingError(w.message, w.hint), { cause: e });
    }
  }

  /** results.json gets the provenance block, the summary its one-line digest (site #9 §7). */
  private async withProvenance(outcome: AnalysisOutcome, subject: PlanSubject, files: string[], outDir: string, signal: AbortSignal): Promise<AnalysisOutcome> {
    const probes = await this.probeReports(signal);
    const prov = await buildProvenance({ job: this.h.job(), store: this.d.store, config: this.d.config, base: this.d.base, subject, files, configFile: this.d.configFile, stagingTag: this.h.clusterKey(), probes, now: this.d.now() });
    const resultsFile = resolve(outDir, 'results.json');
    if (existsSync(resultsFile)) {
      const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as Record<string, unknown>;
      writeFileSync(resultsFile, JSON.stringify({ ...results, provenance: prov }, null, 1));
    }
    const line = `Provenance: ${provenanceLine(prov)}.`;
    const summary = outcome.summary && typeof outcome.summary === 'object' ? { ...(outcome.summary as Record<string, unknown>), provenance_line: line } : outcome.summary;
    return { ...outcome, summary, message: { ...outcome.message, text: `${outcome.message.text ?? ''}\n${line}` } };
  }

  /** What the environment probes of this job's stage attempts reported on the cluster (the tool version), by ref. */
  private async probeReports(signal: AbortSignal): Promise<Map<string, ProbeReport | null>> {
    const refs = [...new Set(this.d.store.submissions(this.h.jobId).map((s) => s.backendRef).filter((r): r is string => r !== null))];
    if (!this.d.config.pipeline.version_probe || refs.length === 0) return new Map();
    try {
      const reports = await this.h.cluster(() => this.d.backend.probeOutputs(refs), signal);
      return new Map(refs.map((r, i) => [r, reports[i] ?? null]));
    } catch (e) {
      if (e instanceof AbortedError) throw e;
      // The result stands; its provenance says the version was not reported.
      this.d.log.error({ err: e, job: this.h.jobId }, 'could not read the environment probes');
      return new Map();
    }
  }
}
