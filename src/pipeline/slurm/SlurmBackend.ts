import { mkdir, stat } from 'node:fs/promises';
import { basename, join, posix } from 'node:path';
import { ClusterUnavailableError, type ClusterBackend, type FileStat, type RepointChange, type StageStatus, type StageSubmission, type TaskEvent } from '../ClusterBackend.js';
import { LIST_SCRIPT, READ_SCRIPT, STAT_SCRIPT, parseListOutput, parseReadOutput, parseStatOutput } from './remoteFiles.js';
import type { Logger } from '../../log.js';
import { SlurmConfigSchema, type SlurmConfig, type SlurmConfigInput } from './config.js';
import { JOB_SCRIPT, MANIFEST, PROBE_OUT, PROBE_RC, buildJobScript, buildManifest, buildSbatchArgv } from './jobScript.js';
import { parseProbeExitCode, type ProbeReport } from '../toolVersion.js';
import { mergeStatus, type RefMemory } from './mergeStatus.js';
import { SLURM_ID_RE, jobName, parseJobName, stageWorkdir, taskLogPath, type StageKey } from './naming.js';
import { parseSbatch } from './parseSbatch.js';
import { buildFindCommand, parseFindOutput } from './findCommand.js';
import { buildPollCommand, parsePollOutput, rowsByRef } from './pollCommand.js';
import { shellJoin } from './shq.js';
import { scrubNodeNames } from './scrubNodeNames.js';
import { ConnectionLostError, SshConnection, type ConnectionChange, type Sftp } from './SshConnection.js';
import { StageSubmissionSchema } from './submissionSchema.js';
import { assertWritable } from '../WriteGuard.js';
import { afterokExpr, compileDependencies } from './dependencies.js';
import { EventFollower } from './EventFollower.js';
import { eventsFile } from './taskEvents.js';

export interface SlurmBackendOptions {
  log: Logger;
  /** Told once when the cluster becomes unreachable and once when it is back. */
  onConnectionChange?: (change: ConnectionChange) => void;
  now?: () => number;
  /** data.read_only_roots, rendered: no output, mkdir or removal may fall inside one (checked before anything runs). */
  readOnlyRoots?: string[];
}

/** A failure whose message is safe to show users (no host, no path); detail goes to the log only. */
export class SlurmError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SlurmError';
  }
}

/**
 * What Slurm's client commands print when slurmctld or slurmdbd is down or restarting (Slurm 22.05 wording): such a
 * failure is an outage to wait out, not an answer.
 */
const SLURM_DOWN_RE = /Unable to contact slurm controller|Socket timed out|Connection refused|Connection timed out|Zero Bytes were transmitted|slurm_load_jobs error|Slurm accounting storage is disabled|Unable to connect to database|Transport endpoint|Slurm backup controller/i;

function validRefs(refs: readonly string[]): string[] {
  for (const r of refs) if (!SLURM_ID_RE.test(r)) throw new SlurmError('invalid cluster job reference');
  return [...new Set(refs)];
}

/** Runs pipeline stages as Slurm job arrays over one persistent SSH connection. */
export class SlurmBackend implements ClusterBackend {
  readonly name = 'slurm';
  readonly cfg: SlurmConfig;
  readonly conn: SshConnection;
  private readonly refs = new Map<string, RefMemory & { key?: StageKey }>();
  private readonly listeners = new Set<(e: TaskEvent) => void>();
  /** Follows the events files of the jobs being polled (one remote command for all). */
  readonly events: EventFollower;
  /** Jobs submitted since the last poll: followed before their first poll. */
  private readonly newJobs = new Set<string>();
  private polledJobs = new Set<string>();
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly readOnlyRoots: string[];

  constructor(config: SlurmConfigInput, opts: SlurmBackendOptions) {
    this.cfg = SlurmConfigSchema.parse(config);
    this.log = opts.log;
    this.now = opts.now ?? Date.now;
    this.readOnlyRoots = opts.readOnlyRoots ?? [];
    this.conn = new SshConnection(this.cfg, this.log);
    this.events = new EventFollower(this.conn, this.log, (evs) => this.onEvents(evs));
    if (opts.onConnectionChange) this.conn.on('change', opts.onConnectionChange);
  }

