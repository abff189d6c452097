/**
 * `local` cluster backend: runs stage tasks as child processes on this machine.
 *
 * - Commands are spawned from their argv with `shell: false`: no argv element is ever interpreted.
 * - At most `concurrency` tasks run at once over all submissions (and `maxParallel` per submission).
 * - stdout+stderr of each task go straight to `<workdir>/<jobId>/<stage>-a<attempt>/task-<index>.log`
 *   (a file descriptor handed to the child, so output survives even if the bot dies).
 * - Each task runs in its own process group (detached) so cancel/timeout kill helpers it forked.
 * - Tasks inherit the bot's working directory, so relative paths in argv, `mkdirs`, `exists` and
 *   `remove` all mean the same files.
 * - `setup` lines need a shell, so they are ignored here (with a warning): activate the tools'
 *   environment before starting ASTRAN, or use absolute program paths. `mem` is ignored; `time`
 *   (Slurm syntax) becomes the per-task time limit, overriding `task_timeout_s`.
 * - Processes do not survive the bot: `stop()` kills them, and `findSubmitted` returns undefined.
 *   After a restart, `poll` answers for refs of the previous process from their manifest
 *   (RefManifest.ts): tasks that had finished keep their result, the others are reported failed
 *   ("lost ..."), so the orchestrator redoes only those (it trusts only outputs of tasks recorded as successful).
 * - Outputs are atomic, as with the Slurm job script: a task with a staging folder (`{out_dir}`) writes there and its
 *   outputs are renamed into place only on success; without one, what a failed task wrote is renamed to `.partial`.
 *   After a hard crash (SIGKILL) tasks of the old process may still be running, being detached.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import type { ClusterBackend, FileStat, RepointChange, StageStatus, StageSubmission, TaskEvent, TaskRef, TaskState, TaskStatus } from './ClusterBackend.js';
import type { Logger } from '../log.js';
import { killProcessGroup } from './local/killProcessGroup.js';
import { LocalBackendConfigSchema, type LocalBackendConfig, type LocalBackendConfigInput } from './local/config.js';
import { localSubmissionSchema } from './local/localSubmissionSchema.js';
import { parseSlurmTime } from './local/parseSlurmTime.js';
import { readRefManifest, writeRefManifest } from './local/RefManifest.js';
import { rollUpState } from './local/rollUpState.js';
import { tailFile } from './local/tailFile.js';
import { assertWritable } from './WriteGuard.js';
import { localList, localReadText, localStat } from './files/localFiles.js';
import { parseProbeExitCode, type ProbeReport } from './toolVersion.js';

/** The environment probe's files in a submission's folder (as the Slurm job script writes them). */
const PROBE_OUT = 'probe.out';
const PROBE_RC = 'probe.rc';
const PROBE_TIMEOUT_MS = 300_000;
const PROBE_MAX_BYTES = 65_536;

export const DEPENDENCY_NEVER_SATISFIED = 'DependencyNeverSatisfied';
export const LOST_REASON = 'lost: ASTRAN restarted before the task finished';
/** Manifests of old refs are deleted at start() after this long. */
const MANIFEST_MAX_AGE_MS = 30 * 24 * 3600 * 1000;

export interface LocalBackendOptions {
  config: LocalBackendConfigInput;
  /** Base environment of every task (pass process.env from the edge); submission env is merged over it. */
  env: Record<string, string | undefined>;
  log: Logger;
  /** Finished submissions kept for poll/logTail before the oldest are forgotten (default 1000). */
  retainFinished?: number;
  /** data.read_only_roots, rendered: no output, mkdir or removal may fall inside one (checked before anything runs). */
  readOnlyRoots?: string[];
  /**
   * How long a task whose parent failed waits for a retry to re-point it (repoint) before it is cancelled as
   * DependencyNeverSatisfied (default 30 s, as the Slurm backend).
   */
  blockedGraceMs?: number;
}

interface LocalTask {
  /** Ref of the submission it belongs to. */
  ref: string;
  index: number;
  /** Single tasks this one waits for (per-run chains). */
  after: TaskRef[];
  /** Whole submissions it waits for (its submission's dependsOn until a repoint replaces its dependency). */
  whole: string[];
  /** When it was first seen blocked by a failed or cancelled parent (ms). */
  blockedSince?: number;
  argv: string[];
  outputs: string[];
  /** Staging folder ({out_dir}): outputs are renamed into place only on success (see StageTask.staging). */
  staging?: string;
  startedMs?: number;
  logPath: string;
  state: TaskState;
  exitCode?: number;
  reason?: string;
  child?: ChildProcess;
  /** Why we are killing it, decided before the signal so the exit is classified right. */
  killing?: 'cancel' | 'timeout';
  timers: NodeJS.Timeout[];
  /** Resolves when the task reached a final state. */
  done: Promise<void>;
  resolveDone: () => void;
}

