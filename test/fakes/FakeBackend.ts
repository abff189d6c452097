import { ClusterUnavailableError, type ClusterBackend, type FileStat, type RepointChange, type StageStatus, type StageSubmission, type TaskEvent, type TaskRef, type TaskState } from '../../src/pipeline/ClusterBackend.js';

type FakeTask = { state: TaskState; ticks: number; exitCode?: number; reason?: string; whole: string[]; after: TaskRef[]; blockedPolls?: number };

/**
 * A scripted in-memory cluster for orchestrator tests: a virtual file system, tasks that go pending → running →
 * completed (writing their outputs) or failed (per `failures`), a submission log to prove nothing is submitted twice.
 * Dependencies behave as on Slurm: a task waits while what it depends on (`dependsOn` arrays, `taskDependsOn` tasks)
 * has not completed; when a parent failed it stays pending (DependencyNeverSatisfied) for `blockedGracePolls` polls,
 * in which `repoint` may give it new parents, then it is cancelled with that reason; a cancelled parent drops it at once.
 */
export class FakeBackend implements ClusterBackend {
  readonly name = 'fake';
  files = new Set<string>();
  /** Text of files readText() returns (a path here also counts as existing). */
  texts = new Map<string, string>();
  /** Scripted stat answers (size, mtime) per path; otherwise size = text length, mtime 0. */
  stats = new Map<string, FileStat>();
  submitted: StageSubmission[] = [];
  cancelled: string[] = [];
  removed: string[] = [];
  polls = 0;
  /** runId → how many more times its task fails (in whichever stage ends first). */
  failures = new Map<number, number>();
  /** `<stage>:<runId>` → how many more times that stage's task of the run fails. */
  stageFailures = new Map<string, number>();
  /** Polls a task blocked by a failed parent waits for a re-point before it is cancelled. */
  blockedGracePolls = 3;
  /** When true, every cluster call throws ClusterUnavailableError, as a real backend does during an outage. */
  down = false;
  private outage(): void {
    if (this.down) throw new ClusterUnavailableError('ssh: connect ECONNREFUSED cluster.example.org:22');
  }
  /** A failing task leaves its outputs behind, half written, as a crashing tool does without a staging folder. */
  partialOnFailure = false;
  /** Ticks a task spends running before it ends. */
  runTicks = 1;
  private subs = new Map<string, { sub: StageSubmission; tasks: FakeTask[] }>();
  private n = 0;

