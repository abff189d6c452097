/**
 * ChainRun: the stages of one job as a chain on the cluster (`pipeline.submission: chain`). Every stage's attempt is
 * submitted at once, each task waiting ON THE CLUSTER for what it needs (a per-run task for the same run's task of
 * the previous stage: `taskDependsOn`; a per-night task for the whole previous array: `dependsOn`), so no stage
 * switch waits for a poll. The runner's guarantees hold as in the stage-by-stage mode (JobRunner.ts header):
 *
 * - Each attempt is recorded `submitting` before its sbatch (JobRunner.submit), so a crash in between is adopted by
 *   name, never duplicated; after a restart the attempts still on the cluster are followed again, not resubmitted.
 * - An attempt's outcome is recorded (JobRunner.settle: backend state AND outputs) before anything counts, settled
 *   attempts are handled in stage order, and a stage is announced done only after every earlier stage.
 * - A failed task is retried (a new attempt of only the failed tasks, at most `pipeline.retries` more tries per task);
 *   its dependents still pending are re-pointed to the retry (`repoint`). A dependent that is no longer pending (the
 *   cluster dropped it as DependencyNeverSatisfied, or it ran on an input that is being redone) is submitted again
 *   once its parent is back on the cluster; such resubmissions do not use up the task's retries.
 * - A task whose parent can never succeed is cancelled by the backend after its grace period and comes back here as a
 *   cancelled task with that reason: it is either submitted again (its parent was retried) or the job fails with the
 *   parent's failure, and JobRunner removes the whole chain (`cancelJob`).
 */
import type { StageConfig } from '../pipeline/config.js';
import type { SubmissionRecord } from '../core/JobStore.js';
import type { StageStatus, StageSubmission, TaskRef } from '../pipeline/ClusterBackend.js';
import type { PlannedTask } from '../pipeline/PipelinePlan.js';
import { abortable } from '../util/sleep.js';
import * as say from './wording.js';

/** The backend's reason for a task dropped because what it waited for failed. */
export const DEPENDENCY_NEVER_SATISFIED = 'DependencyNeverSatisfied';
/** Recorded for a dependent that ran (or was dropped) while its input was being redone: it runs again. */
export const INPUT_REDONE = 'its input was redone';

/** A failure that uses up one of the task's retries (not a resubmission forced by its parent). */
export const countsAsFailure = (reason: string | undefined) => reason !== DEPENDENCY_NEVER_SATISFIED && reason !== INPUT_REDONE;

/** One task of a recorded attempt, as JobRunner records it. */
export interface ChainRecordedTask {
  index: number;
  runId: number;
  runIds: number[];
  outputs: string[];
  state?: string;
  reason?: string;
}

/** What the chain needs from its JobRunner (the same operations the stage-by-stage mode uses). */
export interface ChainHost {
  retries: number;
  bootId: string;
  subsOf(stage: string): SubmissionRecord[];
  submit(stage: StageConfig, tasks: PlannedTask[], attempt: number, signal: AbortSignal, deps: Pick<StageSubmission, 'dependsOn' | 'taskDependsOn'>): Promise<string>;
  settle(stage: string, attempt: number, ref: string, tasks: ChainRecordedTask[], status: StageStatus, signal: AbortSignal): Promise<{ task: ChainRecordedTask; reason: string }[]>;
  stageFailure(stage: string, sub: SubmissionRecord, signal: AbortSignal): Promise<Error>;
  watch(ref: string, onUpdate: (s: StageStatus) => void): Promise<StageStatus>;
  cluster<T>(f: () => Promise<T>, signal: AbortSignal): Promise<T>;
  remove(paths: string[]): Promise<void>;
  repoint(changes: { ref: string; index: number; on: TaskRef[] }[]): Promise<boolean[]>;
  post(key: string, text: string): void;
  progress(text: string): void;
  event(kind: string, message: string, data?: unknown): void;
  setStage(name: string | null): void;
  elapsed(): string;
  addRef(ref: string): void;
  dropRef(ref: string): void;
  /** Every stage but the last is done (its outputs recorded): the runner may prepare the analysis meanwhile. */
  lastStageRunning(): void;
}

type Loc = { kind: 'todo' } | { kind: 'done' } | { kind: 'flight'; ref: string; index: number };

