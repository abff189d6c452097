import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { Adapter, Identity, InboundMessage } from '../core/types.js';
import type { JobControl, LaunchedBy, RunInfo } from '../core/services.js';
import type { JobRecord, JobStore, LaunchParams } from '../core/JobStore.js';
import { isFinal } from '../core/JobStore.js';
import type { ClusterBackend } from '../pipeline/ClusterBackend.js';
import type { LoadedFile } from '../config/loadConfigFile.js';
import type { OrchestratorConfig } from './config.js';
import type { Logger } from '../log.js';
import type { OutboxStore } from '../core/Outbox.js';
import type { SourceEntry } from '../config/SourceCatalog.js';
import { ClusterUnavailableError } from '../pipeline/ClusterBackend.js';
import { JobRunner } from './JobRunner.js';
import type { AnalysisStep } from './JobAnalysis.js';
import { JobThread } from './JobThread.js';
import { Poller } from './Poller.js';
import { OutboxDeliverer } from './OutboxDeliverer.js';
import type { JobRoutes } from './JobRoutes.js';
import { OutageNotice } from './OutageNotice.js';
import { newErrorId, UserFacingError } from '../core/errors.js';
import { jobTarget } from '../core/jobTarget.js';
import { describeJob, noThreadProblem, rootText } from './wording.js';

export interface OrchestratorDeps {
  loaded: LoadedFile<OrchestratorConfig>;
  store: JobStore & OutboxStore;
  backend: ClusterBackend;
  adapters: Map<string, Adapter>;
  log: Logger;
  analysis: AnalysisStep;
  resultsDir: string;
  cacheDir: string;
  /** The job's other routes, for outage notices (src/orchestrator/JobRoutes.ts). */
  routes?: JobRoutes;
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
  /** Delivers everything jobs say (src/core/Outbox.ts); others may enqueue into the store and `kick()` it. */
  readonly deliverer: OutboxDeliverer;
  private readonly now: () => Date;
  /** Aborted when the bot stops: runners waiting for a delivery stop waiting (the outbox keeps the message). */
  private readonly stopping = new AbortController();
  private readonly bootId = randomBytes(3).toString('hex');

  constructor(private readonly d: OrchestratorDeps) {
    super();
    this.now = d.now ?? (() => new Date());
    this.poller = new Poller(d.backend, d.loaded.config.bot.poll_interval_s * 1000, d.log, (e, n) => this.onPollError(e, n));
    const delivery = d.loaded.config.bot.delivery;
    this.deliverer = new OutboxDeliverer({
      store: d.store,
      adapters: d.adapters,
      log: d.log.child({ part: 'outbox' }),
      policy: {
        retryInitialMs: delivery.retry_initial_s * 1000,
        retryMaxMs: delivery.retry_max_s * 1000,
        patienceMs: delivery.patience_s * 1000,
        outageNoticeMs: delivery.outage_notice_s * 1000,
      },
      admins: d.loaded.config.bot.admins,
      routes: d.routes,
      now: this.now,
    });
  }

  /**
   * Deliver what the outbox still holds, then resume every unfinished job (after a restart nothing is lost, nothing is
   * submitted or posted twice). A job left without a thread (its thread could not be opened) is failed, not run silently.
   */
  async start(): Promise<void> {
    this.deliverer.kick();
    const unfinished = this.d.store.listJobs({ active: true }).reverse();
    for (const job of unfinished) {
      if (!job.thread) {
        const id = newErrorId();
        this.d.log.error({ job: job.id, errorId: id }, 'unfinished job has no thread: failing it instead of running it unseen');
        this.d.store.updateJob(job.id, { state: 'failed', error: { id, message: noThreadProblem(id).message } });
        this.d.store.addEvent(job.id, 'failed', 'no thread to report to', { errorId: id });
        continue;
      }
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
    this.stopping.abort();
    this.poller.stop();
    await Promise.allSettled([...this.active.values()].map((a) => a.done));
    // Let a delivery under way finish (bounded: a hung platform must not hold the shutdown; the outbox keeps it).
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.deliverer.idle(), new Promise((r) => (timer = setTimeout(r, 5000)))]);
    clearTimeout(timer);
    this.deliverer.stop();
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

