/** Services for command/dispatcher tests: the real MemoryJobStore and SourceCatalog, a run list, a recording JobControl. */
import type { CommandServices, JobControl, LaunchedBy, NightIndex, RunInfo } from '../../src/core/services.js';
import type { Identity, InboundMessage, ThreadRef } from '../../src/core/types.js';
import type { JobRecord, JobStore, LaunchParams } from '../../src/core/JobStore.js';
import { MemoryJobStore } from '../../src/store/MemoryJobStore.js';
import { MemoryWatchStore } from '../../src/store/MemoryWatchStore.js';
import { SourceCatalog, type SourceEntry } from '../../src/config/SourceCatalog.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { ChargePolicy, type ChargeDefaults } from '../../src/people/ChargePolicy.js';
import { PeopleDirectory } from '../../src/people/PeopleDirectory.js';
import type { PeopleConfig } from '../../src/people/config.js';

export const TEST_SOURCES: SourceEntry[] = [
  { name: 'Crab Nebula', aliases: ['Crab', 'M1'], ra: 83.63308, dec: 22.0145 },
  { name: 'PKS 2155-304', aliases: ['PKS2155', 'PKS 2155'], ra: 329.71694, dec: -30.22559 },
  { name: 'Mrk 421', aliases: ['Mrk421', 'Markarian 421'], ra: 166.11381, dec: 38.20883 },
  { name: 'Mrk 501', aliases: ['Mrk501'], ra: 253.46757, dec: 39.76017 },
  { name: 'Geminga', aliases: [], ra: 98.47564, dec: 17.77025 },
];

/** Default runs: Crab on 20231206 (3) and 20231209 (2), PKS 2155-304 on 20231201 (1); none for Geminga. */
export const TEST_RUNS: RunInfo[] = [
  { runId: 1801, night: '20231206', source: 'Crab Nebula' },
  { runId: 1802, night: '20231206', source: 'Crab Nebula' },
  { runId: 1803, night: '20231206', source: 'Crab Nebula' },
  { runId: 1901, night: '20231209', source: 'Crab Nebula' },
  { runId: 1902, night: '20231209', source: 'Crab Nebula' },
  { runId: 1700, night: '20231201', source: 'PKS 2155-304' },
];

/** Default clock: morning of 2023-12-10 UTC, so "yesterday" is the night 20231209. */
export const TEST_NOW = new Date('2023-12-10T09:30:00Z');

export class ListNightIndex implements NightIndex {
  calls = 0;
  constructor(private readonly list: RunInfo[]) {}
  async runs(source: SourceEntry, from: string, to: string): Promise<RunInfo[]> {
    this.calls++;
    return this.list.filter((r) => r.source === source.name && r.night >= from && r.night <= to);
  }
  async nights(source: SourceEntry): Promise<{ night: string; runs: number }[]> {
    const m = new Map<string, number>();
    for (const r of this.list) if (r.source === source.name) m.set(r.night, (m.get(r.night) ?? 0) + 1);
    return [...m].sort((a, b) => a[0].localeCompare(b[0])).map(([night, runs]) => ({ night, runs }));
  }
}

export type ThreadOpener = (request: InboundMessage, text: string, jobId: string) => Promise<ThreadRef | null>;

/** JobControl that records calls, creates jobs in the store and opens a thread through `openThread`. */
export class RecordingJobControl implements JobControl {
  readonly launches: { params: LaunchParams; runs: RunInfo[]; requestId: string; by?: LaunchedBy }[] = [];
  readonly cancels: { jobId: string; by: Identity }[] = [];
  openThread: ThreadOpener = async () => null;
  constructor(private readonly store: JobStore) {}

  async launch(params: LaunchParams, runs: RunInfo[], request: InboundMessage, _source?: SourceEntry, by?: LaunchedBy): Promise<JobRecord> {
    this.launches.push({ params, runs, requestId: request.id, by });
    const job = this.store.createJob({ params, requester: request.identity, runIds: runs.map((r) => r.runId), owner: by?.owner ?? null, charge: by?.charge ?? null });
    const thread = await this.openThread(request, `${job.id}: ${params.source} ${params.nightFrom}`, job.id);
    return thread ? this.store.updateJob(job.id, { thread }) : job;
  }

  async cancel(job: JobRecord, by: Identity): Promise<void> {
    this.cancels.push({ jobId: job.id, by });
    this.store.updateJob(job.id, { cancelRequestedBy: `${by.adapter}:${by.userId}` });
  }

  describe(job: JobRecord): string {
    return `${job.id}: ${job.state}${job.stage ? ` (${job.stage})` : ''} — ${job.params.source} ${job.params.nightFrom}, ${job.runIds.length} runs`;
  }
}

export interface FakeServices extends CommandServices {
  store: MemoryJobStore;
  nights: ListNightIndex;
  jobs: RecordingJobControl;
  watch: { store: MemoryWatchStore; defaults: CommandServices['watch']['defaults'] };
  /** Move the clock. */
  setNow(d: Date): void;
}

/**
 * `people` and `charge`: the configured people and the backend's Slurm defaults (default: the local backend, where
 * nothing is charged).
 */
export function makeServices(opts: { runs?: RunInfo[]; now?: Date; log?: Logger; people?: PeopleConfig; charge?: ChargeDefaults } = {}): FakeServices {
  let now = opts.now ?? TEST_NOW;
  const clock = () => now;
  const store = new MemoryJobStore({ now: clock });
  return {
    store,
    sources: new SourceCatalog(TEST_SOURCES),
    nights: new ListNightIndex(opts.runs ?? TEST_RUNS),
    jobs: new RecordingJobControl(store),
    log: opts.log ?? silentLogger,
    now: clock,
    maxNights: 31,
    people: new ChargePolicy(opts.charge ?? { backend: 'local' }, new PeopleDirectory(opts.people ?? {})),
    watch: { store: new MemoryWatchStore(clock), defaults: { theta2_cut: 0.02, off_regions: 3, alert_sigma: 5, alert_rate: null, start_utc: '06:00', digest_utc: '12:00' } },
    setNow(d: Date) {
      now = d;
    },
  };
}

/** A job in the store owned by `owner`, in a given state/stage, optionally with a thread. */
export function seedJob(
  s: FakeServices,
  owner: Identity,
  opts: { state?: JobRecord['state']; stage?: string; thread?: ThreadRef; source?: string; night?: string } = {},
): JobRecord {
  const night = opts.night ?? '20231206';
  const job = s.store.createJob({
    params: { source: opts.source ?? 'Crab Nebula', nightFrom: night, nightTo: night },
    requester: owner,
    thread: opts.thread ?? null,
    runIds: [1801, 1802, 1803],
  });
  return s.store.updateJob(job.id, { state: opts.state ?? 'running', stage: opts.stage ?? (opts.state && opts.state !== 'running' ? null : 'dl1_to_dl2') });
}