  async start(): Promise<void> {
    await this.conn.start();
  }

  async stop(): Promise<void> {
    this.events.stop();
    await this.conn.stop();
  }

  private memory(ref: string): RefMemory & { key?: StageKey } {
    let m = this.refs.get(ref);
    if (!m) {
      m = { firstSeenMs: this.now(), finalWithoutDetailSince: new Map(), depNeverSatisfied: false };
      this.refs.set(ref, m);
    }
    return m;
  }

  /** Run an argv on the cluster; non-zero exit is an error unless allowed. */
  private async run(argv: string[], opts: { retry?: boolean; okCodes?: number[] } = {}): Promise<string> {
    const r = await this.conn.exec(shellJoin(argv), { retry: opts.retry ?? true });
    if (!(opts.okCodes ?? [0]).includes(r.code ?? -1)) {
      this.log.warn({ cmd: argv[0], code: r.code, stderr: r.stderr.slice(0, 500) }, 'slurm: remote command failed');
      if (SLURM_DOWN_RE.test(r.stderr)) throw new ClusterUnavailableError(`Slurm is not answering ${argv[0]}`);
      throw new SlurmError(`cluster command ${argv[0]} failed`);
    }
    return r.stdout;
  }

  async exists(paths: string[]): Promise<boolean[]> {
    if (paths.length === 0) return [];
    const script = 'for p in "$@"; do if test -e "$p"; then echo 1; else echo 0; fi; done';
    const out = await this.run(['sh', '-c', script, 'astran-exists', ...paths]);
    const lines = out.split('\n').filter((l) => l !== '');
    if (lines.length !== paths.length || lines.some((l) => l !== '0' && l !== '1')) throw new SlurmError('unexpected answer from the cluster');
    return lines.map((l) => l === '1');
  }

  async stat(paths: string[]): Promise<(FileStat | null)[]> {
    if (paths.length === 0) return [];
    const out = parseStatOutput(await this.run(['sh', '-c', STAT_SCRIPT, 'astran-stat', ...checkPaths(paths)]), paths.length);
    if (!out) throw new SlurmError('unexpected answer from the cluster');
    return out;
  }

  async readText(paths: string[]): Promise<(string | null)[]> {
    if (paths.length === 0) return [];
    const out = parseReadOutput(await this.run(['sh', '-c', READ_SCRIPT, 'astran-read', ...checkPaths(paths)]), paths.length);
    if (!out) throw new SlurmError('unexpected answer from the cluster');
    return out.map((a) => {
      if (a.kind === 'too_large') throw new SlurmError('a cluster file is too large to read as text');
      return a.kind === 'text' ? a.text : null;
    });
  }

  async list(dir: string): Promise<string[] | null> {
    const out = parseListOutput(await this.run(['sh', '-c', LIST_SCRIPT, 'astran-list', ...checkPaths([dir])]));
    if (out === undefined) throw new SlurmError('unexpected answer from the cluster');
    return out;
  }