interface ChainStage {
  /** Position in the configured pipeline (stage i/n in messages). */
  idx: number;
  stage: StageConfig;
  /** The tasks this job needs from the stage (plan indices). */
  tasks: PlannedTask[];
  loc: Map<string, Loc>;
  /** Dependents that could not be re-pointed: whatever their attempt says, they run again. */
  redo: Set<string>;
  /** An attempt recorded `submitting` but not found on the cluster: submitted again under the same number. */
  resubmit?: { attempt: number; keys: Set<string> };
}

interface Flight {
  cs: ChainStage;
  attempt: number;
  ref: string;
  /** Reindexed (0..k-1) as submitted. */
  tasks: PlannedTask[];
  status?: StageStatus;
  settled?: StageStatus;
}

const keyOf = (t: { runIds: number[] }) => t.runIds.join('+');

export class ChainRun {
  private readonly chain: ChainStage[] = [];
  private readonly flights = new Map<string, Flight>();
  private dirty = false;
  private wakeUp: (() => void) | null = null;
  private failure: Error | null = null;

  constructor(
    private readonly h: ChainHost,
    private readonly nStages: number,
  ) {}

  /**
   * Drive every stage with needed tasks to success. `needed[i]` are stage i's tasks the plan still needs; `have` says
   * whether an output exists (and is trusted).
   */
  async run(stages: { stage: StageConfig; needed: PlannedTask[]; all: PlannedTask[] }[], have: (path: string) => boolean, signal: AbortSignal): Promise<void> {
    this.build(stages, have);
    // A task whose tries ran out before a restart (its failure recorded, the job not yet failed): fail now.
    for (const cs of this.chain) {
      for (const [key, l] of cs.loc) {
        if (l.kind !== 'todo' || this.failures(cs, key) <= this.h.retries) continue;
        const sub = [...this.h.subsOf(cs.stage.name)].reverse().find((s) => tasksOf(s).some((x) => keyOf(x) === key))!;
        throw await this.h.stageFailure(cs.stage.name, sub, signal);
      }
    }
    for (;;) {
      await this.submitReady(signal);
      this.report();
      if (this.chain.every((cs) => [...cs.loc.values()].every((l) => l.kind === 'done'))) return;
      if (this.flights.size === 0) throw new Error('chain: tasks left to run but nothing on the cluster');
      await this.nextChange(signal);
      // Outcomes in stage order: a retry of an earlier stage is on the cluster before a later stage's dependents
      // (dropped while they waited for it) are submitted again.
      const settled = [...this.flights.values()].filter((f) => f.settled).sort((a, b) => a.cs.idx - b.cs.idx || a.attempt - b.attempt);
      for (const f of settled) await this.onSettled(f, signal);
    }
  }

  /**
   * Where every needed task stands, from the records (a fresh launch: all to do). Tasks this job already ran to success
   * (before a restart, or while the bot was away) are part of their stage too, done: the stage is announced as usual.
   */
  private build(stages: { stage: StageConfig; needed: PlannedTask[]; all: PlannedTask[] }[], have: (path: string) => boolean): void {
    stages.forEach(({ stage, needed, all }, idx) => {
      const subs = this.h.subsOf(stage.name);
      const ranHere = new Set(subs.flatMap((s) => tasksOf(s).filter((t) => t.state === 'completed').map(keyOf)));
      const tasks = all.filter((t) => needed.includes(t) || (ranHere.has(keyOf(t)) && t.outputs.every(have)));
      if (tasks.length === 0) return;
      const cs: ChainStage = { idx, stage, tasks, loc: new Map(), redo: new Set() };
      for (const t of tasks) {
        const key = keyOf(t);
        const rec = [...subs].reverse().find((s) => tasksOf(s).some((x) => keyOf(x) === key));
        const rt = rec && tasksOf(rec).find((x) => keyOf(x) === key)!;
        if (!rec || !rt) cs.loc.set(key, { kind: 'todo' });
        else if (rec.state === 'submitted' && rec.backendRef) {
          cs.loc.set(key, { kind: 'flight', ref: rec.backendRef, index: rt.index });
          this.adopt(cs, rec);
        } else if (rec.state === 'submitting') {
          cs.loc.set(key, { kind: 'todo' });
          cs.resubmit ??= { attempt: rec.attempt, keys: new Set() };
          if (cs.resubmit.attempt === rec.attempt) cs.resubmit.keys.add(key);
        } else if ((rec.state === 'completed' || rt.state === 'completed') && t.outputs.every(have)) cs.loc.set(key, { kind: 'done' });
        else cs.loc.set(key, { kind: 'todo' });
      }
      this.chain.push(cs);
    });
  }

