import type { Identity, MessageRef, ThreadRef } from './types.js';
import type { KeyValueStore } from './KeyValueStore.js';

/** Life cycle of an ASTRAN job. `running` carries the pipeline stage name in JobRecord.stage. */
export const JOB_STATES = ['queued', 'waiting_inputs', 'running', 'analysis', 'done', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];
export const FINAL_STATES: readonly JobState[] = ['done', 'failed', 'cancelled'];
export function isFinal(s: JobState): boolean {
  return FINAL_STATES.includes(s);
}

/** The validated parameters of a launch, as stored (JSON). */
export interface LaunchParams {
  /** Canonical source name from the source list, or the name of a target of opportunity (see `target`). */
  source: string;
  /** Set for a target of opportunity (not in the source list): its J2000 coordinates in degrees. */
  target?: { ra: number; dec: number };
  /** Monte Carlo declination line chosen for each run (RF models + IRFs), keyed by run id, when dec_lines is configured. */
  runDecLines?: Record<string, { line: string; dec: number; pointingDec: number }>;
  /** First and last night, YYYYMMDD (equal for a single night). */
  nightFrom: string;
  nightTo: string;
  runs?: number[];
  theta2_cut?: number;
  off_regions?: number;
  emin?: number;
  emax?: number;
  dry_run?: boolean;
  force?: boolean;
  /** Night (YYYYMMDD) of each resolved run, keyed by run id: path templates need the run's own night in a range. */
  runNights?: Record<string, string>;
}

export interface JobError {
  /** Error id quoted to the user (E-XXXXXX). */
  id: string;
  /** User-facing message (no paths/hosts). */
  message: string;
  /** Log tail or other detail shown to the user, already sanitised by the caller. */
  detail?: string;
}

/** The person (config `people`) a job belongs to, resolved when it was launched. */
export interface JobOwner {
  /** The person's id in the config (`people.<id>`): ownership (cancel, `jobs mine`) compares this. */
  person: string;
  /** Their configured display name, shown in `jobs` and thread headers. */
  name: string;
}

/**
 * What a job's cluster work is charged to (Slurm `--account`, `--partition`, `--qos`), resolved at launch from the
 * requester's person. A field left out falls back to the backend's default (backends.slurm); null: defaults only.
 */
export interface SlurmCharge {
  account?: string;
  partition?: string;
  qos?: string;
}

export interface JobRecord {
  /** Human-typable id, e.g. A-0042. */
  id: string;
  seq: number;
  state: JobState;
  /** Current pipeline stage while running, else null. */
  stage: string | null;
  params: LaunchParams;
  requester: Identity;
  thread: ThreadRef | null;
  progressMessage: MessageRef | null;
  /** Resolved run ids (after night resolution). */
  runIds: number[];
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  error: JobError | null;
  /** Summary of the result (JSON), e.g. total counts and image names. */
  result: unknown;
  /** Cancellation asked for (by whom), acted on by the orchestrator. */
  cancelRequestedBy: string | null;
  /** The person who launched it; null when the requester is no configured person (access by pattern, the watcher, older jobs). */
  owner: JobOwner | null;
  /** Slurm account/partition/QoS of its cluster work; null: the backend's defaults. */
  charge: SlurmCharge | null;
}

export interface NewJob {
  params: LaunchParams;
  requester: Identity;
  owner?: JobOwner | null;
  charge?: SlurmCharge | null;
  thread?: ThreadRef | null;
  runIds?: number[];
  /**
   * The request that launched the job (`<adapter>:<request id>`, e.g. an e-mail Message-ID or a slash trigger_id).
   * Recorded in the same transaction as the job: a request handled again after a crash finds its job instead of
   * launching a second one.
   */
  requestKey?: string;
}

export type JobPatch = Partial<Pick<JobRecord, 'state' | 'stage' | 'thread' | 'progressMessage' | 'runIds' | 'finishedAt' | 'error' | 'result' | 'cancelRequestedBy'>>;

export interface JobEvent {
  jobId: string;
  at: string;
  kind: string;
  message: string;
  data?: unknown;
}

/**
 * One attempt of one stage of a job on the cluster backend (possibly an array). Recorded as `submitting` BEFORE
 * the backend is asked, so after a crash the attempt is looked up by name rather than submitted twice.
 */
export interface SubmissionRecord {
  jobId: string;
  stage: string;
  /** Attempt number, 1-based (retries of failed tasks create new attempts). */
  attempt: number;
  /** Backend's reference (Slurm job id, local process group id...). Null while submission is in flight. */
  backendRef: string | null;
  /** Where the attempt is: `submitting`, `submitted`, then `completed`, `failed` or `cancelled`. */
  state: string;
  /** The runner's own record (JSON): the attempt's tasks with their index, runs and expected outputs. */
  detail: unknown;
  createdAt: string;
  updatedAt: string;
}

export interface JobFilter {
  /** Only jobs not in a final state. */
  active?: boolean;
  requesterUserId?: string;
  /**
   * Jobs of a person: owned by `person`, or requested from one of `userIds` (jobs from before the person was
   * configured). A superset: callers still check the adapter (ownsJob).
   */
  owner?: { person?: string; userIds: string[] };
  limit?: number;
}

/**
 * Storage of jobs, their event logs, backend submissions and processed inbound message ids.
 * Synchronous on purpose: better-sqlite3 is synchronous and the in-memory twin mirrors it.
 */
export interface JobStore {
  createJob(job: NewJob): JobRecord;
  getJob(id: string): JobRecord | undefined;
  updateJob(id: string, patch: JobPatch): JobRecord;
  listJobs(filter?: JobFilter): JobRecord[];
  findJobByThread(thread: ThreadRef): JobRecord | undefined;
  /** The job launched by a request (NewJob.requestKey), if any. */
  findJobByRequest(requestKey: string): JobRecord | undefined;

  addEvent(jobId: string, kind: string, message: string, data?: unknown): void;
  events(jobId: string, limit?: number): JobEvent[];

  /** Insert or replace the submission of (jobId, stage, attempt). */
  putSubmission(sub: Omit<SubmissionRecord, 'createdAt' | 'updatedAt'>): SubmissionRecord;
  submissions(jobId: string): SubmissionRecord[];

  /**
   * Record that an inbound message (e.g. an e-mail Message-ID) was handled. Returns false when it
   * was recorded before, so a caller processes every message exactly once.
   */
  markProcessed(source: string, messageId: string): boolean;
  wasProcessed(source: string, messageId: string): boolean;

  /** Small key/value space for adapters (e.g. Mattermost last-seen post time). */
  getMeta(key: string): string | undefined;
  setMeta(key: string, value: string): void;
  /** The adapters' narrow view of the same key/value space (read, write, delete). */
  keyValues(): KeyValueStore;

  close(): void;
}
