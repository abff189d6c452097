import { ClusterUnavailableError, type ClusterBackend, type FileStat, type RepointChange, type StageStatus, type StageSubmission, type TaskEvent, type TaskState } from '../../src/pipeline/ClusterBackend.js';

/**
 * A scripted in-memory cluster for orchestrator tests: a virtual file system, tasks that go pending → running →
 * completed (writing their outputs) or failed (per `failures`), a submission log to prove nothing is submitted twice.
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
  /** runId → how many more times its task fails. */
  failures = new Map<number, number>();
  /** When true, every cluster call throws ClusterUnavailableError, as a real backend does during an outage. */
  down = false;
  private outage(): void {
    if (this.down) throw new ClusterUnavailableError('ssh: connect ECONNREFUSED cluster.example.org:22');
  }
  /** A failing task leaves its outputs behind, half written, as a crashing tool does without a staging folder. */
  partialOnFailure = false;
  /** Ticks a task spends running before it ends. */
  runTicks = 1;
  private subs = new Map<string, { sub: StageSubmission; tasks: { state: TaskState; ticks: number; exitCode?: number; reason?: string }[] }>();
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
    this.subs.set(ref, { sub, tasks: sub.tasks.map(() => ({ state: 'pending' as TaskState, ticks: 0 })) });
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
        if (st.state === 'pending') st.state = 'running';
        else if (st.state === 'running' && ++st.ticks >= this.runTicks) {
          const left = this.failures.get(t.runId) ?? 0;
          if (left > 0) {
            this.failures.set(t.runId, left - 1);
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
  repointed: RepointChange[] = [];
  async repoint(changes: RepointChange[]) {
    return changes.map((c) => {
      const s = this.subs.get(c.ref);
      const k = s?.sub.tasks.findIndex((t) => t.index === c.index) ?? -1;
      if (!s || k < 0 || s.tasks[k]!.state !== 'pending') return false;
      this.repointed.push(c);
      return true;
    });
  }
  /** No event files here: completions are seen by polling only. */
  onTaskEvent(_listener: (e: TaskEvent) => void) {
    return () => {};
  }
  async logTail(ref: string, index: number) {
    const t = this.subs.get(ref)?.sub.tasks[index];
    return `INFO starting run ${t?.runId}\nERROR reading /fefs/onsite/data/DL1/dl1_LST-1.Run0${t?.runId}.h5: truncated file\nTraceback (most recent call last):\nOSError: Unable to open file`;
  }
  async remove(paths: string[]) {
    this.removed.push(...paths);
    for (const p of paths) this.files.delete(p);
  }
  async fetch(paths: string[]) {
    this.outage();
    return paths;
  }
}
