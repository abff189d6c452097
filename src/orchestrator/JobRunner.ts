/**
 * JobRunner: drives one job from its current state to done / failed / cancelled. Safe to call again after a restart
 * (and after a SIGKILL at any point): it decides from what the store recorded and what the cluster says, never from
 * whether a file exists alone.
 *
 * ## The stage / attempt model
 * - A job runs the configured stages in order (`pipeline.stages`). A stage runs as one or more ATTEMPTS; attempt n is
 *   exactly ONE backend submission (a Slurm array) of the stage's tasks that still need doing, recorded as a
 *   SubmissionRecord (job, stage, attempt) whose `state` goes
 *     `submitting` (recorded BEFORE sbatch) → `submitted` (Slurm id recorded) → `completed` | `failed` | `cancelled`.
 *   `detail.tasks` lists the tasks (array index, run ids, outputs) and, once settled, each task's own outcome.
 * - A task succeeded only when the backend says so (Slurm state COMPLETED with exit code 0) AND its outputs exist.
 *   Outputs are written under a temporary name and renamed on success by the job script (see
 *   src/pipeline/slurm/jobScript.ts, `{out_dir}`), so a partial file never carries the final name.
 * - Outputs of a task whose latest attempt did not succeed are not trusted, even if a file of that name exists: the
 *   task runs again (a new attempt; at most `pipeline.retries` more), after its outputs were removed.
 * - Before deciding anything, `reconcile()` asks the backend about every attempt still recorded as in flight: one that
 *   reached the cluster before a crash is found by its Slurm job name and adopted, never submitted twice.
 * - `pipeline.submission` says how stages reach the cluster. `chain` (the default): every stage's attempt 1 is
 *   submitted at launch, each task waiting on the cluster for its parents (ChainRun.ts); the same records, settled by
 *   `settle()` in stage order, retries re-point the waiting dependents. `stage_by_stage`: a stage is submitted when
 *   the previous one succeeded (runStage below), for clusters that forbid dependencies.
 *
 * ## What the user hears
 * Every message goes through the outbox (JobThread → OutboxDeliverer) under a stable key, so a step repeated after a
 * restart never posts twice. The job is finished for its user only when its final message (summary, failure or
 * cancel notice) was delivered: the final state is stored after that. The wording lives in wording.ts.
 */
import { basename } from 'node:path';
import type { StageConfig } from '../pipeline/config.js';
import type { RunnerConfig } from './config.js';
import type { SourceEntry } from '../config/SourceCatalog.js';
import { ClusterUnavailableError, type ClusterBackend, type StageStatus, type StageSubmission, type TaskState } from '../pipeline/ClusterBackend.js';
import type { JobRecord, JobState, JobStore, SubmissionRecord } from '../core/JobStore.js';
import type { OutboxItem, OutboxStore } from '../core/Outbox.js';
import type { Logger } from '../log.js';
import type { OutboundMessage } from '../core/types.js';
import { planStages, neededWork, pathsToCheck, stageSubmission, type PlannedTask, type StagePlan, type PlanSubject } from '../pipeline/PipelinePlan.js';
import { isSettled, type Poller } from './Poller.js';
import type { JobThread } from './JobThread.js';
import type { OutboxDeliverer } from './OutboxDeliverer.js';
import { OutageNotice } from './OutageNotice.js';
import { withOfficialPaths } from '../pipeline/officialPaths.js';
import { InputReadiness, dl1WaitWords, type InputStatus } from '../pipeline/InputReadiness.js';
import { newErrorId, UserFacingError } from '../core/errors.js';
import { abortable, AbortedError, ShutdownError, sleep } from '../util/sleep.js';
import { sanitizeForChat, tail } from '../util/sanitize.js';
import { crashPoint } from '../util/crashPoint.js';
import { fmtDuration } from './format.js';
import { clusterJobKey } from './clusterJobKey.js';
import { ChainRun, type ChainHost } from './ChainRun.js';
import { JobAnalysis, type AnalysisStep } from './JobAnalysis.js';
import { requesterTag } from '../people/requesterTag.js';
import * as say from './wording.js';

export { reasonAdvice } from './wording.js';

