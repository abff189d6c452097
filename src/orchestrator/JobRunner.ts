import { mkdirSync } from 'node:fs';
import { resolve } from "node:path";
import type { AstranConfig } from '../config/schema.js';
import type { SourceEntry } from '../config/SourceCatalog.js';
import type { ClusterBackend, StageStatus } from '../pipeline/ClusterBackend.js';
import type { JobRecord, JobStore, SubmissionRecord } from '../core/JobStore.js';
import type { Logger } from '../log.js';
import type { OutboundMessage } from '../core/types.js';
import { planStages, neededWork, pathsToCheck, dl3Paths, type PlannedTask, type StagePlan, type PlanSubject } from '../pipeline/PipelinePlan.js';
import type { StageConfig } from '../config/schema.js';
import { Poller } from './Poller.js';
import { JobThread } from './JobThread.js';
import { newErrorId, UserFacingError } from '../core/errors.js';
import { abortable, AbortedError, ShutdownError, sleep } from '../util/sleep.js';
import { sanitizeForChat, tail } from '../util/sanitize.js';
import { fmtDuration } from './format.js';
import { clusterJobKey } from './clusterJobKey.js';

/** What the analysis step returns: the final thread message (summary + images) and a JSON summary for the store. */
export interface AnalysisOutcome {
  message: OutboundMessage;
  summary: unknown;
}
export type AnalysisStep = (job: JobRecord, source: SourceEntry, files: string[], outDir: string, signal: AbortSignal) => Promise<AnalysisOutcome>;

export interface RunnerDeps {
  config: AstranConfig;
  base: string;
  store: JobStore;
  backend: ClusterBackend;
  poller: Poller;
  thread: JobThread;
  log: Logger;
  analysis: AnalysisStep;
  resultsDir: string;
  cacheDir: string;
  source: SourceEntry;
  now: () => Date;
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

interface SubmissionDetail {
  tasks: { index: number; runId: number; runIds: number[]; outputs: string[] }[];
}

const ACTIVE_SUB = new Set(['submitting', 'submitted']);

/** Drives one job from its current state to done/failed/cancelled. Safe to call again after a restart. */
export class JobRunner {
  private readonly activeRefs = new Set<string>();
  private readonly startedAt: number;

  constructor(
    private readonly jobId: string,
    private readonly d: RunnerDeps,
  ) {
    this.startedAt = Date.parse(d.store.getJob(jobId)!.createdAt);
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
      runs: j.runIds.map((runId) => ({ runId, night: j.params.runNights?.[String(runId)] ?? j.params.nightFrom })),
    };
  }

  async run(signal: AbortSignal): Promise<void> {
    const { store } = this.d;
    try {
      if (this.job.cancelRequestedBy) throw new AbortedError();
      let plans = planStages(this.d.config, this.d.base, this.subject());
      let work = await this.work(plans);

      if (work.missingInputs.length) {
        plans = await this.waitForInputs(plans, work.missingInputs, signal);
        work = await this.work(plans);
      }

      if (this.job.params.dry_run) {
        await this.postDryRun(plans, work.needed);
        store.updateJob(this.jobId, { state: 'done', stage: null, finishedAt: this.d.now().toISOString(), result: { dry_run: true } });
        this.event('done', 'dry run finished');
        return;
      }

      const ran = work.needed.reduce((a, t) => a + t.length, 0);
      if (ran === 0) {
        this.event('skip', 'all products exist; only the analysis runs');
        await this.d.thread.post({ text: `All DL3 files exist for the ${this.job.runIds.length} run(s): going straight to the analysis.` });
      }
      for (let i = 0; i < plans.length; i++) {
        if (work.needed[i].length === 0) continue;
        await this.runStage(plans[i].stage, work.needed[i], plans[i].tasks, i, plans.length, signal);
      }
      await this.runAnalysis(signal);
    } catch (e) {
      await this.handleEnd(e);
    } finally {
      await this.d.thread.flush();
      this.d.thread.dispose();
    }
  }

  /** One exists() call for every path of the plan, then the backwards needed-work decision. */
  private async work(plans: StagePlan[]) {
    const paths = pathsToCheck(plans);
    const flags = await this.d.backend.exists(paths);
    const have = new Set(paths.filter((_, i) => flags[i]));
    return neededWork(plans, (p) => have.has(p), this.job.params.force === true);
  }

