import type { Identity, InboundMessage, Reply, SourceEntry } from './types.js';
import type { JobOwner, JobRecord, JobStore, LaunchParams, SlurmCharge } from './JobStore.js';
import type { Logger } from '../log.js';
import type { WatchStore } from './WatchStore.js';

/** Roles, weakest first. viewer: status/jobs/help/sources/nights; launcher: + launch, cancel own; admin: + cancel any. */
export const ROLES = ['viewer', 'launcher', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export function roleAtLeast(have: Role | null, need: Role): boolean {
  return have !== null && ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/**
 * A person (config `people`): one human with identities on any adapter (`slack:U…`, `mattermost:…`, an e-mail
 * address), one role everywhere, and optionally their own Slurm account, partition and QoS.
 */
export interface Person {
  /** The config key, e.g. `alice`: what job ownership and the Slurm job comment record. */
  id: string;
  /** Display name (configured; the id when none). */
  name: string;
  role: Role;
  identities: Identity[];
  /** Their own Slurm settings; what is left out falls back to backends.slurm. */
  slurm: SlurmCharge;
}

/** Who a launch belongs to and what it is charged to, as the launch command resolved them. */
export interface LaunchedBy {
  owner: JobOwner | null;
  charge: SlurmCharge | null;
}

/** What launches are charged to, or why one cannot be: the launch command asks before anything is submitted. */
export type ChargeDecision = { ok: true; charge: SlurmCharge | null } | { ok: false; message: string; fix: string };

/** People as commands see them. */
export interface PeopleServices {
  /** What a launch by `person` (undefined: an identity of no configured person) is charged to. */
  chargeFor(person: Person | undefined): ChargeDecision;
  /** What a standing-order launch is charged to (the configured default, never a subscriber's account). */
  standingOrderCharge(): ChargeDecision;
}

/** One run of a source in a night, as found in the run catalog or the DL3 obs-index. */
export interface RunInfo {
  runId: number;
  night: string; // YYYYMMDD
  source: string; // canonical source name
  /** Start time ISO UTC, when known. */
  start?: string;
  /** Pointing declination in degrees (RunCatalog `source_dec`), when known: picks the MC declination line. */
  pointingDec?: number;
}

/** Which runs exist: from the night's RunCatalog when configured, else from the DL3 obs-index. */
export interface NightIndex {
  /** Runs of `source` in nights nightFrom..nightTo (inclusive, YYYYMMDD). */
  runs(source: SourceEntry, nightFrom: string, nightTo: string): Promise<RunInfo[]>;
  /** Every night that has runs of `source`, ascending, with run counts. */
  nights(source: SourceEntry): Promise<{ night: string; runs: number }[]>;
}

/** What the commands can do to jobs; implemented by the orchestrator. */
export interface JobControl {
  /**
   * Create a job, open its thread from `request`, and start it in the background. `source` is the entry the caller
   * already resolved (the launch command), so the name is resolved once.
   */
  launch(params: LaunchParams, runs: RunInfo[], request: InboundMessage, source?: SourceEntry, by?: LaunchedBy): Promise<JobRecord>;
  /** Ask for a job to be cancelled; the orchestrator cancels backend work and posts in the thread. */
  cancel(job: JobRecord, by: Identity): Promise<void>;
  /** Multi-line human status of a job (stage, runs done/total, elapsed, last events). */
  describe(job: JobRecord): string;
}

/** The configured source list as commands use it (implemented by src/config/SourceCatalog.ts). */
export interface SourceLookup {
  readonly entries: readonly SourceEntry[];
  /** Name or alias, case-insensitive → the entry. */
  resolve(name: string): SourceEntry | undefined;
  /** Closest canonical names, for "did you mean". */
  suggest(name: string, max?: number): string[];
}

/** What the standing-order commands need: the subscription store and the defaults a subscription starts from. */
export interface WatchServices {
  store: WatchStore;
  defaults: { theta2_cut: number; off_regions: number; alert_sigma: number; alert_rate: number | null; start_utc: string; digest_utc: string };
}

export interface CommandServices {
  store: JobStore;
  sources: SourceLookup;
  nights: NightIndex;
  jobs: JobControl;
  log: Logger;
  /** Current time (injectable for tests). */
  now(): Date;
  /** Max nights in a date range (31). */
  maxNights: number;
  /** Subscriptions (subscribe, unsubscribe, subscriptions). */
  watch: WatchServices;
  /** Picks each run's Monte Carlo declination line (RF models + IRFs); absent when the config has no dec_lines. */
  decLines?: DecLinePicker;
  /** Slurm accounts of people (config `people`, backends.slurm defaults). */
  people: PeopleServices;
}

/** A run's Monte Carlo declination line: folder name (`dec_2276`) and its declination in degrees. */
export interface RunDecLine {
  line: string;
  dec: number;
  /** The run's pointing declination it was chosen for. */
  pointingDec: number;
}

/** Chooses the declination line of each run from the lines available on the cluster. */
export interface DecLinePicker {
  /** Either every run's line, or plain-words refusals (one per problem) naming the runs. */
  pick(runs: RunInfo[]): Promise<{ ok: true; lines: Record<string, RunDecLine> } | { ok: false; problems: { message: string; fix?: string }[] }>;
}

/** Everything a command handler sees. */
export interface CommandContext {
  msg: InboundMessage;
  identity: Identity;
  role: Role;
  /** The configured person this identity belongs to, if any (same person on every adapter). */
  person?: Person;
  /** The job whose thread the message was typed in, if any. */
  threadJob?: JobRecord;
  services: CommandServices;
}

export type CommandReply = Reply;