  async submit(input: StageSubmission): Promise<string> {
    const sub = StageSubmissionSchema.parse(input) as StageSubmission;
    assertWritable([...(sub.mkdirs ?? []), ...sub.tasks.flatMap((t) => t.outputs)], this.readOnlyRoots, `stage ${sub.stage}`, this.log);
    const wd = stageWorkdir(this.cfg.remote_workdir, sub);
    // The job's events file exists from the start, so the follower's tail watches it (inotify where there is) rather
    // than waiting for it to appear.
    await this.run(['sh', '-c', 'mkdir -p -- "$1" && touch -- "$2"', 'astran-mkdir', wd, eventsFile(this.cfg.remote_workdir, sub.jobId)]);
    await this.conn.withSftp(async (sftp) => {
      await sftpWrite(sftp, posix.join(wd, JOB_SCRIPT), buildJobScript(sub, wd), 0o755);
      await sftpWrite(sftp, posix.join(wd, MANIFEST), buildManifest(sub), 0o644);
    });
    const deps = compileDependencies(
      sub.tasks.map((t) => t.index).sort((a, b) => a - b),
      sub.dependsOn,
      sub.taskDependsOn,
      (ref) => this.refs.get(ref)?.indices,
    );
    const argv = buildSbatchArgv(sub, this.cfg, wd, deps.sbatch);
    let ref: string;
    try {
      ref = parseSbatch(await this.run(argv, { retry: false }));
    } catch (err) {
      if (!(err instanceof ConnectionLostError)) throw err;
      // The connection broke around sbatch: it may or may not have run. Look before submitting again.
      const found = await this.findSubmitted(sub.jobId, sub.stage, sub.attempt);
      ref = found ?? parseSbatch(await this.run(argv, { retry: true }));
    }
    const mem = this.memory(ref);
    mem.indices = sub.tasks.map((t) => t.index);
    mem.key = { jobId: sub.jobId, stage: sub.stage, attempt: sub.attempt };
    if (deps.narrow.length) {
      // Arrays that do not line up: each task now waits for its own parents only (until then, for all of them).
      const ok = await this.repoint(deps.narrow.map((n) => ({ ref, index: n.index, expr: n.expr })));
      if (ok.some((x) => !x)) this.log.warn({ ref, jobId: sub.jobId, stage: sub.stage }, 'slurm: some tasks could not be given their own dependencies; they wait for the whole set');
    }
    this.follow(sub.jobId);
    this.log.info({ jobId: sub.jobId, stage: sub.stage, attempt: sub.attempt, ref, tasks: sub.tasks.length }, 'slurm: submitted');
    return ref;
  }

  async findSubmitted(jobId: string, stage: string, attempt: number): Promise<string | undefined> {
    const key = StageSubmissionSchema.pick({ jobId: true, stage: true, attempt: true }).parse({ jobId, stage, attempt });
    const name = jobName(key);
    const r = await this.conn.exec(buildFindCommand(name), { retry: true });
    const found = parseFindOutput(r.stdout, name);
    if (!found) return undefined;
    const mem = this.memory(found.ref);
    mem.key = key;
    this.follow(key.jobId);
    if (found.tasks.length) mem.indices = [...new Set([...(mem.indices ?? []), ...found.tasks])];
    return found.ref;
  }

  async poll(refs: string[]): Promise<Map<string, StageStatus>> {
    const ids = validRefs(refs);
    const out = new Map<string, StageStatus>();
    if (ids.length === 0) return out;
    const r = await this.conn.exec(buildPollCommand(ids), { retry: true });
    const p = parsePollOutput(r.stdout);
    // Neither the controller nor accounting answered: that is an outage, not news about the jobs.
    if (!p.squeueOk && !p.sacctOk) throw new ClusterUnavailableError('Slurm is not answering squeue or sacct');
    const now = this.now();
    const toCancel: string[] = [];
    const rowsOf = rowsByRef(p);
    for (const ref of ids) {
      const mem = this.memory(ref);
      const own = rowsOf(ref);
      for (const row of [...own.squeue, ...own.sacct, ...(own.scontrol ?? [])]) {
        if (row.jobName && !mem.key) mem.key = parseJobName(row.jobName);
      }
      // Tasks whose parent failed stay pending forever (DependencyNeverSatisfied). They are left a grace period in which
      // a retry of the parent may re-point them (repoint); after it they are cancelled and reported, as lstosa's
      // cleanup does. Per task: with aftercorr only the failed run's task is blocked.
      const blocked = new Set<number>();
      for (const row of [...own.squeue, ...(own.scontrol ?? [])]) {
        if (row.state !== 'PENDING' || row.reason !== 'DependencyNeverSatisfied') continue;
        for (const i of row.tasks ?? mem.indices ?? []) blocked.add(i);
      }
      const since = (mem.blockedSince ??= new Map());
      for (const i of [...since.keys()]) if (!blocked.has(i)) since.delete(i);
      for (const i of blocked) {
        if (!since.has(i)) since.set(i, now);
        const done = (mem.depNeverTasks ??= new Set());
        if (!done.has(i) && now - since.get(i)! >= this.cfg.blocked_grace_s * 1000) {
          done.add(i);
          toCancel.push(`${ref}_${i}`);
        }
      }
      out.set(ref, mergeStatus(ref, mem, { ...own, nowMs: now, graceMs: this.cfg.vanish_grace_s * 1000 }));
    }
    if (toCancel.length) await this.run(['scancel', '--', ...toCancel]);
    // Follow the events of exactly the jobs being watched (and those submitted since).
    this.polledJobs = new Set(ids.map((r) => this.refs.get(r)?.key?.jobId).filter((j): j is string => j !== undefined));
    this.newJobs.clear();
    this.updateFollowed();
    return out;
  }

