import { EventEmitter } from 'node:events';
import type { Adapter, Identity, InboundMessage } from '../core/types.js';
import type { JobControl, RunInfo } from '../core/services.js';
import type { JobRecord, JobStore, LaunchParams } from '../core/JobStore.js';
import { isFinal } from '../core/JobStore.js';
import type { ClusterBackend } from '../pipeline/ClusterBackend.js';
import type { LoadedConfig } from '../config/loadConfig.js';
import type { Logger } from '../log.js';
import { JobRunner, type AnalysisStep } from './JobRunner.js';
import { JobThread } from './JobThread.js';
import { Poller } from './Poller.js';
import { fmtDuration, fmtNights } from './format.js';
import { UserFacingError } from '../core/errors.js';
import { jobTarget } from '../core/jobTarget.js';

export interface OrchestratorDeps {
  loaded: LoadedConfig;
  store: JobStore;
  backend: ClusterBackend;
  adapters: Map<string, Adapter>;
  log: Logger;
  analysis: AnalysisStep;
  resultsDir: string;
  cacheDir: string;
  now?: () => Date;
}

interface Active {
  runner: JobRunner;
  controller: AbortController;
  done: Promise<void>;
}

/**
 * Runs every job: creates it, opens its thread, drives it with a JobRunner, resumes unfinished jobs on start, and
 * cancels on request. Emits `final` (JobRecord) when a job reaches done/failed/cancelled.
 */
export class Orchestrator extends EventEmitter implements JobControl {
  private readonly active = new Map<string, Active>();
  readonly poller: Poller;
  private readonly now: () => Date;
  private clusterDownReported = false;

  constructor(private readonly d: OrchestratorDeps) {
    super();
    this.now = d.now ?? (() => new Date());
    this.poller = new Poller(d.backend, d.loaded.config.bot.poll_interval_s * 1000, d.log, (e, n) => this.onPollError(e, n));
  }

  /** Resume every unfinished job (after a restart nothing is lost and nothing is submitted twice). */
  async start(): Promise<void> {
    const unfinished = this.d.store.listJobs({ active: true }).reverse();
    for (const job of unfinished) {
      this.d.log.info({ job: job.id, state: job.state }, 'resuming unfinished job');
      this.d.store.addEvent(job.id, 'resumed', 'ASTRAN restarted; resuming');
      this.startRunner(job.id);
    }
  }

  async stop(): Promise<void> {
    for (const a of this.active.values()) {
      a.runner.shuttingDown = true;
      a.controller.abort();
    }
    this.poller.stop();
    await Promise.allSettled([...this.active.values()].map((a) => a.done));
  }

  /** Resolves when the job reaches a final state. */
  waitFor(jobId: string): Promise<JobRecord> {
    const j = this.d.store.getJob(jobId);
    if (j && isFinal(j.state)) return Promise.resolve(j);
    return new Promise((resolve) => {
      const on = (job: JobRecord) => {
        if (job.id !== jobId) return;
        this.off('final', on);
        resolve(job);
      };
      this.on('final', on);
    });
  }

  async launch(params: LaunchParams, runs: RunInfo[], request: InboundMessage): Promise<JobRecord> {
    const adapter = this.d.adapters.get(request.identity.adapter);
    if (!adapter) throw new Error(`no adapter named ${request.identity.adapter}`);
    const source = jobTarget(params, this.d.loaded.sources);
    if (!source) throw new UserFacingError(`Unknown source ${params.source}.`);
    const runNights: Record<string, string> = {};
    for (const r of runs) runNights[String(r.runId)] = r.night;
    // The request id is recorded with the job (one transaction): the same request handled again after a crash
    // (an e-mail still unread, a redelivered event) finds this job instead of launching a second one.
    const requestKey = `${request.identity.adapter}:${request.id}`;
    const existing = this.d.store.findJobByRequest(requestKey);
    if (existing) {
      this.d.log.info({ job: existing.id, requestKey }, 'request already launched a job; not launching again');
      if (!existing.thread) this.d.store.updateJob(existing.id, { thread: (await adapter.openThread(request, { text: this.rootText(existing) }, existing.id)).thread });
      if (!isFinal(existing.state)) this.startRunner(existing.id);
      return this.d.store.getJob(existing.id)!;
    }
    const job = this.d.store.createJob({
      params: { ...params, source: source.name, runNights },
      requester: request.identity,
      runIds: runs.map((r) => r.runId).sort((a, b) => a - b),
      requestKey,
    });
    this.d.store.addEvent(job.id, 'created', `launched by ${request.identity.adapter}:${request.identity.userId}`, { params });
    const { thread } = await adapter.openThread(request, { text: this.rootText(job) }, job.id);
    this.d.store.updateJob(job.id, { thread });
    this.emit('launched', this.d.store.getJob(job.id)!, request);
    this.startRunner(job.id);
    return this.d.store.getJob(job.id)!;
  }

  async cancel(job: JobRecord, by: Identity): Promise<void> {
    if (isFinal(job.state)) return;
    const who = by.displayName ?? by.userId;
    this.d.store.updateJob(job.id, { cancelRequestedBy: who });
    this.d.store.addEvent(job.id, 'cancel_requested', `cancel requested by ${by.adapter}:${by.userId}`);
    const a = this.active.get(job.id);
    if (a) {
      a.controller.abort();
      await a.done;
    } else this.startRunner(job.id); // a runner notices the request and cancels cleanly
  }