type TaskView = Pick<LocalTask, 'index' | 'state' | 'exitCode' | 'reason' | 'logPath'>;

interface LocalSubmission {
  ref: string;
  jobId: string;
  stage: string;
  attempt: number;
  /** Per-task limit in seconds (stage `time`, else config), undefined = none. */
  timeoutSeconds?: number;
  /** <workdir>/<jobId>/<stage>-a<attempt>: logs, and the tasks' working directory. */
  dir: string;
  dependsOn: string[];
  env: Record<string, string>;
  maxParallel: number;
  tasks: LocalTask[];
}

export class LocalBackend implements ClusterBackend {
  readonly name = 'local';
  private readonly cfg: LocalBackendConfig;
  private readonly workdir: string;
  private readonly baseEnv: Record<string, string>;
  private readonly log: Logger;
  private readonly retainFinished: number;
  private readonly readOnlyRoots: string[];
  private readonly blockedGraceMs: number;
  private readonly listeners = new Set<(e: TaskEvent) => void>();
  private graceTimer: NodeJS.Timeout | null = null;
  /** Distinguishes refs of this process from those of an earlier run of the bot. */
  private readonly instance = randomBytes(4).toString('hex');
  private counter = 0;
  /** Insertion order = submission order = scheduling order. */
  private readonly subs = new Map<string, LocalSubmission>();
  private running = 0;
  /** Environment probes of this process's submissions (StageSubmission.probe), by ref. */
  private readonly probes = new Map<string, Promise<ProbeReport | null>>();
  private stopped = false;
  private pumping = false;
  private pumpAgain = false;

  constructor(opts: LocalBackendOptions) {
    this.cfg = LocalBackendConfigSchema.parse(opts.config);
    this.workdir = resolve(this.cfg.workdir);
    this.baseEnv = Object.fromEntries(Object.entries(opts.env).filter((e): e is [string, string] => typeof e[1] === 'string'));
    this.log = opts.log;
    this.retainFinished = opts.retainFinished ?? 1000;
    this.readOnlyRoots = opts.readOnlyRoots ?? [];
    this.blockedGraceMs = opts.blockedGraceMs ?? 30_000;
  }

  async start(): Promise<void> {
    mkdirSync(this.workdir, { recursive: true });
    this.stopped = false;
    this.pruneOldManifests();
  }