export interface RunnerDeps {
  config: RunnerConfig;
  base: string;
  store: JobStore & OutboxStore;
  backend: ClusterBackend;
  poller: Poller;
  thread: JobThread;
  log: Logger;
  analysis: AnalysisStep;
  resultsDir: string;
  cacheDir: string;
  /** The job's source, resolved once by the orchestrator. */
  source: SourceEntry;
  now: () => Date;
  /** Aborted only when the bot stops (the run's own signal is also aborted by `cancel`). */
  stopSignal: AbortSignal;
  /** Different on every start of the bot: keys the "resumed after a restart" note. */
  bootId: string;
  deliverer: OutboxDeliverer;
  /** The config file, for the provenance block's sha256 (site). */
  configFile?: string;
}

/** A stage that ended with failed tasks after all retries. */
export class StageFailure extends Error {
  constructor(
    readonly stage: string,
    readonly runIds: number[],
    readonly reason: string,
    readonly logTail: string,
    readonly attempts: number,
  ) {
    super(`stage ${stage} failed for run(s) ${runIds.join(', ')}: ${reason}`);
    this.name = 'StageFailure';
  }
}

/** One task of an attempt as recorded; `state`/`reason` once the attempt settled. */
interface RecordedTask {
  index: number;
  runId: number;
  runIds: number[];
  outputs: string[];
  state?: TaskState;
  reason?: string;
}
interface SubmissionDetail {
  tasks: RecordedTask[];
}

const IN_FLIGHT = new Set(['submitting', 'submitted']);
const FINAL_ROLE = 'final:';
const taskKey = (t: { runIds: number[] }) => t.runIds.join('+');

export class JobRunner {
  private readonly activeRefs = new Set<string>();
  private readonly startedAt: number;
  /** DL1 completeness (site: pipeline.dl1_complete); keeps its observations for the life of this runner. */
  private readonly readiness: InputReadiness;
  readonly outage: OutageNotice;
  /** The end of the job: DL3 copies, analysis (ahead of the last stage where it can), provenance. */
  private readonly analysis: JobAnalysis;

  constructor(
    private readonly jobId: string,
    private readonly d: RunnerDeps,
  ) {
    this.startedAt = Date.parse(d.store.getJob(jobId)!.createdAt);
    this.readiness = new InputReadiness(d.config, d.base, d.backend, () => d.now().getTime());
    const patienceMs = d.config.pipeline.outage_patience_s * 1000;
    this.outage = new OutageNotice(jobId, d.store, d.thread, patienceMs, d.now, d.log);
    this.analysis = new JobAnalysis(d, {
      jobId,
      job: () => this.job,
      clusterKey: () => this.clusterKey,
      planSubject: () => this.planSubject(),
      cluster: (f, signal) => this.cluster(f, signal),
      event: (kind, message, data) => this.event(kind, message, data),
    });
  }

  /** The cluster answered or failed outside this runner's own calls (the shared poller): pause or resume the notice. */
  clusterReachable(up: boolean): void {
    if (up) this.outage.up();
    else this.outage.down();
  }

  /** Set before aborting for a shutdown, so the abort pauses the job instead of cancelling it. */
  shuttingDown = false;

  get refs(): string[] {
    return [...this.activeRefs];
  }

  /** The job's name on the cluster: unique across databases (see clusterJobKey). */
  private get clusterKey(): string {
    return clusterJobKey(this.d.store, this.jobId);
  }

  private get job(): JobRecord {
    return this.d.store.getJob(this.jobId)!;
  }

  private event(kind: string, message: string, data?: unknown): void {
    this.d.store.addEvent(this.jobId, kind, message, data);
    this.d.log.info({ job: this.jobId, kind, data }, message);
  }

  private elapsed(): string {
    return fmtDuration((this.d.now().getTime() - this.startedAt) / 1000);
  }

  private subject(): PlanSubject {
    const j = this.job;
    return {
      source: this.d.source.name,
      ra: this.d.source.ra,
      dec: this.d.source.dec,
      runs: j.runIds.map((runId) => ({ runId, night: j.params.runNights?.[String(runId)] ?? j.params.nightFrom, decLine: j.params.runDecLines?.[String(runId)]?.line })),
    };
  }

  /** The subject with each run's official products found on the cluster (site: official_paths). */
  private planSubject(): Promise<PlanSubject> {
    return withOfficialPaths(this.d.config, this.d.base, this.subject(), this.d.backend);
  }

  private async plans(): Promise<StagePlan[]> {
    return planStages(this.d.config, this.d.base, await this.planSubject(), { stagingTag: this.clusterKey });
  }