  describe(job: JobRecord): string {
    const p = job.params;
    const head = `*${job.id}* · ${p.source} · night ${fmtNights(p.nightFrom, p.nightTo)} · ${job.runIds.length} run(s)${job.runIds.length ? ` (${job.runIds.join(', ')})` : ''}`;
    const end = job.finishedAt ? Date.parse(job.finishedAt) : this.now().getTime();
    const elapsed = fmtDuration((end - Date.parse(job.createdAt)) / 1000);
    let state: string;
    switch (job.state) {
      case 'running':
        state = `running ${job.stage ?? ''} · elapsed ${elapsed}`;
        break;
      case 'waiting_inputs':
        state = `waiting for DL1 · elapsed ${elapsed}`;
        break;
      case 'done': {
        const r = job.result as { total?: { significance?: number; excess?: number; livetime_s?: number } } | null;
        state = `done in ${elapsed}` + (r?.total?.significance !== undefined ? ` · ${r.total.significance.toFixed(1)}σ, excess ${r.total.excess?.toFixed(1)} in ${fmtDuration(r.total.livetime_s ?? 0)}` : '');
        break;
      }
      case 'failed':
        state = `failed after ${elapsed}: ${job.error?.message ?? 'unknown error'}${job.error ? ` (error id ${job.error.id})` : ''}`;
        break;
      default:
        state = `${job.state.replace('_', ' ')} · elapsed ${elapsed}`;
    }
    const last = this.d.store.events(job.id, 3).map((e) => `  ${e.at.slice(11, 19)} ${e.message}`);
    return [head, `State: ${state}`, ...(last.length ? ['Latest:', ...last] : [])].join('\n');
  }

  private rootText(job: JobRecord): string {
    const p = job.params;
    const opts = [p.theta2_cut !== undefined ? `θ² cut ${p.theta2_cut}` : '', p.off_regions !== undefined ? `${p.off_regions} OFF` : '', p.emin !== undefined ? `E ≥ ${p.emin} TeV` : '', p.emax !== undefined ? `E ≤ ${p.emax} TeV` : '', p.dry_run ? 'dry run' : '', p.force ? 'force' : '']
      .filter(Boolean)
      .join(', ');
    return (
      `🔭 *${job.id}* · ${p.source}${p.target ? ` (target of opportunity, RA ${p.target.ra.toFixed(3)}°, Dec ${p.target.dec.toFixed(3)}°)` : ''} · night ${fmtNights(p.nightFrom, p.nightTo)} · ${job.runIds.length} run(s) (${job.runIds.join(', ')})` +
      `${opts ? ` · ${opts}` : ''} · requested by ${job.requester.displayName ?? job.requester.userId}\n` +
      // "Reply" reads right in a chat thread and in a mail conversation alike.
      `Progress follows in this thread. Reply here with \`status\` for an update, or \`cancel\` to stop it.`
    );
  }

  private startRunner(jobId: string): void {
    if (this.active.has(jobId)) return;
    const job = this.d.store.getJob(jobId)!;
    const adapter = job.thread ? this.d.adapters.get(job.thread.adapter) : undefined;
    const thread = new JobThread(jobId, adapter, this.d.store, { editIntervalMs: this.d.loaded.config.bot.progress_edit_interval_s * 1000, log: this.d.log.child({ job: jobId }) });
    const source = jobTarget(job.params, this.d.loaded.sources);
    const controller = new AbortController();
    const runner = new JobRunner(jobId, {
      config: this.d.loaded.config,
      base: this.d.loaded.base,
      store: this.d.store,
      backend: this.d.backend,
      poller: this.poller,
      thread,
      log: this.d.log.child({ job: jobId }),
      analysis: this.d.analysis,
      resultsDir: this.d.resultsDir,
      cacheDir: this.d.cacheDir,
      source: source ?? { name: job.params.source, aliases: [], ra: NaN, dec: NaN },
      now: this.now,
    });
    const done = runner
      .run(controller.signal)
      .catch((e) => this.d.log.error({ err: e, job: jobId }, 'job runner crashed'))
      .finally(() => {
        this.active.delete(jobId);
        const final = this.d.store.getJob(jobId)!;
        if (isFinal(final.state)) this.emit('final', final);
      });
    this.active.set(jobId, { runner, controller, done });
  }

  /**
   * The cluster became unreachable (a failed poll, or the SSH connection reporting `down`): said once in every active
   * job's thread, then retried quietly. Reachable again: the next outage is reported again.
   */
  clusterReachable(reachable: boolean): void {
    if (reachable) {
      this.clusterDownReported = false;
      return;
    }
    if (this.clusterDownReported) return;
    this.clusterDownReported = true;
    for (const id of this.active.keys()) {
      this.d.store.addEvent(id, 'cluster_unreachable', 'the cluster did not answer; retrying');
      const job = this.d.store.getJob(id);
      const adapter = job?.thread ? this.d.adapters.get(job.thread.adapter) : undefined;
      if (job?.thread && adapter) void adapter.send(job.thread, { text: '⚠️ The cluster is not answering right now. I keep retrying quietly; nothing is lost.' }).catch(() => {});
    }
  }

  private onPollError(_e: Error | null, consecutive: number): void {
    if (consecutive === 0) this.clusterReachable(true);
    else if (consecutive === 1) this.clusterReachable(false);
  }
}