  /** Kills every task still running and cancels pending ones. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
    await this.cancel([...this.subs.keys()]);
  }

  async exists(paths: string[]): Promise<boolean[]> {
    return paths.map((p) => existsSync(p));
  }

  stat(paths: string[]): Promise<(FileStat | null)[]> {
    return localStat(paths);
  }

  readText(paths: string[]): Promise<(string | null)[]> {
    return localReadText(paths);
  }

  list(dir: string): Promise<string[] | null> {
    return localList(dir);
  }

  async submit(input: StageSubmission): Promise<string> {
    if (this.stopped) throw new Error('local backend is stopped');
    const sub = localSubmissionSchema.parse(input);
    assertWritable([...(sub.mkdirs ?? []), ...sub.tasks.flatMap((t) => t.outputs)], this.readOnlyRoots, `stage ${sub.stage}`, this.log);
    const dependsOn = sub.dependsOn ?? [];
    for (const d of dependsOn) if (!this.subs.has(d)) throw new Error(`unknown dependency ${d} (not submitted by this backend instance)`);
    const own = new Map<number, TaskRef[]>();
    for (const d of sub.taskDependsOn ?? []) {
      for (const t of d.on) if (!this.subs.get(t.ref)?.tasks.some((x) => x.index === t.index)) throw new Error(`unknown dependency ${t.ref}[${t.index}] (not submitted by this backend instance)`);
      own.set(d.index, [...(own.get(d.index) ?? []), ...d.on]);
    }
    if (sub.setup?.length) {
      this.log.warn({ jobId: sub.jobId, stage: sub.stage, lines: sub.setup.length }, 'local backend ignores setup lines (they need a shell); prepare the environment before starting ASTRAN');
    }
    const timeoutSeconds = sub.time !== undefined ? parseSlurmTime(sub.time) : this.cfg.task_timeout_s;
    // The tools do not create their output folders; Slurm's backend runs mkdir -p for these too.
    for (const d of sub.mkdirs ?? []) mkdirSync(d, { recursive: true });
    const ref = `local-${this.instance}-${++this.counter}`;
    const dir = join(this.workdir, sub.jobId, `${sub.stage}-a${sub.attempt}`);
    mkdirSync(dir, { recursive: true });
    const local: LocalSubmission = {
      ref,
      jobId: sub.jobId,
      stage: sub.stage,
      attempt: sub.attempt,
      timeoutSeconds,
      dir,
      dependsOn,
      env: sub.env ?? {},
      maxParallel: sub.maxParallel ?? Infinity,
      tasks: [...sub.tasks]
        .sort((a, b) => a.index - b.index)
        .map((t) => {
          let resolveDone!: () => void;
          const done = new Promise<void>((r) => (resolveDone = r));
          return { ref, index: t.index, after: own.get(t.index) ?? [], whole: [...dependsOn], argv: t.argv, outputs: t.outputs, staging: t.staging, logPath: join(dir, `task-${t.index}.log`), state: 'pending' as TaskState, timers: [], done, resolveDone };
        }),
    };
    this.subs.set(ref, local);
    if (sub.probe) this.probes.set(ref, this.runProbe(sub.probe, dir, { ...this.baseEnv, ...local.env }));
    this.saveManifest(local);
    this.prune();
    this.log.info({ ref, jobId: sub.jobId, stage: sub.stage, attempt: sub.attempt, tasks: local.tasks.length, dependsOn }, 'local stage submitted');
    this.pump();
    return ref;
  }

  async findSubmitted(_jobId: string, _stage: string, _attempt: number): Promise<string | undefined> {
    return undefined; // local processes do not outlive the bot: see the file comment.
  }

  async poll(refs: string[]): Promise<Map<string, StageStatus>> {
    const out = new Map<string, StageStatus>();
    for (const ref of refs) {
      const sub = this.subs.get(ref) ?? this.fromManifest(ref);
      if (!sub) continue; // never submitted here: the caller decides.
      const tasks: TaskStatus[] = sub.tasks.map((t) => {
        const s: TaskStatus = { index: t.index, state: t.state };
        if (t.exitCode !== undefined) s.exitCode = t.exitCode;
        if (t.reason !== undefined) s.reason = t.reason;
        return s;
      });
      out.set(ref, { ref, state: rollUpState(tasks), tasks });
    }
    return out;
  }

  async cancel(refs: string[]): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const ref of refs) {
      const sub = this.subs.get(ref);
      if (!sub) continue;
      for (const t of sub.tasks) {
        if (t.state === 'pending') this.finish(t, 'cancelled', undefined, 'cancelled', false);
        else if (t.state === 'running') {
          this.kill(t, 'cancel');
          waits.push(t.done);
        }
      }
    }
    this.pump(); // dependents of what was cancelled now never run
    await Promise.all(waits);
  }

  /**
   * The environment probe: the tasks' own environment (the bot's, plus the submission's env) asked about itself, once
   * per submission, no shell. Its stdout (first 64 kB) and exit code go to the submission's folder, as on Slurm.
   */
  private runProbe(argv: string[], dir: string, env: Record<string, string>): Promise<ProbeReport | null> {
    return new Promise((res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const child = spawn(argv[0]!, argv.slice(1), { shell: false, stdio: ['ignore', 'pipe', 'ignore'], env, cwd: dir, timeout: PROBE_TIMEOUT_MS, killSignal: 'SIGKILL' });
      child.stdout!.on('data', (d: Buffer) => {
        if (size < PROBE_MAX_BYTES) chunks.push(d.subarray(0, PROBE_MAX_BYTES - size));
        size += d.length;
      });
      let done = false;
      const end = (exitCode: number) => {
        if (done) return;
        done = true;
        const report = { exitCode, stdout: Buffer.concat(chunks).toString('utf8') };
        try {
          writeFileSync(join(dir, PROBE_OUT), report.stdout);
          writeFileSync(join(dir, PROBE_RC), `${exitCode}\n`);
        } catch (e) {
          this.log.warn({ err: (e as Error).message, dir }, 'local: could not record the environment probe');
        }
        res(report);
      };
      child.once('error', () => end(127));
      child.once('close', (code, signal) => end(code ?? (signal ? 128 + 9 : 1)));
    });
  }