  async start() {}
  async stop() {}
  private has(p: string) {
    return this.files.has(p) || this.texts.has(p) || this.stats.has(p);
  }
  async exists(paths: string[]) {
    this.outage();
    return paths.map((p) => this.has(p));
  }
  async stat(paths: string[]) {
    return paths.map((p) => (this.stats.get(p) ?? (this.has(p) ? { size: this.texts.get(p)?.length ?? 0, mtimeMs: 0 } : null)));
  }
  async readText(paths: string[]) {
    return paths.map((p) => this.texts.get(p) ?? null);
  }
  async list(dir: string) {
    const pre = dir.replace(/\/+$/, '') + '/';
    const names = new Set<string>();
    for (const p of [...this.files, ...this.texts.keys(), ...this.stats.keys()]) if (p.startsWith(pre)) names.add(p.slice(pre.length).split('/')[0]);
    return names.size ? [...names].sort() : null;
  }
  async submit(sub: StageSubmission) {
    this.outage();
    const ref = `fake-${++this.n}`;
    this.submitted.push(sub);
    for (const r of [...(sub.dependsOn ?? []), ...(sub.taskDependsOn ?? []).flatMap((d) => d.on.map((o) => o.ref))]) if (!this.subs.has(r)) throw new Error(`fake: unknown dependency ${r}`);
    this.subs.set(ref, {
      sub,
      tasks: sub.tasks.map((t) => ({ state: 'pending' as TaskState, ticks: 0, whole: [...(sub.dependsOn ?? [])], after: (sub.taskDependsOn ?? []).filter((d) => d.index === t.index).flatMap((d) => d.on) })),
    });
    return ref;
  }
  async findSubmitted(jobId: string, stage: string, attempt: number) {
    this.outage();
    for (const [ref, s] of this.subs) if (s.sub.jobId === jobId && s.sub.stage === stage && s.sub.attempt === attempt) return ref;
    return undefined;
  }
  async poll(refs: string[]) {
    this.polls++;
    this.outage();
    const out = new Map<string, StageStatus>();
    for (const ref of refs) {
      const s = this.subs.get(ref);
      if (!s) continue;
      s.sub.tasks.forEach((t, i) => {
        const st = s.tasks[i];
        if (st.state === 'pending') {
          const deps = this.depState(st);
          if (deps === 'ready') {
            st.state = 'running';
            st.reason = undefined;
          } else if (deps === 'never' || (deps === 'blocked' && (st.blockedPolls = (st.blockedPolls ?? 0) + 1) > this.blockedGracePolls)) {
            st.state = 'cancelled';
            st.reason = 'DependencyNeverSatisfied';
          } else if (deps === 'blocked') st.reason = 'DependencyNeverSatisfied';
        } else if (st.state === 'running' && ++st.ticks >= this.runTicks) {
          const sk = `${s.sub.stage}:${t.runId}`;
          const left = (this.failures.get(t.runId) ?? 0) || (this.stageFailures.get(sk) ?? 0);
          if (left > 0) {
            if (this.failures.get(t.runId)) this.failures.set(t.runId, left - 1);
            else this.stageFailures.set(sk, left - 1);
            st.state = 'failed';
            st.exitCode = 3;
            st.reason = 'exit code 3';
            if (this.partialOnFailure) for (const o of t.outputs) this.files.add(o);
          } else {
            st.state = 'completed';
            for (const o of t.outputs) this.files.add(o);
          }
        }
      });
      const states = s.tasks.map((t) => t.state);
      const state: TaskState = states.every((x) => x === 'completed') ? 'completed' : states.includes('running') || states.includes('pending') ? 'running' : states.includes('failed') ? 'failed' : 'cancelled';
      out.set(ref, { ref, state, tasks: s.tasks.map((t, index) => ({ index, state: t.state, exitCode: t.exitCode, reason: t.reason })) });
    }
    return out;
  }
  async cancel(refs: string[]) {
    this.outage();
    this.cancelled.push(...refs);
    for (const r of refs) for (const t of this.subs.get(r)?.tasks ?? []) if (t.state === 'pending' || t.state === 'running') t.state = 'cancelled';
  }
  async cancelJob(jobId: string) {
    const refs = [...this.subs].filter(([, s]) => s.sub.jobId === jobId).map(([r]) => r);
    await this.cancel(refs);
    return refs;
  }
  /** What a pending task's parents say: all completed, one can never succeed, one failed (a retry may come), or wait. */
  private depState(t: FakeTask): 'ready' | 'never' | 'blocked' | 'waiting' {
    const states = [...t.whole.flatMap((r) => this.subs.get(r)?.tasks.map((x) => x.state) ?? ['cancelled' as TaskState]), ...t.after.map((a) => this.taskOf(a)?.state ?? 'cancelled')];
    if (states.includes('cancelled')) return 'never';
    if (states.includes('failed')) return 'blocked';
    return states.every((x) => x === 'completed') ? 'ready' : 'waiting';
  }
  private taskOf(a: TaskRef): FakeTask | undefined {
    const s = this.subs.get(a.ref);
    const k = s?.sub.tasks.findIndex((t) => t.index === a.index) ?? -1;
    return k >= 0 ? s!.tasks[k] : undefined;
  }
  repointed: RepointChange[] = [];
  /** As `scontrol update Dependency=`: the task's whole dependency is replaced (false when it is no longer pending). */
  async repoint(changes: RepointChange[]) {
    this.outage();
    return changes.map((c) => {
      const t = this.taskOf(c);
      if (!t || t.state !== 'pending') return false;
      t.whole = [];
      t.after = [...c.on];
      t.blockedPolls = 0;
      this.repointed.push(c);
      return true;
    });
  }
  /** No event files here: completions are seen by polling only. */
  onTaskEvent(_listener: (e: TaskEvent) => void) {
    return () => {};
  }
  /** What the environment probe of a submission with `probe` reports (null: it reports nothing). */
  probeReport: { exitCode: number; stdout: string } | null = { exitCode: 0, stdout: '0.10.5\n' };
  async probeOutputs(refs: string[]) {
    this.outage();
    return refs.map((r) => (this.subs.get(r)?.sub.probe ? this.probeReport : null));
  }
  async logTail(ref: string, index: number) {
    const t = this.subs.get(ref)?.sub.tasks[index];
    return `INFO starting run ${t?.runId}\nERROR reading /fefs/onsite/data/DL1/dl1_LST-1.Run0${t?.runId}.h5: truncated file\nTraceback (most recent call last):\nOSError: Unable to open file`;
  }
  async remove(paths: string[]) {
    this.removed.push(...paths);
    for (const p of paths) this.files.delete(p);
  }
  async fetch(paths: string[], _localDir: string) {
    this.outage();
    return paths;
  }
}