  /**
   * `by`: the launcher's person and Slurm charge, as the launch command resolved them. Without it (standing orders)
   * the job has no owner and runs under the backend's default account.
   */
  async launch(params: LaunchParams, runs: RunInfo[], request: InboundMessage, source?: SourceEntry, by?: LaunchedBy): Promise<JobRecord> {
    const adapter = this.d.adapters.get(request.identity.adapter);
    if (!adapter) throw new Error(`no adapter named ${request.identity.adapter}`);
    // The launch command resolved the source (or ToO target) and the runs' nights already; resolve here only for other callers.
    const src = source ?? jobTarget(params, this.d.loaded.sources);
    if (!src) throw new UserFacingError(`Unknown source ${params.source}.`);
    // The launch command gives each run's night in params.runNights; other callers (the watcher) only give the runs.
    const runNights = params.runNights ?? Object.fromEntries(runs.map((r) => [String(r.runId), r.night]));
    // The request id is recorded with the job (one transaction): the same request handled again after a crash
    // (an e-mail still unread, a redelivered event) finds this job instead of launching a second one.
    const requestKey = `${request.identity.adapter}:${request.id}`;
    const existing = this.d.store.findJobByRequest(requestKey);
    if (existing) {
      this.d.log.info({ job: existing.id, requestKey }, 'request already launched a job; not launching again');
      if (!existing.thread) this.d.store.updateJob(existing.id, { thread: (await adapter.openThread(request, { text: rootText(existing) }, existing.id)).thread });
      if (!isFinal(existing.state)) this.startRunner(existing.id);
      return this.d.store.getJob(existing.id)!;
    }
    const job = this.d.store.createJob({
      params: { ...params, source: src.name, runNights },
      requester: request.identity,
      owner: by?.owner ?? null,
      charge: by?.charge ?? null,
      runIds: runs.map((r) => r.runId).sort((a, b) => a - b),
      requestKey,
    });
    const person = by?.owner ? ` (people.${by.owner.person})` : '';
    this.d.store.addEvent(job.id, 'created', `launched by ${request.identity.adapter}:${request.identity.userId}${person}`, { params, charge: by?.charge ?? null });
    let thread;
    try {
      ({ thread } = await adapter.openThread(request, { text: rootText(job) }, job.id));
    } catch (e) {
      // Without a thread nobody would hear of this job: it does not start, and the launcher is told why.
      const id = newErrorId();
      const w = noThreadProblem(id);
      this.d.log.error({ err: e, job: job.id, errorId: id }, 'could not open the job thread');
      this.d.store.updateJob(job.id, { state: 'failed', error: { id, message: w.message } });
      this.d.store.addEvent(job.id, 'failed', 'could not open a thread', { errorId: id });
      throw new UserFacingError(w.message, w.hint);
    }
    this.d.store.updateJob(job.id, { thread });
    this.emit('launched', this.d.store.getJob(job.id)!, request);
    this.startRunner(job.id, src);
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
    const outage = OutageNotice.current(this.d.store, job.id);
    return describeJob(job, this.now(), this.d.store.events(job.id, 3), isFinal(job.state) ? null : outage);
  }

  private startRunner(jobId: string, resolved?: SourceEntry): void {
    if (this.active.has(jobId)) return;
    const job = this.d.store.getJob(jobId)!;
    const adapter = job.thread ? this.d.adapters.get(job.thread.adapter) : undefined;
    const log = this.d.log.child({ job: jobId });
    const thread = new JobThread(jobId, adapter, this.d.store, this.deliverer, { editIntervalMs: this.d.loaded.config.bot.progress_edit_interval_s * 1000, log });
    // The stored canonical name (or ToO target) resolves again after a restart; a source since removed keeps its name.
    const source = resolved ?? jobTarget(job.params, this.d.loaded.sources) ?? { name: job.params.source, aliases: [], ra: NaN, dec: NaN };
    const controller = new AbortController();
    const runner = new JobRunner(jobId, {
      config: this.d.loaded.config,
      base: this.d.loaded.base,
      store: this.d.store,
      backend: this.d.backend,
      poller: this.poller,
      thread,
      log,
      analysis: this.d.analysis,
      resultsDir: this.d.resultsDir,
      cacheDir: this.d.cacheDir,
      source,
      now: this.now,
      stopSignal: this.stopping.signal,
      bootId: this.bootId,
      deliverer: this.deliverer,
      configFile: this.d.loaded.file,
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
   * The cluster connection reported a change. Only `down` is acted on (every active job pauses and its user is told
   * once); "back" is said when a cluster call really succeeds again, not when SSH merely reconnects (slurmctld may
   * still be down).
   */
  clusterReachable(reachable: boolean): void {
    if (reachable) return;
    for (const a of this.active.values()) a.runner.clusterReachable(false);
  }

  private onPollError(e: Error | null, consecutive: number): void {
    if (consecutive === 0) {
      for (const a of this.active.values()) a.runner.clusterReachable(true);
      return;
    }
    // Only an outage pauses jobs; any other poll failure is logged by the poller and retried.
    if (e instanceof ClusterUnavailableError) for (const a of this.active.values()) a.runner.clusterReachable(false);
  }
}