  /** `missingNow`: the runs whose inputs the caller's existence check just found absent (not checked again here). */
  private async waitForInputs(plans: StagePlan[], missingNow: number[], signal: AbortSignal): Promise<StagePlan[]> {
    const cfg = this.d.config.pipeline.dl1_wait;
    const deadline = this.startedAt + cfg.deadline_s * 1000;
    const total = this.job.runIds.length;
    this.d.store.updateJob(this.jobId, { state: 'waiting_inputs', stage: null });
    let missing = missingNow;
    if (missing.length) {
      this.event('waiting_inputs', `waiting for DL1 of run(s) ${missing.join(', ')}`, { missing });
      await this.d.thread.post({ text: `⏳ Waiting for DL1: ${total - missing.length}/${total} runs present (missing: ${missing.join(', ')}). I check again every ${fmtDuration(cfg.interval_s)}.` });
    }
    while (missing.length && this.d.now().getTime() < deadline) {
      this.d.thread.progress(`⏳ waiting for DL1: ${total - missing.length}/${total} runs present · elapsed ${this.elapsed()}`);
      await sleep(Math.min(cfg.interval_s * 1000, Math.max(50, deadline - this.d.now().getTime())), signal);
      missing = (await this.work(plans)).missingInputs;
    }
    if (!missing.length) {
      this.event('inputs_ready', 'all inputs present');
      if (total) await this.d.thread.post({ text: `✅ DL1 present for all ${total} runs.` });
      return plans;
    }
    if (cfg.on_deadline === 'fail' || missing.length === total) {
      throw new UserFacingError(
        `DL1 never arrived for run(s) ${missing.join(', ')} (waited until the ${Number((cfg.deadline_s / 3600).toFixed(2))} h deadline).`,
        'Check that the night was processed (DL1 production), then launch again.',
      );
    }
    const keep = this.job.runIds.filter((r) => !missing.includes(r));
    this.d.store.updateJob(this.jobId, { runIds: keep });
    this.event('proceed_partial', `deadline reached; proceeding without run(s) ${missing.join(', ')}`, { missing });
    await this.d.thread.post({ text: `⚠️ DL1 still missing for run(s) ${missing.join(', ')} at the deadline: proceeding with the ${keep.length} run(s) present.` });
    return planStages(this.d.config, this.d.base, this.subject());
  }

  private async postDryRun(plans: StagePlan[], needed: PlannedTask[][]): Promise<void> {
    const lines = plans.map((p, i) => {
      const n = needed[i].length;
      return `• ${p.stage.name}: ${n ? `${n} task(s) (run${n > 1 ? 's' : ''} ${needed[i].map((t) => t.runIds.join('+')).join(', ')})` : 'skipped, outputs exist'}`;
    });
    await this.d.thread.post({ text: ['🧪 Dry run: nothing was submitted. Plan:', ...lines, '• analysis: θ², Li & Ma, skymap on the DL3 files'].join('\n') });
  }

  private async runStage(stage: StageConfig, planned: PlannedTask[], allTasks: PlannedTask[], stageIdx: number, nStages: number, signal: AbortSignal): Promise<void> {
    const { store, backend } = this.d;
    const subs = store.submissions(this.jobId).filter((s) => s.stage === stage.name).sort((a, b) => a.attempt - b.attempt);
    const last = subs[subs.length - 1];
    // Array indices are always 0..k-1 in the submission (Slurm picks the task's input by SLURM_ARRAY_TASK_ID).
    let tasks: PlannedTask[] = planned.map((t, i) => ({ ...t, index: i }));
    let attempt: number;
    let ref: string | undefined;
    if (last && ACTIVE_SUB.has(last.state)) {
      // Resume after a restart: never submit the same attempt twice. Keep the indices as submitted.
      attempt = last.attempt;
      const detail = last.detail as SubmissionDetail;
      ref = last.backendRef ?? (await backend.findSubmitted(this.clusterKey, stage.name, attempt));
      const resumed = detail.tasks
        .map((t) => {
          const p = allTasks.find((x) => x.runId === t.runId && x.runIds.join() === t.runIds.join());
          return p ? { ...p, index: t.index } : undefined;
        })
        .filter((t): t is PlannedTask => t !== undefined);
      if (ref) {
        tasks = resumed;
        this.event('resume', `resuming ${stage.name} attempt ${attempt} (${ref})`);
      } else if (planned.length === 0) return;
    } else {
      attempt = (last?.attempt ?? 0) + 1;
    }
    const maxAttempt = (subs[0]?.attempt ?? attempt) + this.d.config.pipeline.retries;
    store.updateJob(this.jobId, { state: 'running', stage: stage.name });
    if (!ref) await this.d.thread.post({ text: `▶️ ${stage.name}: ${tasks.length} task(s) (stage ${stageIdx + 1}/${nStages}).` });

    for (;;) {
      if (!ref) ref = await this.submit(stage, tasks, attempt);
      this.activeRefs.add(ref);
      const total = this.job.runIds.length;
      const status = await abortable(
        this.d.poller.watch(ref, (s) => {
          const done = s.tasks.filter((t) => t.state === 'completed').length;
          const running = s.tasks.filter((t) => t.state === 'running').length;
          this.d.thread.progress(
            `⚙️ ${stage.name} (stage ${stageIdx + 1}/${nStages}) · ${done}/${tasks.length} tasks done, ${running} running · ${total} runs · attempt ${attempt} · elapsed ${this.elapsed()}`,
          );
        }),
        signal,
      );
      this.activeRefs.delete(ref);
      const failed = this.failedTasks(status, tasks);
      const missingOut = failed.length ? [] : await this.tasksWithoutOutputs(tasks);
      const bad = [...failed, ...missingOut.map((t) => ({ task: t, reason: 'finished but wrote no output', index: tasks.indexOf(t) }))];
      this.putSub(stage.name, attempt, ref, bad.length ? 'failed' : 'completed', tasks);
      if (!bad.length) {
        this.event('stage_done', `${stage.name} done (${tasks.length} task(s), attempt ${attempt})`);
        await this.d.thread.post({ text: `✅ ${stage.name} done: ${tasks.length} task(s) · elapsed ${this.elapsed()}.` });
        return;
      }
      const first = bad[0];
      const logText = await backend.logTail(ref, first.index, 40).catch((e) => `(log unavailable: ${(e as Error).message})`);
      if (attempt >= maxAttempt) {
        throw new StageFailure(stage.name, bad.map((b) => b.task.runId), first.reason, logText, attempt);
      }
      const retry = bad.map((b) => b.task);
      await backend.remove(retry.flatMap((t) => t.outputs));
      this.event('retry', `${stage.name}: ${retry.length} task(s) failed (${first.reason}); retrying`, { runs: retry.map((t) => t.runId) });
      await this.d.thread.post({
        text: `🔁 ${stage.name}: ${retry.length} task(s) failed (run ${retry.map((t) => t.runId).join(', ')}: ${first.reason}). Partial outputs removed; retrying (attempt ${attempt + 1}/${maxAttempt}).`,
      });
      tasks = retry.map((t, i) => ({ ...t, index: i }));
      attempt++;
      ref = undefined;
    }
  }