  /** An attempt found on the cluster after a restart: followed again, never submitted twice. */
  private adopt(cs: ChainStage, rec: SubmissionRecord): void {
    const ref = rec.backendRef!;
    if (this.flights.has(ref)) return;
    const tasks = tasksOf(rec)
      .map((r) => {
        const t = cs.tasks.find((x) => keyOf(x) === keyOf(r));
        return t ? { ...t, index: r.index } : undefined;
      })
      .filter((t): t is PlannedTask => t !== undefined);
    this.h.event('resume', `resuming ${cs.stage.name} attempt ${rec.attempt} (${ref})`);
    this.h.post(`${cs.stage.name}/a${rec.attempt}/resumed/${this.h.bootId}`, say.stageResumed(cs.stage.name, rec.attempt, cs.idx, this.nStages));
    this.follow({ cs, attempt: rec.attempt, ref, tasks });
  }

  private follow(f: Flight): void {
    this.flights.set(f.ref, f);
    this.h.addRef(f.ref);
    this.h
      .watch(f.ref, (s) => {
        f.status = s;
        this.report();
      })
      .then(
        (s) => {
          f.settled = s;
          this.wake();
        },
        (e: Error) => {
          this.failure ??= e;
          this.wake();
        },
      );
  }

  private wake(): void {
    this.dirty = true;
    this.wakeUp?.();
  }

  private async nextChange(signal: AbortSignal): Promise<void> {
    if (!this.dirty) await abortable(new Promise<void>((r) => (this.wakeUp = r)), signal);
    this.wakeUp = null;
    this.dirty = false;
    if (this.failure) throw this.failure;
  }

  /** The chain stage whose tasks those of `cs` wait for (the nearest earlier one with needed tasks). */
  private prev(cs: ChainStage): ChainStage | undefined {
    const i = this.chain.indexOf(cs);
    return i > 0 ? this.chain[i - 1] : undefined;
  }

  private next(cs: ChainStage): ChainStage | undefined {
    return this.chain[this.chain.indexOf(cs) + 1];
  }

  /** The tasks `t` waits for: undefined while one of them is still to be submitted. */
  private parentsOf(cs: ChainStage, t: PlannedTask): TaskRef[] | undefined {
    const p = this.prev(cs);
    if (!p) return [];
    const out: TaskRef[] = [];
    for (const pt of p.tasks) {
      if (!pt.runIds.some((r) => t.runIds.includes(r))) continue;
      const l = p.loc.get(keyOf(pt))!;
      if (l.kind === 'todo') return undefined;
      if (l.kind === 'flight') out.push({ ref: l.ref, index: l.index });
    }
    return out;
  }

  /** Submit, in stage order, every task to do whose parents are on the cluster or done; re-point their dependents. */
  private async submitReady(signal: AbortSignal): Promise<void> {
    for (const cs of this.chain) {
      for (;;) {
        const todo = cs.tasks.filter((t) => cs.loc.get(keyOf(t))!.kind === 'todo' && this.parentsOf(cs, t) !== undefined);
        if (todo.length === 0) break;
        let batch = todo;
        let attempt = Math.max(0, ...this.h.subsOf(cs.stage.name).map((s) => s.attempt)) + 1;
        if (cs.resubmit) {
          // Recorded but never found on the cluster: the same attempt again (submit() looks by name once more).
          const keys = cs.resubmit.keys;
          batch = todo.filter((t) => keys.has(keyOf(t)));
          attempt = cs.resubmit.attempt;
          cs.resubmit = undefined;
          if (batch.length === 0) continue;
        }
        await this.submitBatch(cs, batch, attempt, signal);
      }
    }
  }

