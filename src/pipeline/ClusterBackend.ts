/**
 * The cluster-backend interface: how the orchestrator runs pipeline stages. `local` runs them as
 * local processes; `slurm` submits job arrays over SSH. Commands are argv arrays built from
 * validated values; a backend that needs a shell must quote every element itself.
 */
import type { ProbeReport } from './toolVersion.js';

export type { ProbeReport } from './toolVersion.js';

/**
 * The cluster cannot be reached right now (login node down, slurmctld or slurmdbd not answering). Transient by nature:
 * the orchestrator pauses the job and retries; it never fails a job for it. Backends throw this (or a subclass) for
 * every outage, and other errors only for problems that retrying cannot fix.
 */
export class ClusterUnavailableError extends Error {
  constructor(message = 'the cluster is not answering') {
    super(message);
    this.name = 'ClusterUnavailableError';
  }
}

export interface StageTask {
  /** Array index (0-based) = SLURM_ARRAY_TASK_ID. */
  index: number;
  /** Run this task processes. */
  runId: number;
  /** argv of the command; argv[0] is the program. */
  argv: string[];
  /** Files the task reads / must produce (absolute paths on the cluster). */
  inputs: string[];
  outputs: string[];
  /**
   * The task's staging folder (`{out_dir}` in its argv), if it has one: emptied before the tool starts; on exit code
   * 0 every declared output must be there, and is then renamed to its final path (other files first). Without a
   * staging folder, outputs the failed task touched are renamed to `<output>.partial` so no final name holds half a file.
   */
  staging?: string;
}

export interface StageSubmission {
  /** ASTRAN job id, carried in the Slurm job name/comment. */
  jobId: string;
  stage: string;
  attempt: number;
  tasks: StageTask[];
  /**
   * Submissions every task of this stage waits for, whole (all their tasks must succeed: Slurm `afterok`). Held by
   * the cluster, so a chain can be submitted at once (per-night stages wait for the whole previous array).
   */
  dependsOn?: string[];
  /**
   * Single tasks that one task waits for, on top of dependsOn (per-run stages: the same run's task of the previous
   * stage). Slurm gets `aftercorr` where the arrays line up, else per-task `afterok`.
   */
  taskDependsOn?: TaskDependency[];
  /** Lines run before each task (environment activation), from config; not user text. */
  setup?: string[];
  /** Extra environment for the task (validated values). */
  env?: Record<string, string>;
  /** Max concurrently running tasks (Slurm %M, local concurrency). */
  maxParallel?: number;
  /** Folders the backend creates (mkdir -p) before any task runs; the lstchain tools do not create them. */
  mkdirs?: string[];
  /** Slurm resources for this stage (override the backend's defaults), validated by config. */
  time?: string;
  mem?: string;
  /**
   * A command the tasks' environment answers about itself (`pipeline.version_probe`, e.g. `python -c 'import lstchain;
   * print(lstchain.__version__)'`), from config: run once per submission, after the setup lines, in the environment the
   * tools run in (on Slurm: by the task with the lowest index, on its compute node, before the tool). Its stdout and
   * exit code are kept for probeOutputs(); a failing probe never fails the task.
   */
  probe?: string[];
  /**
   * Slurm account, partition and QoS of the job's requester (people.<id>.slurm); each overrides the backend's default
   * (backends.slurm). Validated names only.
   */
  account?: string;
  partition?: string;
  qos?: string;
  /** Who asked for the job (a person's id, or their sanitised identity), named in the Slurm job comment. */
  requester?: string;
}

/** One task of a submission. */
export interface TaskRef {
  ref: string;
  index: number;
}

/** Task `index` of a submission waits for these tasks to succeed. */
export interface TaskDependency {
  index: number;
  on: TaskRef[];
}

/** A line of a job's events file: a task finished with this exit code (a hint: poll() stays the truth). */
export interface TaskEvent {
  ref: string;
  index: number;
  exitCode: number;
}

/** Task `index` of submission `ref` is to wait for `on` instead of what it waited for. */
export interface RepointChange {
  ref: string;
  index: number;
  on: TaskRef[];
}

export type TaskState = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface TaskStatus {
  index: number;
  state: TaskState;
  exitCode?: number;
  /** Plain-words reason: TIMEOUT, OUT_OF_MEMORY, NODE_FAIL, non-zero exit, DependencyNeverSatisfied... */
  reason?: string;
}

export interface StageStatus {
  ref: string;
  /** Rolled up state of the whole array. */
  state: TaskState;
  tasks: TaskStatus[];
}

/** Size and modification time of a file as the cluster sees it. */
export interface FileStat {
  size: number;
  /** Modification time, milliseconds since the epoch (sub-second where the file system has it). */
  mtimeMs: number;
}

/** Largest file readText() returns (catalogues, run summaries and flags are a few kB). */
export const READ_TEXT_MAX_BYTES = 4 * 1024 * 1024;

/**
 * Reading the cluster's file system: catalogues, run summaries, completeness flags and model/IRF folders live where the
 * data is, not on the bot host. Every backend implements these; each call is one round trip for all its paths.
 */
export interface ClusterFiles {
  /** For each path, whether it exists (on the cluster). Batched: one round trip. */
  exists(paths: string[]): Promise<boolean[]>;
  /** Size and mtime per path (null when absent). */
  stat(paths: string[]): Promise<(FileStat | null)[]>;
  /** UTF-8 text of each (small) file, null when absent or not a regular file; over READ_TEXT_MAX_BYTES is an error. */
  readText(paths: string[]): Promise<(string | null)[]>;
  /** Entry names of a folder (not recursive, sorted), null when the folder does not exist. */
  list(dir: string): Promise<string[] | null>;
}

export interface ClusterBackend extends ClusterFiles {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Submit a stage; returns the backend reference to poll/cancel. */
  submit(sub: StageSubmission): Promise<string>;
  /** Find a stage submitted before a crash (by job name/comment) so it is never submitted twice. */
  findSubmitted(jobId: string, stage: string, attempt: number): Promise<string | undefined>;
  /** State of many submissions at once (one round trip per tick for all jobs). */
  poll(refs: string[]): Promise<Map<string, StageStatus>>;
  cancel(refs: string[]): Promise<void>;
  /**
   * Cancel everything submitted for an ASTRAN job (the whole chain, found by name, refs this process does not know
   * included). Returns the refs cancelled.
   */
  cancelJob(jobId: string): Promise<string[]>;
  /**
   * Point pending tasks at new tasks to wait for (a retry replacing a failed parent). One round trip for all; for each
   * change, false when that task is no longer pending (it ran or was cancelled).
   */
  repoint(changes: RepointChange[]): Promise<boolean[]>;
  /**
   * Follow task completions as they happen (the backend's event files or processes). Events are hints that a task
   * finished; duplicates and losses are harmless because poll() stays the source of truth. Returns an unsubscribe.
   */
  onTaskEvent(listener: (e: TaskEvent) => void): () => void;
  /**
   * What each submission's probe left (StageSubmission.probe): exit code and stdout, null when the submission had no
   * probe or it has not finished (yet). One round trip for all refs. The text is external input: parse it strictly.
   */
  probeOutputs(refs: string[]): Promise<(ProbeReport | null)[]>;
  /** Last `lines` lines of a task's log. */
  logTail(ref: string, taskIndex: number, lines: number): Promise<string>;
  /** Remove files (partial outputs before a retry). */
  remove(paths: string[]): Promise<void>;
  /** Make cluster files available locally for the analysis; returns local paths in the same order. */
  fetch(paths: string[], localDir: string): Promise<string[]>;
}
