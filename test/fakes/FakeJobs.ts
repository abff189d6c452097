import type { MemoryJobStore } from '../../src/store/MemoryJobStore.js';
import type { JobControl, RunInfo } from '../../src/core/services.js';
import type { InboundMessage } from '../../src/core/types.js';
import type { JobRecord, LaunchParams } from '../../src/core/JobStore.js';

/** JobControl creating jobs in the store; the test finishes them. */
export class FakeJobs implements JobControl {
  readonly launches: { params: LaunchParams; runs: number[]; channel?: string }[] = [];
  failAfterCreate = false;
  constructor(private readonly store: MemoryJobStore) {}
  async launch(params: LaunchParams, runs: RunInfo[], request: InboundMessage): Promise<JobRecord> {
    this.launches.push({ params, runs: runs.map((r) => r.runId), channel: request.channel });
    const job = this.store.createJob({ params, requester: request.identity, runIds: runs.map((r) => r.runId) });
    if (this.failAfterCreate) throw new Error('not_in_channel');
    return job;
  }
  async cancel(): Promise<void> {}
  describe(job: JobRecord): string {
    return job.id;
  }
}