  private failedTasks(status: StageStatus, tasks: PlannedTask[]) {
    const out: { task: PlannedTask; reason: string; index: number }[] = [];
    for (const t of tasks) {
      const s = status.tasks.find((x) => x.index === t.index);
      const state = s?.state ?? status.state;
      if (state !== 'completed')
        out.push({
          task: t,
          reason: s?.reason ?? (status.tasks.length === 0 ? 'the cluster lost track of this job' : state === 'cancelled' ? 'cancelled on the cluster' : state),
          index: t.index,
        });
    }
    return out;
  }

  private async tasksWithoutOutputs(tasks: PlannedTask[]): Promise<PlannedTask[]> {
    const outs = tasks.flatMap((t) => t.outputs);
    const flags = await this.d.backend.exists(outs);
    const have = new Set(outs.filter((_, i) => flags[i]));
    return tasks.filter((t) => t.outputs.some((o) => !have.has(o)));
  }

  private putSub(stage: string, attempt: number, ref: string | null, state: string, tasks: PlannedTask[]): SubmissionRecord {
    const detail: SubmissionDetail = { tasks: tasks.map((t) => ({ index: t.index, runId: t.runId, runIds: t.runIds, outputs: t.outputs })) };
    return this.d.store.putSubmission({ jobId: this.jobId, stage, attempt, backendRef: ref, state, detail });
  }

  private async submit(stage: StageConfig, tasks: PlannedTask[], attempt: number): Promise<string> {
    // Record the intent first: after a crash between sbatch and this record, findSubmitted() finds the job by name.
    this.putSub(stage.name, attempt, null, 'submitting', tasks);
    const existing = await this.d.backend.findSubmitted(this.clusterKey, stage.name, attempt);
    const ref =
      existing ??
      (await this.d.backend.submit({
        jobId: this.clusterKey,
        stage: stage.name,
        attempt,
        tasks: tasks.map((t) => ({ index: t.index, runId: t.runId, argv: t.argv, inputs: t.inputs, outputs: t.outputs })),
        setup: this.d.config.pipeline.setup,
        maxParallel: stage.max_parallel,
        mkdirs: [...new Set(tasks.flatMap((t) => t.mkdirs))],
        time: stage.time,
        mem: stage.memory,
      }));
    this.putSub(stage.name, attempt, ref, 'submitted', tasks);
    this.event('submitted', `${stage.name} attempt ${attempt} submitted as ${ref}`, { ref, tasks: tasks.length });
    return ref;
  }