  async probeOutputs(refs: string[]): Promise<(ProbeReport | null)[]> {
    return Promise.all(
      refs.map(async (ref) => {
        const p = this.probes.get(ref);
        if (p) return p;
        // A ref of an earlier run of the bot: what its probe left in the submission's folder.
        const m = readRefManifest(this.workdir, ref);
        if (!m) return null;
        const dir = join(this.workdir, m.jobId, `${m.stage}-a${m.attempt}`);
        const read = (f: string) => {
          try {
            return readFileSync(join(dir, f), 'utf8');
          } catch {
            return null;
          }
        };
        const exitCode = parseProbeExitCode(read(PROBE_RC));
        return exitCode === null ? null : { exitCode, stdout: read(PROBE_OUT) ?? '' };
      }),
    );
  }

  async logTail(ref: string, taskIndex: number, lines: number): Promise<string> {
    const t = (this.subs.get(ref) ?? this.fromManifest(ref))?.tasks.find((x) => x.index === taskIndex);
    if (!t) throw new Error(`unknown task ${ref}[${taskIndex}]`);
    return tailFile(t.logPath, lines);
  }

  async remove(paths: string[]): Promise<void> {
    // Files only (no recursive delete): these are partial outputs of a task.
    assertWritable(paths, this.readOnlyRoots, 'removing partial outputs', this.log);
    for (const p of paths) if (p) await rm(p, { force: true });
  }

  async fetch(paths: string[], _localDir: string): Promise<string[]> {
    const missing = paths.filter((p) => !existsSync(p)).length;
    if (missing) throw new Error(`fetch: ${missing} of ${paths.length} files do not exist`);
    return [...paths]; // already local
  }

  /** Forget the oldest finished submissions beyond `retainFinished` (never one a waiting stage depends on). */
  private prune(): void {
    const isOpen = (s: LocalSubmission) => s.tasks.some((t) => t.state === 'pending' || t.state === 'running');
    const finished = [...this.subs.values()].filter((s) => !isOpen(s));
    let excess = finished.length - this.retainFinished;
    if (excess <= 0) return;
    const needed = new Set([...this.subs.values()].filter(isOpen).flatMap((s) => s.tasks.flatMap((t) => [...t.whole, ...t.after.map((a) => a.ref)])));
    for (const s of finished) {
      if (excess <= 0) break;
      if (needed.has(s.ref)) continue;
      this.subs.delete(s.ref);
      excess--;
    }
  }

  /**
   * Start whatever may start now. Called after every change of task state; re-entrant calls (a
   * task finishing while we schedule) are folded into another pass instead of nesting.
   */
  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.pumpOnce();
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  /** State of what a task waits for: every dependency done, one of them can never succeed, or still waiting. */
  private depsOf(sub: LocalSubmission, t: LocalTask): 'ready' | 'blocked' | 'never' | 'waiting' {
    const states = [
      ...t.whole.map((d) => rollUpState(this.subs.get(d)?.tasks ?? [])),
      ...t.after.map((a) => this.subs.get(a.ref)?.tasks.find((x) => x.index === a.index)?.state ?? 'cancelled'),
    ];
    // A cancelled parent is never retried: its dependents go at once. A failed one may be (see repoint).
    if (states.some((s) => s === 'cancelled')) return 'never';
    if (states.some((s) => s === 'failed')) return 'blocked';
    return states.every((s) => s === 'completed') ? 'ready' : 'waiting';
  }

  private pumpOnce(): void {
    const now = Date.now();
    let nextGrace = Infinity;
    for (const sub of this.subs.values()) {
      const pending = sub.tasks.filter((t) => t.state === 'pending');
      if (pending.length === 0) continue;
      let subRunning = sub.tasks.filter((t) => t.state === 'running').length;
      for (const t of pending) {
        if (t.state !== 'pending') continue;
        const deps = this.depsOf(sub, t);
        if (deps === 'never') {
          this.finish(t, 'cancelled', undefined, DEPENDENCY_NEVER_SATISFIED);
          continue;
        }
        if (deps === 'blocked') {
          // A parent failed: wait a grace period for a retry to re-point this task, then give up on it.
          t.blockedSince ??= now;
          const left = t.blockedSince + this.blockedGraceMs - now;
          if (left <= 0) this.finish(t, 'cancelled', undefined, DEPENDENCY_NEVER_SATISFIED);
          else nextGrace = Math.min(nextGrace, left);
          continue;
        }
        t.blockedSince = undefined;
        if (this.stopped || deps !== 'ready') continue;
        if (this.running >= this.cfg.concurrency) return this.armGrace(nextGrace);
        if (subRunning >= sub.maxParallel) continue;
        this.launch(sub, t);
        subRunning++;
      }
    }
    this.armGrace(nextGrace);
  }