  /** Start following a job's events file (it is followed while the job's refs are polled). */
  private follow(jobId: string): void {
    this.newJobs.add(jobId);
    this.updateFollowed();
  }

  private updateFollowed(): void {
    const jobs = new Set([...this.polledJobs, ...this.newJobs]);
    this.events.setFiles([...jobs].map((j) => eventsFile(this.cfg.remote_workdir, j)));
  }

  private onEvents(events: TaskEvent[]): void {
    for (const e of events) {
      const mem = this.refs.get(e.ref);
      if (!mem) continue; // a ref this process never asked about (an old run of the job)
      (mem.events ??= new Map()).set(e.index, e.exitCode);
      for (const l of this.listeners) {
        try {
          l(e);
        } catch (err) {
          this.log.error({ err }, 'slurm: task event listener failed');
        }
      }
    }
  }

  onTaskEvent(listener: (e: TaskEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Re-point pending tasks (one remote command for all). `expr` is a prepared Slurm dependency ('' clears); `on` is
   * the public form (afterok on those tasks).
   */
  async repoint(changes: (RepointChange | { ref: string; index: number; expr: string })[]): Promise<boolean[]> {
    if (changes.length === 0) return [];
    validRefs(changes.flatMap((c) => [c.ref, ...('on' in c ? c.on.map((t) => t.ref) : [])]));
    for (const c of changes) {
      if (!Number.isInteger(c.index) || c.index < 0) throw new SlurmError('invalid task index');
      if ('on' in c && c.on.some((t) => !Number.isInteger(t.index) || t.index < 0)) throw new SlurmError('invalid task index');
    }
    const lines = changes.map((c) => {
      const expr = 'on' in c ? afterokExpr(c.on) : c.expr;
      return `${shellJoin(['scontrol', 'update', `JobId=${c.ref}_${c.index}`, `Dependency=${expr}`])} >/dev/null 2>&1; echo "@@ $?"`;
    });
    const r = await this.conn.exec(lines.join('\n'), { retry: true });
    const codes = [...r.stdout.matchAll(/^@@ (\d+)$/gm)].map((m) => Number(m[1]));
    if (codes.length !== changes.length) throw new SlurmError('unexpected answer from the cluster');
    return codes.map((code, k) => {
      if (code === 0) this.refs.get(changes[k]!.ref)?.blockedSince?.delete(changes[k]!.index);
      return code === 0;
    });
  }

  /** Cancel every job of this ASTRAN job still known to Slurm (found by name: refs this process lost included). */
  async cancelJob(jobId: string): Promise<string[]> {
    const key = StageSubmissionSchema.pick({ jobId: true }).parse({ jobId });
    const out = await this.run(['sh', '-c', 'squeue -h -u "$(id -un)" -o "%F|%j"']);
    const refs = new Set<string>();
    for (const line of out.split('\n')) {
      const [id, ...name] = line.trim().split('|');
      if (id && SLURM_ID_RE.test(id) && parseJobName(name.join('|'))?.jobId === key.jobId) refs.add(id);
    }
    for (const [ref, mem] of this.refs) if (mem.key?.jobId === key.jobId) refs.add(ref);
    if (refs.size) await this.cancel([...refs]);
    return [...refs].sort();
  }

  async cancel(refs: string[]): Promise<void> {
    const ids = validRefs(refs);
    if (ids.length === 0) return;
    await this.run(['scancel', '--', ...ids]);
  }

  /** The stage of a reference, from memory or from Slurm's record of the job name. */
  private async keyOf(ref: string): Promise<StageKey> {
    const mem = this.memory(ref);
    if (mem.key) return mem.key;
    const p = parsePollOutput((await this.conn.exec(buildPollCommand([ref]), { retry: true })).stdout);
    const row = [...p.squeue, ...p.sacct, ...(p.scontrol ?? [])].find((x) => x.arrayJobId === ref && x.jobName);
    const key = row?.jobName ? parseJobName(row.jobName) : undefined;
    if (!key) throw new SlurmError('unknown cluster job');
    mem.key = key;
    return key;
  }

  async probeOutputs(refs: string[]): Promise<(ProbeReport | null)[]> {
    validRefs(refs);
    if (refs.length === 0) return [];
    const dirs: string[] = [];
    for (const ref of refs) dirs.push(stageWorkdir(this.cfg.remote_workdir, await this.keyOf(ref)));
    const texts = await this.readText(dirs.flatMap((d) => [posix.join(d, PROBE_RC), posix.join(d, PROBE_OUT)]));
    return refs.map((_, i) => {
      const exitCode = parseProbeExitCode(texts[2 * i] ?? null);
      return exitCode === null ? null : { exitCode, stdout: texts[2 * i + 1] ?? '' };
    });
  }

  async logTail(ref: string, taskIndex: number, lines: number): Promise<string> {
    validRefs([ref]);
    if (!Number.isInteger(taskIndex) || taskIndex < 0) throw new SlurmError('invalid task index');
    const n = Math.max(1, Math.min(1000, Math.floor(lines)));
    const path = taskLogPath(stageWorkdir(this.cfg.remote_workdir, await this.keyOf(ref)), taskIndex);
    const r = await this.conn.exec(shellJoin(['tail', '-n', String(n), '--', path]), { retry: true });
    return r.code === 0 ? scrubNodeNames(r.stdout) : '';
  }

  async remove(paths: string[]): Promise<void> {
    if (paths.length === 0) return;
    assertWritable(paths, this.readOnlyRoots, 'removing partial outputs', this.log);
    for (const p of paths) {
      const norm = posix.normalize(p);
      if (!p.startsWith('/') || norm !== p.replace(/\/+$/, '') || norm.split('/').length < 3) throw new SlurmError('refusing to remove an unsafe path');
    }
    // Files only (partial outputs); a directory makes rm fail loudly instead of deleting a tree.
    await this.run(['rm', '-f', '--', ...paths]);
  }

  async fetch(paths: string[], localDir: string): Promise<string[]> {
    await mkdir(localDir, { recursive: true });
    const used = new Set<string>();
    const locals = paths.map((p, i) => {
      let name = basename(p);
      if (!name || name === '.' || name === '..' || used.has(name)) name = `${i}-${name || 'file'}`;
      used.add(name);
      return join(localDir, name);
    });
    await this.conn.withSftp(async (sftp) => {
      for (let i = 0; i < paths.length; i++) {
        const st = await new Promise<{ size: number; mtime: number }>((res, rej) => sftp.stat(paths[i]!, (e, s) => (e ? rej(new SlurmError('cluster file not found')) : res(s))));
        const have = await stat(locals[i]!).catch(() => undefined);
        // A cached copy of the same size, not older than the remote file, is reused.
        if (have && have.size === st.size && have.mtimeMs / 1000 >= st.mtime) continue;
        await new Promise<void>((res, rej) => sftp.fastGet(paths[i]!, locals[i]!, (e) => (e ? rej(new SlurmError('download from the cluster failed')) : res())));
      }
    });
    return locals;
  }
}

/** Paths reach the remote script as arguments; a NUL or newline could still confuse the line protocol. */
function checkPaths(paths: string[]): string[] {
  for (const p of paths) if (!p || p.startsWith('-') || /[\0\n]/.test(p)) throw new SlurmError('invalid cluster path');
  return paths;
}

function sftpWrite(sftp: Sftp, path: string, data: string, mode: number): Promise<void> {
  return new Promise((res, rej) => sftp.writeFile(path, data, { mode }, (e) => (e ? rej(e) : res())));
}