  private async runAnalysis(signal: AbortSignal): Promise<void> {
    const { store } = this.d;
    store.updateJob(this.jobId, { state: 'analysis', stage: null });
    this.d.thread.progress(`📊 analysis: θ², Li & Ma, skymap · elapsed ${this.elapsed()}`);
    const remote = dl3Paths(this.d.config, this.d.base, this.subject());
    const cache = resolve(this.d.cacheDir, this.jobId);
    mkdirSync(cache, { recursive: true });
    const files = await this.d.backend.fetch(remote, cache);
    const outDir = resolve(this.d.resultsDir, this.jobId);
    mkdirSync(outDir, { recursive: true });
    const outcome = await this.d.analysis(this.job, this.d.source, files, outDir, signal);
    store.updateJob(this.jobId, { state: 'done', stage: null, finishedAt: this.d.now().toISOString(), result: outcome.summary });
    this.event('done', 'analysis done', outcome.summary);
    this.d.thread.progress(`✅ done · elapsed ${this.elapsed()}`);
    await this.d.thread.post(outcome.message);
  }

  /** Turn any ending other than success into a final state and a message in the thread. */
  private async handleEnd(e: unknown): Promise<void> {
    const { store } = this.d;
    const job = this.job;
    if (e instanceof ShutdownError || (e instanceof AbortedError && this.shuttingDown)) {
      this.event('paused', 'bot stopping; the job resumes on the next start');
      return;
    }
    if (e instanceof AbortedError || job.cancelRequestedBy) {
      const refs = [...this.activeRefs, ...store.submissions(this.jobId).filter((s) => ACTIVE_SUB.has(s.state) && s.backendRef).map((s) => s.backendRef!)];
      if (refs.length) await this.d.backend.cancel([...new Set(refs)]).catch((err) => this.d.log.error({ err, job: this.jobId }, 'cancel on the backend failed'));
      for (const s of store.submissions(this.jobId)) if (ACTIVE_SUB.has(s.state)) store.putSubmission({ ...s, state: 'cancelled' });
      store.updateJob(this.jobId, { state: 'cancelled', stage: null, finishedAt: this.d.now().toISOString() });
      this.event('cancelled', `cancelled by ${job.cancelRequestedBy ?? 'shutdown'}`);
      this.d.thread.progress(`🛑 cancelled · elapsed ${this.elapsed()}`);
      await this.d.thread.post({ text: `🛑 ${this.jobId} cancelled${job.cancelRequestedBy ? ` by ${job.cancelRequestedBy}` : ''}. ${refs.length ? 'Its cluster jobs were cancelled.' : ''}`.trim() });
      return;
    }
    const id = newErrorId();
    let message: string;
    let detail: string | undefined;
    let next: string;
    if (e instanceof StageFailure) {
      message = `Stage ${e.stage} failed for run(s) ${e.runIds.join(', ')}: ${e.reason} (after ${e.attempts} attempt${e.attempts > 1 ? 's' : ''}).`;
      detail = sanitizeForChat(tail(e.logTail, 40));
      next = reasonAdvice(e.reason);
    } else if (e instanceof UserFacingError) {
      message = e.message;
      next = e.hint ?? 'Fix the problem above and launch again.';
    } else {
      message = 'An internal error stopped this job.';
      next = `An ASTRAN admin can look it up in the logs under ${id}.`;
    }
    this.d.log.error({ err: e, job: this.jobId, errorId: id }, 'job failed');
    store.updateJob(this.jobId, { state: 'failed', finishedAt: this.d.now().toISOString(), error: { id, message, detail } });
    this.event('failed', message, { errorId: id });
    this.d.thread.progress(`❌ failed · elapsed ${this.elapsed()}`);
    const p = job.params;
    const relaunch = `launch source="${p.source}" date=${p.nightFrom === p.nightTo ? p.nightFrom : `${p.nightFrom}..${p.nightTo}`} force=yes`;
    await this.d.thread.post({
      text: [`❌ ${this.jobId} failed: ${message}`, detail ? `Last lines of the log:\n\`\`\`\n${detail}\n\`\`\`` : '', `What to do: ${next} To retry: \`${relaunch}\`. Error id: ${id}.`]
        .filter(Boolean)
        .join('\n'),
    });
  }
}

/** Plain-words advice per failure reason. */
export function reasonAdvice(reason: string): string {
  const r = reason.toUpperCase();
  if (r.includes('TIMEOUT')) return 'The task hit its time limit: raise `time` for this stage in the config, or split the night.';
  if (r.includes('OUT_OF_MEMORY') || r.includes('OOM')) return 'The task ran out of memory: raise `mem` for this stage in the config.';
  if (r.includes('NODE_FAIL')) return 'A cluster node failed: this is usually transient, relaunching is safe.';
  if (r.includes('DEPENDENCY')) return 'A stage it depended on failed; fix that one first.';
  return 'Read the log lines above for the cause; if the input is broken, fix or exclude that run (`runs=`) and relaunch.';
}