  private async submitBatch(cs: ChainStage, batch: PlannedTask[], attempt: number, signal: AbortSignal): Promise<void> {
    const tasks = batch.map((t, index) => ({ ...t, index }));
    const parents = tasks.map((t) => this.parentsOf(cs, t)!);
    const whole = [...new Set(parents.flat().map((p) => p.ref))];
    const perTask = tasks.map((t, i) => ({ index: t.index, on: parents[i] })).filter((d) => d.on.length > 0);
    // Per-night tasks wait for the whole previous array(s); per-run tasks for their own runs' tasks only.
    const deps: Pick<StageSubmission, 'dependsOn' | 'taskDependsOn'> = cs.stage.per === 'night' ? (whole.length ? { dependsOn: whole } : {}) : perTask.length ? { taskDependsOn: perTask } : {};
    const before = this.h.subsOf(cs.stage.name).filter((s) => s.attempt !== attempt);
    if (before.length) {
      // Tried before: whatever a failed try left goes before the tool runs again.
      await this.h.cluster(() => this.h.remove(tasks.flatMap((t) => t.outputs)), signal);
      this.announceRetry(cs, tasks, before, attempt);
    }
    const ref = await this.h.submit(cs.stage, tasks, attempt, signal, deps);
    for (const t of tasks) cs.loc.set(keyOf(t), { kind: 'flight', ref, index: t.index });
    this.follow({ cs, attempt, ref, tasks });
    await this.repointDependents(cs, tasks, signal);
  }

  /** Say why tasks are submitted again: a retry after their own failure, or a requeue after their parent's. */
  private announceRetry(cs: ChainStage, tasks: PlannedTask[], before: SubmissionRecord[], attempt: number): void {
    const last = (t: PlannedTask) => {
      const rec = [...before].reverse().find((s) => tasksOf(s).some((x) => keyOf(x) === keyOf(t)));
      return rec ? { rec, task: tasksOf(rec).find((x) => keyOf(x) === keyOf(t))! } : undefined;
    };
    const own = tasks.map((t) => ({ t, l: last(t) })).filter((x) => x.l && countsAsFailure(x.l.task.reason));
    const requeued = tasks.filter((t) => !own.some((o) => o.t === t) && last(t));
    if (own.length) {
      const first = own[0].l!;
      const tries = Math.max(...own.map((o) => this.failures(cs, keyOf(o.t)))) + 1;
      this.h.event('retry', `${cs.stage.name}: ${own.length} task(s) failed (${first.task.reason ?? 'failed'}); retrying`, { runs: own.map((o) => o.t.runId), attempt });
      this.h.post(`${cs.stage.name}/a${first.rec.attempt}/retry`, say.stageRetry(cs.stage.name, own.map((o) => o.t.runId), first.task.reason ?? 'failed', tries, this.h.retries + 1));
    }
    if (requeued.length) {
      this.h.event('requeue', `${cs.stage.name}: ${requeued.length} task(s) submitted again after their input was redone`, { runs: requeued.map((t) => t.runId), attempt });
      this.h.post(`${cs.stage.name}/a${attempt}/requeued`, say.stageRequeued(cs.stage.name, requeued.map((t) => t.runId), attempt));
    }
  }

  /** Dependents on the cluster of tasks just submitted again now wait for the new tasks. */
  private async repointDependents(cs: ChainStage, tasks: PlannedTask[], signal: AbortSignal): Promise<void> {
    const n = this.next(cs);
    if (!n) return;
    const runs = new Set(tasks.flatMap((t) => t.runIds));
    const changes: { key: string; ref: string; index: number; on: TaskRef[] }[] = [];
    for (const t of n.tasks) {
      const l = n.loc.get(keyOf(t))!;
      if (l.kind !== 'flight' || !t.runIds.some((r) => runs.has(r))) continue;
      const on = this.parentsOf(n, t);
      if (on === undefined) continue; // another parent is still to be submitted: re-pointed when it is
      changes.push({ key: keyOf(t), ref: l.ref, index: l.index, on });
    }
    if (changes.length === 0) return;
    const ok = await this.h.cluster(() => this.h.repoint(changes.map(({ ref, index, on }) => ({ ref, index, on }))), signal);
    changes.forEach((c, i) => {
      if (!ok[i]) n.redo.add(c.key);
    });
    const moved = changes.filter((_, i) => ok[i]).length;
    this.h.event('repointed', `${n.stage.name}: ${moved} waiting task(s) now wait for the new ${cs.stage.name} attempt${moved < changes.length ? `; ${changes.length - moved} no longer waiting, submitted again later` : ''}`);
  }

  /** Failures that used up a try of this task (recorded attempts). */
  private failures(cs: ChainStage, key: string): number {
    let n = 0;
    for (const s of this.h.subsOf(cs.stage.name)) {
      const t = tasksOf(s).find((x) => keyOf(x) === key);
      if (t && t.state !== undefined && t.state !== 'completed' && countsAsFailure(t.reason)) n++;
    }
    return n;
  }

