import { mkdir, stat } from 'node:fs/promises';
import { basename, join, posix } from 'node:path';
import { ClusterUnavailableError, type ClusterBackend, type FileStat, type StageStatus, type StageSubmission } from '../ClusterBackend.js';
import { LIST_SCRIPT, READ_SCRIPT, STAT_SCRIPT, parseListOutput, parseReadOutput, parseStatOutput } from './remoteFiles.js';
import type { Logger } from '../../log.js';
import { SlurmConfigSchema, type SlurmConfig, type SlurmConfigInput } from './config.js';
import { JOB_SCRIPT, MANIFEST, buildJobScript, buildManifest, buildSbatchArgv } from './jobScript.js';
import { mergeStatus, type RefMemory } from './mergeStatus.js';
import { SLURM_ID_RE, jobName, parseJobName, stageWorkdir, taskLogPath, type StageKey } from './naming.js';
import { parseSbatch } from './parseSbatch.js';
import { buildFindCommand, parseFindOutput } from './findCommand.js';
import { buildPollCommand, parsePollOutput } from './pollCommand.js';
import { shellJoin } from './shq.js';
import { scrubNodeNames } from './scrubNodeNames.js';
import { ConnectionLostError, SshConnection, type ConnectionChange, type Sftp } from './SshConnection.js';
import { StageSubmissionSchema } from './submissionSchema.js';
import { assertWritable } from '../WriteGuard.js';

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
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly readOnlyRoots: string[];

  constructor(config: SlurmConfigInput, opts: SlurmBackendOptions) {
    this.cfg = SlurmConfigSchema.parse(config);
    this.log = opts.log;
    this.now = opts.now ?? Date.now;
    this.readOnlyRoots = opts.readOnlyRoots ?? [];
    this.conn = new SshConnection(this.cfg, this.log);
    if (opts.onConnectionChange) this.conn.on('change', opts.onConnectionChange);
  }

  async start(): Promise<void> {
    await this.conn.start();
  }

  async stop(): Promise<void> {
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
    await this.run(['mkdir', '-p', '--', wd]);
    await this.conn.withSftp(async (sftp) => {
      await sftpWrite(sftp, posix.join(wd, JOB_SCRIPT), buildJobScript(sub, wd), 0o755);
      await sftpWrite(sftp, posix.join(wd, MANIFEST), buildManifest(sub), 0o644);
    });
    const argv = buildSbatchArgv(sub, this.cfg, wd);
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
    for (const ref of ids) {
      const mem = this.memory(ref);
      for (const row of [...p.squeue, ...p.sacct, ...(p.scontrol ?? [])]) {
        if (row.arrayJobId === ref && row.jobName && !mem.key) mem.key = parseJobName(row.jobName);
      }
      // Stages whose afterok parent failed stay pending forever: cancel them and say why.
      const stuck = [...p.squeue, ...(p.scontrol ?? [])].some(
        (row) => row.arrayJobId === ref && row.state === 'PENDING' && row.reason === 'DependencyNeverSatisfied',
      );
      if (stuck && !mem.depNeverSatisfied) {
        mem.depNeverSatisfied = true;
        toCancel.push(ref);
      }
      out.set(ref, mergeStatus(ref, mem, { ...p, nowMs: now, graceMs: this.cfg.vanish_grace_s * 1000 }));
    }
    if (toCancel.length) await this.cancel(toCancel);
    return out;
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