  /**
   * Run a cluster operation, waiting out outages: while the cluster does not answer the job is paused (the user is
   * told once), and the operation is tried again with back-off until it answers or the job is cancelled/stopped.
   */
  private async cluster<T>(f: () => Promise<T>, signal: AbortSignal): Promise<T> {
    let delay = 1000;
    for (;;) {
      if (signal.aborted) throw new AbortedError();
      try {
        const r = await f();
        this.outage.up();
        return r;
      } catch (e) {
        if (!(e instanceof ClusterUnavailableError)) throw e;
        this.outage.down();
        await sleep(delay, signal);
        delay = Math.min(delay * 2, 30_000);
      }
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    const { store } = this.d;
    try {
      // A final message already recorded (the bot stopped while delivering it): deliver it, and that is all.
      const fin = this.finalItem();
      if (fin) return await this.awaitFinal(fin);
      if (this.job.cancelRequestedBy) throw new AbortedError();
      await this.reconcile(signal);
      let plans = await this.plans();
      let work = await this.work(plans, signal);
      // DL1 counts only when complete (pipeline.dl1_complete), not as soon as it exists.
      const inputs = await this.cluster(() => this.readiness.assess(work), signal);
      if (inputs.missing.length || inputs.writing.length) {
        plans = await this.waitForInputs(plans, inputs, signal);
        work = await this.work(plans, signal);
      }

      if (this.job.params.dry_run) {
        const text = say.dryRunPlan(plans.map((p, i) => ({ name: p.stage.name, runs: work.needed[i].map((t) => t.runIds) })));
        await this.finish('done', { text }, { result: { dry_run: true } }, 'dry run finished');
        return;
      }

      const ran = work.needed.reduce((a, t) => a + t.length, 0);
      if (ran === 0 && !store.submissions(this.jobId).length) {
        this.event('skip', 'all products exist; only the analysis runs');
        this.d.thread.post('skip', { text: say.allProductsExist(this.job.runIds.length) });
      }
      if (this.chainMode) {
        const chain = new ChainRun(this.chainHost(plans, signal), plans.length);
        await chain.run(plans.map((p, i) => ({ stage: p.stage, needed: work.needed[i], all: p.tasks })), work.have, signal);
      } else {
        for (let i = 0; i < plans.length; i++) {
          if (work.needed[i].length === 0) continue;
          // Every earlier stage is done: the analysis need not wait for the last one (the index) to start.
          if (i === plans.length - 1 && i > 0) this.analysis.prepare(plans[i].tasks.flatMap((t) => t.outputs), signal);
          await this.runStage(plans[i].stage, work.needed[i], plans[i].tasks, i, plans.length, signal);
        }
      }
      await this.runAnalysis(signal);
    } catch (e) {
      await this.handleEnd(e);
    } finally {
      this.d.thread.flush();
      this.d.thread.dispose();
      this.analysis.discard();
    }
  }

  // --- truth from outcomes ---

  private subsOf(stage: string): SubmissionRecord[] {
    return this.d.store.submissions(this.jobId).filter((s) => s.stage === stage).sort((a, b) => a.attempt - b.attempt);
  }

  /**
   * Settle every attempt recorded as in flight with the backend before anything is decided: one submitted before a
   * crash but not recorded is found by name and adopted; one that ended while the bot was down gets its outcome.
   * Attempts still running stay `submitted` and are followed again by runStage.
   */
  private async reconcile(signal: AbortSignal): Promise<void> {
    for (const s of this.d.store.submissions(this.jobId)) {
      if (!IN_FLIGHT.has(s.state)) continue;
      const ref = s.backendRef ?? (await this.cluster(() => this.d.backend.findSubmitted(this.clusterKey, s.stage, s.attempt), signal));
      if (!ref) continue; // never reached the cluster: runStage submits this attempt (after looking once more)
      if (!s.backendRef) {
        this.d.store.putSubmission({ ...s, backendRef: ref, state: 'submitted' });
        this.event('adopted', `${s.stage} attempt ${s.attempt} found on the cluster as ${ref} and adopted`, { ref });
      }
      const status = (await this.cluster(() => this.d.backend.poll([ref]), signal)).get(ref);
      if (status && isSettled(status)) {
        const tasks = (s.detail as SubmissionDetail).tasks;
        const bad = await this.settle(s.stage, s.attempt, ref, tasks, status, signal);
        this.event('reconciled', `${s.stage} attempt ${s.attempt} ended while ASTRAN was away: ${bad.length ? `${bad.length} task(s) failed` : 'all tasks succeeded'}`);
      }
    }
  }

  /**
   * Outputs that must not be used although a file may exist: those of tasks whose latest attempt did not succeed
   * (failed, cancelled, or still in flight).
   */
  private untrustedOutputs(): Set<string> {
    const latest = new Map<string, RecordedTask & { ok: boolean }>();
    const subs = [...this.d.store.submissions(this.jobId)].sort((a, b) => a.attempt - b.attempt);
    for (const s of subs) {
      for (const t of (s.detail as SubmissionDetail | null)?.tasks ?? []) {
        const ok = s.state === 'completed' || (t.state === 'completed' && s.state === 'failed');
        latest.set(`${s.stage} ${taskKey(t)}`, { ...t, ok });
      }
    }
    return new Set([...latest.values()].filter((t) => !t.ok).flatMap((t) => t.outputs));
  }

  /** One exists() call for every path of the plan, then the backwards needed-work decision. */
  private async work(plans: StagePlan[], signal: AbortSignal) {
    const paths = pathsToCheck(plans);
    const flags = await this.cluster(() => this.d.backend.exists(paths), signal);
    const untrusted = this.untrustedOutputs();
    const have = new Set(paths.filter((p, i) => flags[i] && !untrusted.has(p)));
    return { ...neededWork(plans, (p) => have.has(p), this.job.params.force === true), have: (p: string) => have.has(p) };
  }

  private get chainMode(): boolean {
    return this.d.config.pipeline.submission === 'chain';
  }

  /** What the chain (ChainRun) does through this runner: the same records, settling and messages as runStage. */
  private chainHost(plans: StagePlan[], signal: AbortSignal): ChainHost {
    const { store, backend, thread, poller } = this.d;
    return {
      retries: this.d.config.pipeline.retries,
      bootId: this.d.bootId,
      subsOf: (stage) => this.subsOf(stage),
      submit: (stage, tasks, attempt, signal, deps) => this.submit(stage, tasks, attempt, signal, deps),
      settle: (stage, attempt, ref, tasks, status, signal) => this.settle(stage, attempt, ref, tasks as RecordedTask[], status, signal),
      stageFailure: (stage, sub, signal) => this.stageFailure(stage, sub, signal),
      watch: (ref, onUpdate) => poller.watch(ref, onUpdate),
      cluster: (f, signal) => this.cluster(f, signal),
      remove: (paths) => backend.remove(paths),
      repoint: (changes) => backend.repoint(changes),
      post: (key, text) => void thread.post(key, { text }),
      progress: (text) => thread.progress(text),
      event: (kind, message, data) => this.event(kind, message, data),
      setStage: (stage) => store.updateJob(this.jobId, { state: 'running', stage }),
      elapsed: () => this.elapsed(),
      addRef: (ref) => this.activeRefs.add(ref),
      dropRef: (ref) => this.activeRefs.delete(ref),
      lastStageRunning: () => this.analysis.prepare(plans.at(-1)!.tasks.flatMap((t) => t.outputs), signal),
    };
  }

  /**
   * Record the outcome of a settled attempt, task by task: a task counts only when the backend says it completed AND
   * its outputs exist. Returns the tasks that did not succeed.
   */
  private async settle(stage: string, attempt: number, ref: string, tasks: RecordedTask[], status: StageStatus, signal: AbortSignal) {
    const bad: { task: RecordedTask; reason: string }[] = [];
    for (const t of tasks) {
      const s = status.tasks.find((x) => x.index === t.index);
      const state = s?.state ?? status.state;
      if (state !== 'completed')
        bad.push({ task: t, reason: s?.reason ?? (status.tasks.length === 0 ? 'the cluster lost track of this job' : state === 'cancelled' ? 'cancelled on the cluster' : state) });
    }
    const done = tasks.filter((t) => !bad.some((b) => b.task === t));
    const outs = done.flatMap((t) => t.outputs);
    const flags = outs.length ? await this.cluster(() => this.d.backend.exists(outs), signal) : [];
    const have = new Set(outs.filter((_, i) => flags[i]));
    for (const t of done) {
      const missing = t.outputs.filter((o) => !have.has(o));
      if (missing.length) bad.push({ task: t, reason: say.noOutputReason(missing.map((m) => basename(m))) });
    }
    const recorded: RecordedTask[] = tasks.map((t) => {
      const b = bad.find((x) => x.task === t);
      return { index: t.index, runId: t.runId, runIds: t.runIds, outputs: t.outputs, state: b ? 'failed' : 'completed', ...(b ? { reason: b.reason } : {}) };
    });
    this.d.store.putSubmission({ jobId: this.jobId, stage, attempt, backendRef: ref, state: bad.length ? 'failed' : 'completed', detail: { tasks: recorded } });
    return bad.sort((a, b) => a.task.index - b.task.index);
  }

  /** `first`: where the runs' inputs stood at the caller's check (site: InputReadiness). */
  private async waitForInputs(plans: StagePlan[], first: InputStatus, signal: AbortSignal): Promise<StagePlan[]> {
    const cfg = this.d.config.pipeline.dl1_wait;
    const deadline = this.startedAt + cfg.deadline_s * 1000;
    const total = this.job.runIds.length;
    this.d.store.updateJob(this.jobId, { state: 'waiting_inputs', stage: null });
    let status = first;
    const notReady = () => [...status.missing, ...status.writing].sort((a, b) => a - b);
    const state = () => dl1WaitWords(status, this.job.runIds.length, this.readiness.rule);
    const until = `${new Date(deadline).toISOString().slice(11, 16)} UTC`;
    this.event('waiting_inputs', `waiting for DL1 of run(s) ${notReady().join(', ')}`, { missing: status.missing, writing: status.writing });
    this.d.thread.post('dl1/waiting', { text: say.waitingForDl1(state(), cfg.interval_s, until, Math.max(0, (deadline - this.d.now().getTime()) / 1000), cfg.on_deadline) });
    while (notReady().length && this.d.now().getTime() < deadline) {
      this.d.thread.progress(say.waitingForDl1Progress(state(), until, this.elapsed()));
      await sleep(Math.min(cfg.interval_s * 1000, Math.max(50, deadline - this.d.now().getTime())), signal);
      const work = await this.work(plans, signal);
      status = await this.cluster(() => this.readiness.assess(work), signal);
    }
    const missing = notReady();
    if (!missing.length) {
      this.event('inputs_ready', 'all inputs complete');
      if (total) this.d.thread.post('dl1/ready', { text: say.dl1Present(total) });
      return plans;
    }
    if (cfg.on_deadline === 'fail' || missing.length === total) {
      const w = say.dl1NeverArrived(missing, Number((cfg.deadline_s / 3600).toFixed(2)));
      throw new UserFacingError(w.message, w.hint);
    }
    const keep = this.job.runIds.filter((r) => !missing.includes(r));
    this.d.store.updateJob(this.jobId, { runIds: keep });
    this.event('proceed_partial', `deadline reached; proceeding without run(s) ${missing.join(', ')}`, { missing });
    this.d.thread.post('dl1/partial', { text: say.proceedingWithout(missing, keep.length) });
    return await this.plans();
  }

  private async runStage(stage: StageConfig, planned: PlannedTask[], allTasks: PlannedTask[], stageIdx: number, nStages: number, signal: AbortSignal): Promise<void> {
    const { store, backend } = this.d;
    const subs = this.subsOf(stage.name);
    const last = subs.at(-1);
    const maxAttempt = (subs[0]?.attempt ?? 1) + this.d.config.pipeline.retries;
    const fromPlan = (ts: { runIds: number[] }[]) =>
      ts.map((t) => allTasks.find((x) => taskKey(x) === taskKey(t))).filter((t): t is PlannedTask => t !== undefined);
    // Array indices are always 0..k-1 in a submission (Slurm picks the task's input by SLURM_ARRAY_TASK_ID).
    const reindex = (ts: PlannedTask[]) => ts.map((t, i) => ({ ...t, index: i }));
    let tasks: PlannedTask[];
    let attempt: number;
    let ref: string | undefined;
    store.updateJob(this.jobId, { state: 'running', stage: stage.name });

    if (last?.state === 'submitted' && last.backendRef) {
      // Still on the cluster after a restart (reconcile found it unsettled): follow it, never submit it again.
      attempt = last.attempt;
      ref = last.backendRef;
      const rec = (last.detail as SubmissionDetail).tasks;
      tasks = fromPlan(rec).map((t) => ({ ...t, index: rec.find((r) => taskKey(r) === taskKey(t))!.index }));
      this.event('resume', `resuming ${stage.name} attempt ${attempt} (${ref})`);
      this.d.thread.post(`${stage.name}/a${attempt}/resumed/${this.d.bootId}`, { text: say.stageResumed(stage.name, attempt, stageIdx, nStages) });
    } else if (last?.state === 'submitting') {
      // Recorded but not found on the cluster: submit this same attempt (submit() looks by name once more first).
      attempt = last.attempt;
      tasks = fromPlan((last.detail as SubmissionDetail).tasks).map((t, i) => ({ ...t, index: i }));
      // Attempt 1 was announced with ▶️ (the same key: posted at most once); a later attempt by its retry note.
      if (attempt === 1) this.d.thread.post(`${stage.name}/start`, { text: say.stageStarted(stage.name, tasks.length, stageIdx, nStages) });
    } else if (last?.state === 'failed') {
      // The previous attempt failed (seen now or before a restart): retry its failed tasks, within the budget.
      // `planned` holds them: their outputs are untrusted, so the plan needs them again.
      const failedTasks = (last.detail as SubmissionDetail).tasks.filter((t) => t.state !== 'completed');
      if (last.attempt >= maxAttempt) throw await this.stageFailure(stage.name, last, signal);
      tasks = reindex(planned);
      attempt = last.attempt + 1;
      await this.cluster(() => backend.remove(tasks.flatMap((t) => t.outputs)), signal);
      const reason = failedTasks[0]?.reason ?? 'failed';
      this.d.thread.post(`${stage.name}/a${last.attempt}/retry`, { text: say.stageRetry(stage.name, tasks.map((t) => t.runId), reason, attempt, maxAttempt) });
    } else {
      attempt = (last?.attempt ?? 0) + 1;
      tasks = reindex(planned);
      this.d.thread.post(attempt === 1 ? `${stage.name}/start` : `${stage.name}/a${attempt}/start`, { text: say.stageStarted(stage.name, tasks.length, stageIdx, nStages) });
    }

    for (;;) {
      if (!ref) ref = await this.submit(stage, tasks, attempt, signal);
      this.activeRefs.add(ref);
      const total = this.job.runIds.length;
      const status = await abortable(
        this.d.poller.watch(ref, (s) => {
          const done = s.tasks.filter((t) => t.state === 'completed').length;
          const running = s.tasks.filter((t) => t.state === 'running').length;
          this.d.thread.progress(say.stageProgress(stage.name, stageIdx, nStages, done, tasks.length, running, total, attempt, this.elapsed()));
        }),
        signal,
      );
      this.activeRefs.delete(ref);
      const recorded: RecordedTask[] = tasks.map((t) => ({ index: t.index, runId: t.runId, runIds: t.runIds, outputs: t.outputs }));
      const bad = await this.settle(stage.name, attempt, ref, recorded, status, signal);
      if (!bad.length) {
        this.event('stage_done', `${stage.name} done (${tasks.length} task(s), attempt ${attempt})`);
        this.d.thread.post(`${stage.name}/a${attempt}/done`, { text: say.stageDone(stage.name, tasks.length, this.elapsed()) });
        return;
      }
      if (attempt >= maxAttempt) throw await this.stageFailure(stage.name, this.subsOf(stage.name).at(-1)!, signal);
      const retry = reindex(fromPlan(bad.map((b) => b.task)));
      await this.cluster(() => backend.remove(retry.flatMap((t) => t.outputs)), signal);
      this.event('retry', `${stage.name}: ${retry.length} task(s) failed (${bad[0].reason}); retrying`, { runs: retry.map((t) => t.runId) });
      this.d.thread.post(`${stage.name}/a${attempt}/retry`, { text: say.stageRetry(stage.name, retry.map((t) => t.runId), bad[0].reason, attempt + 1, maxAttempt) });
      tasks = retry;
      attempt++;
      ref = undefined;
    }
  }

  private async stageFailure(stage: string, sub: SubmissionRecord, signal: AbortSignal): Promise<StageFailure> {
    const bad = (sub.detail as SubmissionDetail).tasks.filter((t) => t.state !== 'completed');
    const first = bad[0];
    const logText = first && sub.backendRef ? await this.cluster(() => this.d.backend.logTail(sub.backendRef!, first.index, 40), signal).catch(() => '') : '';
    return new StageFailure(stage, bad.map((b) => b.runId), first?.reason ?? 'failed', logText, sub.attempt);
  }

  private putSub(stage: string, attempt: number, ref: string | null, state: string, tasks: PlannedTask[]): SubmissionRecord {
    const detail: SubmissionDetail = { tasks: tasks.map((t) => ({ index: t.index, runId: t.runId, runIds: t.runIds, outputs: t.outputs })) };
    return this.d.store.putSubmission({ jobId: this.jobId, stage, attempt, backendRef: ref, state, detail });
  }

  private async submit(stage: StageConfig, tasks: PlannedTask[], attempt: number, signal: AbortSignal, deps: Pick<StageSubmission, 'dependsOn' | 'taskDependsOn'> = {}): Promise<string> {
    // Record the intent first: after a crash between sbatch and the next record, findSubmitted() finds the job by name.
    // Looking by name costs a round trip, so it is done only where the job may be there: an attempt recorded before
    // (resumed after a restart) or a try after a failed one (the outage may have come after sbatch).
    let mayExist = this.subsOf(stage.name).some((s) => s.attempt === attempt);
    this.putSub(stage.name, attempt, null, 'submitting', tasks);
    const ref = await this.cluster(async () => {
      const existing = mayExist ? await this.d.backend.findSubmitted(this.clusterKey, stage.name, attempt) : undefined;
      mayExist = true;
      if (existing) {
        this.event('adopted', `${stage.name} attempt ${attempt} found on the cluster as ${existing} and adopted`, { ref: existing });
        return existing;
      }
      // Charged to the requester's Slurm account (resolved at launch), the comment naming them.
      const job = this.d.store.getJob(this.jobId)!;
      return this.d.backend.submit({
        ...stageSubmission(this.clusterKey, stage, tasks, attempt, this.d.config.pipeline.setup, this.d.config.pipeline.version_probe?.command, { requester: requesterTag(job), charge: job.charge }),
        ...deps,
      });
    }, signal);
    crashPoint('after_sbatch', stage.name);
    this.putSub(stage.name, attempt, ref, 'submitted', tasks);
    this.event('submitted', `${stage.name} attempt ${attempt} submitted as ${ref}`, { ref, tasks: tasks.length, ...(deps.dependsOn || deps.taskDependsOn ? { deps } : {}) });
    return ref;
  }

  private async runAnalysis(signal: AbortSignal): Promise<void> {
    this.d.store.updateJob(this.jobId, { state: 'analysis', stage: null });
    this.d.thread.progress(say.analysisProgress(this.elapsed()));
    const outcome = await this.analysis.run(signal);
    this.d.thread.progress(say.doneProgress(this.elapsed()));
    await this.finish('done', outcome.message, { result: outcome.summary }, 'analysis done');
  }

  // --- the end: recorded, delivered, then final ---

  private finalItem(): OutboxItem | undefined {
    return this.d.store.outboxOfJob(this.jobId).find((i) => i.role?.startsWith(FINAL_ROLE));
  }

  /**
   * Record the job's last message (with the result or error already stored), wait until it is delivered (or its
   * retries ran out and it was reported elsewhere), and only then store the final state.
   */
  private async finish(state: 'done' | 'failed' | 'cancelled', message: OutboundMessage, patch: Parameters<JobStore['updateJob']>[1], what: string): Promise<void> {
    this.d.store.updateJob(this.jobId, { ...patch, stage: null });
    this.event(`${state}_recorded`, `${what}; final message recorded`);
    const item = this.d.thread.post('final', message, FINAL_ROLE + state);
    if (!item) {
      this.d.store.updateJob(this.jobId, { state, finishedAt: this.d.now().toISOString() });
      return;
    }
    await this.awaitFinal(item);
  }

  private async awaitFinal(item: OutboxItem): Promise<void> {
    let settled: OutboxItem;
    try {
      settled = await abortable(this.d.deliverer.settled(item.key), this.d.stopSignal);
    } catch (e) {
      if (e instanceof AbortedError) {
        this.event('paused', 'bot stopping before the final message was delivered; it is delivered on the next start');
        return;
      }
      throw e;
    }
    const state = (settled.role ?? '').slice(FINAL_ROLE.length) as JobState;
    if (settled.state === 'failed') this.event('final_undelivered', `the final message could not be delivered (${settled.fallback ? `reported to ${settled.fallback}` : 'logged only'})`);
    this.d.store.updateJob(this.jobId, { state, stage: null, finishedAt: this.d.now().toISOString() });
    this.event(state, `job ${state}; final message ${settled.state}`);
  }

  /**
   * Cancel these refs on the cluster and, in chain mode, everything submitted for the job (found by name: stages
   * queued behind them included). Waits out an outage unless the bot stops; false when it could not be done.
   */
  private async removeFromCluster(refs: Set<string>): Promise<boolean> {
    if (refs.size === 0 && !this.chainMode) return true;
    const stop = new AbortController();
    const onStop = () => stop.abort();
    if (this.d.stopSignal.aborted) stop.abort();
    this.d.stopSignal.addEventListener('abort', onStop, { once: true });
    try {
      await this.cluster(async () => {
        // The whole chain by name (stages this process never knew included), then any known ref it did not name.
        const byName = this.chainMode ? await this.d.backend.cancelJob(this.clusterKey) : [];
        const rest = [...refs].filter((r) => !byName.includes(r));
        if (rest.length) await this.d.backend.cancel(rest);
        for (const r of byName) refs.add(r);
      }, stop.signal);
      return true;
    } catch (err) {
      this.d.log.error({ err, job: this.jobId }, 'cancel on the backend failed');
      return false;
    } finally {
      this.d.stopSignal.removeEventListener('abort', onStop);
    }
  }

  /** Turn any ending other than success into a final state and a message in the thread. */
  private async handleEnd(e: unknown): Promise<void> {
    const { store } = this.d;
    const job = this.job;
    if (e instanceof ShutdownError || (e instanceof AbortedError && (this.shuttingDown || this.d.stopSignal.aborted))) {
      this.event('paused', 'bot stopping; the job resumes on the next start');
      return;
    }
    if (e instanceof AbortedError || job.cancelRequestedBy) {
      const refs = new Set([...this.activeRefs, ...store.submissions(this.jobId).filter((s) => IN_FLIGHT.has(s.state) && s.backendRef).map((s) => s.backendRef!)]);
      // An attempt recorded as submitting may have reached the cluster: find it by name so it is not orphaned.
      for (const s of store.submissions(this.jobId).filter((x) => x.state === 'submitting' && !x.backendRef)) {
        const found = await this.d.backend.findSubmitted(this.clusterKey, s.stage, s.attempt).catch(() => undefined);
        if (found) refs.add(found);
      }
      const cancelled = await this.removeFromCluster(refs);
      if (!cancelled) {
        this.event('paused', 'bot stopping before the cluster jobs could be cancelled; cancelling on the next start');
        return;
      }
      for (const s of store.submissions(this.jobId)) if (IN_FLIGHT.has(s.state)) store.putSubmission({ ...s, state: 'cancelled' });
      this.d.thread.progress(say.cancelledProgress(this.elapsed()));
      await this.finish('cancelled', { text: say.cancelled(this.jobId, job.cancelRequestedBy, refs.size > 0) }, {}, `cancelled by ${job.cancelRequestedBy ?? 'shutdown'}`);
      return;
    }
    const id = newErrorId();
    // A chain still queued behind the failure: take it off the cluster (nothing is left pending).
    const chainLeft = this.chainMode ? new Set([...this.activeRefs, ...store.submissions(this.jobId).filter((s) => IN_FLIGHT.has(s.state) && s.backendRef).map((s) => s.backendRef!)]) : new Set<string>();
    const removed = chainLeft.size > 0 && (await this.removeFromCluster(chainLeft));
    if (removed) {
      for (const s of store.submissions(this.jobId)) if (IN_FLIGHT.has(s.state)) store.putSubmission({ ...s, state: 'cancelled' });
      this.event('chain_cancelled', `the rest of the chain was cancelled on the cluster (${[...chainLeft].join(', ')})`);
    }
    let message: string;
    let detail: string | undefined;
    let next: string;
    if (e instanceof StageFailure) {
      message = say.stageFailed(e.stage, e.runIds, e.reason, e.attempts);
      detail = e.logTail ? sanitizeForChat(tail(e.logTail, 40)) : undefined;
      next = say.reasonAdvice(e.reason);
    } else if (e instanceof UserFacingError) {
      message = e.message;
      next = e.hint ?? 'Fix the problem above and launch again.';
    } else {
      ({ message, next } = say.internalError(id));
    }
    if (removed) message = `${message} ${say.chainRemoved()}`;
    this.d.log.error({ err: e, job: this.jobId, errorId: id }, 'job failed');
    this.d.thread.progress(say.failedProgress(this.elapsed()));
    const text = say.failed(this.jobId, message, detail, next, say.relaunchCommand(job.params), id);
    await this.finish('failed', { text }, { error: { id, message, detail } }, message);
  }
}