  /** Record a settled attempt's outcome; failed tasks go back to "to do" (within their retries). */
  private async onSettled(f: Flight, signal: AbortSignal): Promise<void> {
    this.flights.delete(f.ref);
    this.h.dropRef(f.ref);
    const { cs } = f;
    let status = f.settled!;
    // A dependent that ran while its input was being redone counts as not done, whatever it reported.
    const stale = new Set(f.tasks.filter((t) => cs.redo.has(keyOf(t))).map((t) => t.index));
    if (stale.size) status = { ...status, tasks: status.tasks.map((t) => (stale.has(t.index) ? { index: t.index, state: 'cancelled', reason: INPUT_REDONE } : t)) };
    const recorded: ChainRecordedTask[] = f.tasks.map((t) => ({ index: t.index, runId: t.runId, runIds: t.runIds, outputs: t.outputs }));
    const bad = await this.h.settle(cs.stage.name, f.attempt, f.ref, recorded, status, signal);
    const badKeys = new Set(bad.map((b) => keyOf(b.task)));
    for (const t of f.tasks) {
      const key = keyOf(t);
      cs.redo.delete(key);
      const l = cs.loc.get(key);
      // Only the task's current place counts (an older attempt's outcome does not move a task submitted again).
      if (l?.kind !== 'flight' || l.ref !== f.ref) continue;
      cs.loc.set(key, { kind: badKeys.has(key) ? 'todo' : 'done' });
    }
    const own = bad.filter((b) => countsAsFailure(b.reason));
    this.h.event('attempt_settled', `${cs.stage.name} attempt ${f.attempt}: ${bad.length ? `${bad.length} task(s) not done (${bad[0].reason})` : 'all tasks succeeded'}`);
    if (own.some((b) => this.failures(cs, keyOf(b.task)) > this.h.retries)) {
      const sub = this.h.subsOf(cs.stage.name).find((s) => s.attempt === f.attempt)!;
      throw await this.h.stageFailure(cs.stage.name, sub, signal);
    }
  }

  /** Messages: ▶️ when a stage's first task runs, ✅ in stage order when all its tasks are done, one progress line. */
  private report(): void {
    let allBefore = true;
    const parts: { name: string; done: number; tasks: number; running: number }[] = [];
    let current: string | null = null;
    for (const cs of this.chain) {
      let done = 0;
      let running = 0;
      for (const t of cs.tasks) {
        const l = cs.loc.get(keyOf(t))!;
        if (l.kind === 'done') done++;
        else if (l.kind === 'flight') {
          const s = this.flights.get(l.ref)?.status?.tasks.find((x) => x.index === l.index)?.state;
          if (s === 'completed') done++;
          else if (s === 'running') running++;
        }
      }
      const allDone = [...cs.loc.values()].every((l) => l.kind === 'done');
      if (done + running > 0) this.once(`${cs.stage.name}/start`, () => say.stageStarted(cs.stage.name, cs.tasks.length, cs.idx, this.nStages));
      if (allDone && allBefore) {
        this.once(`${cs.stage.name}/done`, () => {
          this.h.event('stage_done', `${cs.stage.name} done (${cs.tasks.length} task(s))`);
          return say.stageDone(cs.stage.name, cs.tasks.length, this.h.elapsed());
        });
      } else current ??= cs.stage.name;
      allBefore &&= allDone;
      parts.push({ name: cs.stage.name, done, tasks: cs.tasks.length, running });
    }
    if (current !== this.currentStage) this.h.setStage((this.currentStage = current));
    if (this.chain.length > 1 && current === this.chain.at(-1)!.stage.name) this.h.lastStageRunning();
    if (current) this.h.progress(say.chainProgress(parts, this.h.elapsed()));
  }

  private currentStage: string | null | undefined;
  private readonly posted = new Set<string>();

  /** Post under a stable key once per run (the outbox dedupes across restarts too). */
  private once(key: string, text: () => string): void {
    if (this.posted.has(key)) return;
    this.posted.add(key);
    this.h.post(key, text());
  }
}

function tasksOf(s: SubmissionRecord): ChainRecordedTask[] {
  return ((s.detail as { tasks?: ChainRecordedTask[] } | null)?.tasks ?? []) as ChainRecordedTask[];
}