  /** Pump again when the earliest grace period ends. */
  private armGrace(ms: number): void {
    if (!Number.isFinite(ms) || this.graceTimer) return;
    this.graceTimer = setTimeout(() => {
      this.graceTimer = null;
      this.pump();
    }, ms + 5);
    this.graceTimer.unref?.();
  }

  async repoint(changes: RepointChange[]): Promise<boolean[]> {
    const out = changes.map((c) => {
      const t = this.subs.get(c.ref)?.tasks.find((x) => x.index === c.index);
      if (!t || t.state !== 'pending') return false;
      if (c.on.some((a) => !this.subs.get(a.ref)?.tasks.some((x) => x.index === a.index))) return false;
      // As `scontrol update Dependency=`: the task's whole dependency is replaced (its array's dependsOn included).
      t.after = [...c.on];
      t.whole = [];
      t.blockedSince = undefined;
      return true;
    });
    this.pump();
    return out;
  }

  async cancelJob(jobId: string): Promise<string[]> {
    const refs = [...this.subs.values()].filter((s) => s.jobId === jobId).map((s) => s.ref);
    await this.cancel(refs);
    return refs;
  }

  onTaskEvent(listener: (e: TaskEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private launch(sub: LocalSubmission, t: LocalTask): void {
    t.state = 'running';
    this.running++;
    let fd: number | undefined;
    try {
      t.startedMs = Date.now();
      if (t.staging) {
        rmSync(t.staging, { recursive: true, force: true });
        mkdirSync(t.staging, { recursive: true });
      }
      fd = openSync(t.logPath, 'w');
      // shell:false: argv elements reach execve verbatim. detached: own process group (pgid = pid).
      const child = spawn(t.argv[0], t.argv.slice(1), {
        shell: false,
        detached: true,
        stdio: ['ignore', fd, fd],
        env: { ...this.baseEnv, ...sub.env },
      });
      t.child = child;
      child.once('error', (err: NodeJS.ErrnoException) => {
        this.appendLog(t, `[astran] could not start ${t.argv[0]}: ${err.code ?? err.message}`);
        this.finish(t, 'failed', undefined, `could not start (${err.code ?? 'error'})`);
      });
      child.once('exit', (code, signal) => this.onExit(t, code, signal));
      if (sub.timeoutSeconds !== undefined) {
        t.timers.push(setTimeout(() => this.kill(t, 'timeout'), sub.timeoutSeconds * 1000));
      }
    } catch (e) {
      this.finish(t, 'failed', undefined, `could not start (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    } finally {
      if (fd !== undefined) closeSync(fd); // the child holds its own copy
    }
  }

  private onExit(t: LocalTask, code: number | null, signal: NodeJS.Signals | null): void {
    if (t.killing && t.child?.pid) killProcessGroup(t.child.pid, 'SIGKILL'); // leftovers of the group
    if (t.killing === 'cancel') this.finish(t, 'cancelled', code ?? undefined, 'cancelled');
    else if (t.killing === 'timeout') this.finish(t, 'failed', code ?? undefined, 'TIMEOUT');
    else if (code === 0) {
      const problem = promoteOutputs(t);
      if (problem) {
        this.appendLog(t, `[astran] ${problem}`);
        this.finish(t, 'failed', 95, problem);
      } else this.finish(t, 'completed', 0);
    } else if (code !== null) this.finish(t, 'failed', code, `exit code ${code}`);
    else this.finish(t, 'failed', undefined, `killed by signal ${signal ?? 'unknown'}`);
    if (t.state === 'failed' || t.state === 'cancelled') quarantinePartials(t);
  }

  private kill(t: LocalTask, why: 'cancel' | 'timeout'): void {
    const pid = t.child?.pid;
    if (t.state !== 'running' || pid === undefined) return;
    t.killing ??= why;
    killProcessGroup(pid, 'SIGTERM');
    const escalate = setTimeout(() => {
      if (t.state === 'running') killProcessGroup(pid, 'SIGKILL');
    }, this.cfg.kill_grace_s * 1000);
    t.timers.push(escalate);
  }

  private finish(t: LocalTask, state: TaskState, exitCode: number | undefined, reason?: string, pump = true): void {
    if (t.state !== 'pending' && t.state !== 'running') return; // 'error' and 'exit' may both fire
    if (t.state === 'running') this.running--;
    t.state = state;
    if (exitCode !== undefined) t.exitCode = exitCode;
    if (reason !== undefined) t.reason = reason;
    for (const timer of t.timers) clearTimeout(timer);
    t.timers = [];
    t.child = undefined;
    t.resolveDone();
    if (exitCode !== undefined && (state === 'completed' || state === 'failed')) {
      for (const l of this.listeners) {
        try {
          l({ ref: t.ref, index: t.index, exitCode });
        } catch (err) {
          this.log.error({ err }, 'local: task event listener failed');
        }
      }
    }
    const sub = this.subs.get(t.ref);
    if (sub) this.saveManifest(sub);
    if (pump) this.pump();
  }

  private saveManifest(sub: LocalSubmission): void {
    try {
      writeRefManifest(this.workdir, {
        ref: sub.ref,
        jobId: sub.jobId,
        stage: sub.stage,
        attempt: sub.attempt,
        tasks: sub.tasks.map((t) => ({ index: t.index, state: t.state, exitCode: t.exitCode, reason: t.reason, logPath: t.logPath })),
      });
    } catch (e) {
      // Only restart bookkeeping: never let it break a running stage.
      this.log.warn({ err: (e as Error).message, ref: sub.ref }, 'could not write local ref manifest');
    }
  }

  /** A ref of an earlier process, as its manifest last recorded it; unfinished tasks count as lost. */
  private fromManifest(ref: string): { tasks: TaskView[] } | undefined {
    const m = readRefManifest(this.workdir, ref);
    if (!m) return undefined;
    return {
      tasks: m.tasks.map((t) =>
        t.state === 'pending' || t.state === 'running' ? { index: t.index, state: 'failed', reason: LOST_REASON, logPath: t.logPath } : t,
      ),
    };
  }

  private pruneOldManifests(): void {
    const dir = join(this.workdir, '.refs');
    if (!existsSync(dir)) return;
    const cutoff = Date.now() - MANIFEST_MAX_AGE_MS;
    for (const f of readdirSync(dir)) {
      try {
        if (statSync(join(dir, f)).mtimeMs < cutoff) rmSync(join(dir, f), { force: true });
      } catch {
        // best effort housekeeping
      }
    }
  }

  private appendLog(t: LocalTask, line: string): void {
    try {
      const fd = openSync(t.logPath, 'a');
      try {
        writeSync(fd, line + '\n');
      } finally {
        closeSync(fd);
      }
    } catch {
      // the log is best effort; the task state carries the reason anyway
    }
  }
}

/**
 * A successful task's staged outputs to their final names, as the Slurm job script does: every declared output must be
 * in the staging folder; other files there are moved first, the declared outputs last. Returns a problem, or null.
 */
function promoteOutputs(t: Pick<LocalTask, 'staging' | 'outputs'>): string | null {
  if (!t.staging) return null;
  const missing = t.outputs.filter((o) => !existsSync(join(t.staging!, basename(o))));
  if (missing.length) return `the tool ended without writing ${missing.map((m) => basename(m)).join(', ')}`;
  const own = new Set(t.outputs.map((o) => basename(o)));
  try {
    for (const f of readdirSync(t.staging)) if (!own.has(f)) renameSync(join(t.staging, f), join(dirname(t.outputs[0]), f));
    for (const o of t.outputs) renameSync(join(t.staging, basename(o)), o);
    rmSync(t.staging, { recursive: true, force: true });
  } catch (e) {
    return `could not move the outputs into place (${(e as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  return null;
}

/** Without a staging folder, outputs a failed task wrote are renamed to `<output>.partial`: no final name holds half a file. */
function quarantinePartials(t: Pick<LocalTask, 'staging' | 'outputs' | 'startedMs'>): void {
  if (t.staging || t.startedMs === undefined) return;
  for (const o of t.outputs) {
    try {
      if (statSync(o).mtimeMs >= t.startedMs - 1000) renameSync(o, `${o}.partial`);
    } catch {
      // not written: nothing to move
    }
  }
}
