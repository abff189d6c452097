/** ONE contract suite for every JobStore implementation (in-memory twin and SQLite). */
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobStore, NewJob } from '../../../src/core/JobStore.js';
import { MemoryJobStore } from '../../../src/store/MemoryJobStore.js';
import { SqliteJobStore } from '../../../src/store/SqliteJobStore.js';
import { UnknownJobError } from '../../../src/store/StoreErrors.js';

interface StoreOpts {
  now: () => Date;
  prefix?: string;
}

/** A clock that advances one second per reading, so every timestamp is distinct and predictable. */
function steppingClock(startIso = '2026-11-26T10:00:00.000Z'): { now: () => Date; last: () => string } {
  let t = Date.parse(startIso);
  let last = '';
  return {
    now: () => {
      t += 1000;
      const d = new Date(t);
      last = d.toISOString();
      return d;
    },
    last: () => last,
  };
}

function newJob(userId = 'U1', extra: Partial<NewJob> = {}): NewJob {
  return {
    params: { source: 'Crab', nightFrom: '20261125', nightTo: '20261125', theta2_cut: 0.02 },
    requester: { adapter: 'slack', userId, displayName: 'Ana' },
    ...extra,
  };
}

export function jobStoreContract(name: string, makeStore: (opts: StoreOpts) => JobStore, cleanup: () => void = () => {}): void {
  describe(`JobStore contract: ${name}`, () => {
    let store: JobStore;
    let clock: ReturnType<typeof steppingClock>;
    beforeEach(() => {
      clock = steppingClock();
      store = makeStore({ now: clock.now });
    });
    afterEach(() => {
      store.close();
      cleanup();
    });

    it('creates a queued job with a typable id, defaults and ISO UTC timestamps', () => {
      const j = store.createJob(newJob('U1', { thread: { adapter: 'slack', key: 'C1:1.2' }, runIds: [1807, 1808] }));
      assert.equal(j.id, 'A-0001');
      assert.equal(j.seq, 1);
      assert.equal(j.state, 'queued');
      assert.equal(j.stage, null);
      assert.deepEqual(j.params, { source: 'Crab', nightFrom: '20261125', nightTo: '20261125', theta2_cut: 0.02 });
      assert.deepEqual(j.requester, { adapter: 'slack', userId: 'U1', displayName: 'Ana' });
      assert.deepEqual(j.thread, { adapter: 'slack', key: 'C1:1.2' });
      assert.deepEqual(j.runIds, [1807, 1808]);
      assert.equal(j.progressMessage, null);
      assert.equal(j.finishedAt, null);
      assert.equal(j.error, null);
      assert.equal(j.result, null);
      assert.equal(j.cancelRequestedBy, null);
      assert.equal(j.createdAt, '2026-11-26T10:00:01.000Z');
      assert.equal(j.updatedAt, j.createdAt);
      assert.deepEqual(store.getJob('A-0001'), j);
    });

    it("keeps a job's owner and charge, and lists a person's jobs from every identity", () => {
      const owned = store.createJob(newJob('alice@iac.es', { requester: { adapter: 'email', userId: 'alice@iac.es' }, owner: { person: 'alice', name: 'Alice Example' }, charge: { account: 'lst_alice', qos: 'high' } }));
      assert.deepEqual(owned.owner, { person: 'alice', name: 'Alice Example' });
      assert.deepEqual(owned.charge, { account: 'lst_alice', qos: 'high' });
      assert.deepEqual(store.getJob(owned.id)!.charge, { account: 'lst_alice', qos: 'high' });
      const old = store.createJob(newJob('U0ALICE'));
      assert.equal(old.owner, null);
      assert.equal(old.charge, null);
      store.createJob(newJob('U0DAN', { owner: { person: 'dan', name: 'Dan' } }));
      const ids = (f: Parameters<JobStore['listJobs']>[0]) => store.listJobs(f).map((j) => j.id);
      assert.deepEqual(ids({ owner: { person: 'alice', userIds: ['U0ALICE'] } }), [old.id, owned.id]);
      assert.deepEqual(ids({ owner: { person: 'alice', userIds: [] } }), [owned.id]);
      assert.deepEqual(ids({ owner: { userIds: ['U0DAN'] } }), ['A-0003']);
      assert.deepEqual(ids({ owner: { userIds: [] } }), []);
      assert.throws(() => store.createJob(newJob('U1', { owner: { person: 'Alice Smith', name: 'x' } })), /invalid job owner/);
      assert.throws(() => store.createJob(newJob('U1', { charge: { account: "x'; id" } })), /invalid job charge/);
      assert.equal(store.updateJob(owned.id, { state: 'running' }).charge?.account, 'lst_alice');
    });

    it('rejects invalid values on write, so no reader ever meets them', () => {
      assert.throws(() => store.createJob({ ...newJob(), params: { source: 'Crab', nightFrom: '2026-11-25', nightTo: '20261125' } }), /invalid job params\.nightFrom/);
      assert.throws(() => store.createJob({ ...newJob(), requester: { adapter: 'slack', userId: '' } }), /invalid job requester/);
      const j = store.createJob(newJob());
      assert.equal(j.id, 'A-0001', 'a rejected create uses up no number');
      assert.throws(() => store.updateJob(j.id, { state: 'exploded' as never }), /invalid job state/);
      assert.throws(() => store.updateJob(j.id, { runIds: [1.5] }), /invalid job runIds/);
      assert.throws(() => store.updateJob(j.id, { thread: { adapter: 'slack' } as never }), /invalid job thread/);
      assert.equal(store.getJob(j.id)!.state, 'queued', 'a rejected patch changes nothing');
      assert.equal(store.listJobs().length, 1, 'a rejected create stores nothing');
    });

    it('hands out monotonic sequence numbers', () => {
      const ids = [1, 2, 3].map(() => store.createJob(newJob()).id);
      assert.deepEqual(ids, ['A-0001', 'A-0002', 'A-0003']);
    });

    it('returns copies, not live objects', () => {
      const j = store.createJob(newJob());
      j.runIds.push(99);
      j.params.source = 'Mrk 421';
      const again = store.getJob(j.id)!;
      assert.deepEqual(again.runIds, []);
      assert.equal(again.params.source, 'Crab');
    });

    it('getJob of an unknown id is undefined; updateJob of it throws', () => {
      assert.equal(store.getJob('A-0999'), undefined);
      assert.throws(() => store.updateJob('A-0999', { state: 'running' }), UnknownJobError);
    });

    it('updates fields, bumps updatedAt, ignores undefined keys and stamps finishedAt on a final state', () => {
      const j = store.createJob(newJob());
      const u1 = store.updateJob(j.id, { state: 'running', stage: 'dl1_to_dl2', runIds: [1807], stage2: undefined } as never);
      assert.equal(u1.state, 'running');
      assert.equal(u1.stage, 'dl1_to_dl2');
      assert.deepEqual(u1.runIds, [1807]);
      assert.ok(u1.updatedAt > j.updatedAt);
      assert.equal(u1.finishedAt, null);

      const u2 = store.updateJob(j.id, { stage: undefined, progressMessage: { thread: { adapter: 'slack', key: 'C1:1.2' }, id: '1.3' } });
      assert.equal(u2.stage, 'dl1_to_dl2', 'undefined must not wipe a column');
      assert.deepEqual(u2.progressMessage, { thread: { adapter: 'slack', key: 'C1:1.2' }, id: '1.3' });

      const u3 = store.updateJob(j.id, {
        state: 'failed',
        stage: null,
        error: { id: 'E-ABC123', message: 'stage dl1_to_dl2 failed', detail: 'exit code 3' },
        result: { n: 2, images: ['theta2.png'] },
      });
      assert.equal(u3.stage, null);
      assert.equal(u3.finishedAt, u3.updatedAt);
      assert.deepEqual(u3.error, { id: 'E-ABC123', message: 'stage dl1_to_dl2 failed', detail: 'exit code 3' });
      assert.deepEqual(store.getJob(j.id), u3);
      assert.deepEqual(store.getJob(j.id)!.result, { n: 2, images: ['theta2.png'] });

      const explicit = store.createJob(newJob());
      const u4 = store.updateJob(explicit.id, { state: 'cancelled', finishedAt: '2026-01-01T00:00:00.000Z', cancelRequestedBy: 'U2' });
      assert.equal(u4.finishedAt, '2026-01-01T00:00:00.000Z');
      assert.equal(u4.cancelRequestedBy, 'U2');
    });

    it('lists newest first with active / requester / limit filters', () => {
      const a = store.createJob(newJob('U1'));
      const b = store.createJob(newJob('U2'));
      const c = store.createJob(newJob('U1'));
      const d = store.createJob(newJob('U1'));
      store.updateJob(a.id, { state: 'done' });
      store.updateJob(c.id, { state: 'cancelled' });
      store.updateJob(b.id, { state: 'analysis' });
      assert.deepEqual(store.listJobs().map((j) => j.id), [d.id, c.id, b.id, a.id]);
      assert.deepEqual(store.listJobs({ active: true }).map((j) => j.id), [d.id, b.id]);
      assert.deepEqual(store.listJobs({ requesterUserId: 'U1' }).map((j) => j.id), [d.id, c.id, a.id]);
      assert.deepEqual(store.listJobs({ requesterUserId: 'U1', active: true }).map((j) => j.id), [d.id]);
      assert.deepEqual(store.listJobs({ limit: 2 }).map((j) => j.id), [d.id, c.id]);
      assert.deepEqual(store.listJobs({ limit: 0 }), []);
      assert.deepEqual(store.listJobs({ requesterUserId: 'nobody' }), []);
    });

    it('finds a job by thread, matching adapter and key', () => {
      store.createJob(newJob('U1', { thread: { adapter: 'slack', key: 'C1:1.1' } }));
      const b = store.createJob(newJob('U1', { thread: { adapter: 'mattermost', key: 'C1:1.1' } }));
      const c = store.createJob(newJob('U1'));
      store.updateJob(c.id, { thread: { adapter: 'email', key: '<m1@x>' } });
      assert.equal(store.findJobByThread({ adapter: 'mattermost', key: 'C1:1.1' })?.id, b.id);
      assert.equal(store.findJobByThread({ adapter: 'slack', key: 'C1:1.1' })?.id, 'A-0001');
      assert.equal(store.findJobByThread({ adapter: 'email', key: '<m1@x>' })?.id, c.id);
      assert.equal(store.findJobByThread({ adapter: 'slack', key: 'C1:9.9' }), undefined);
      assert.equal(store.findJobByThread({ adapter: 'email', key: 'C1:1.1' }), undefined);
    });

    it('keeps the event log in order; limit gives the most recent, oldest first', () => {
      const j = store.createJob(newJob());
      const other = store.createJob(newJob());
      store.addEvent(j.id, 'state', 'queued');
      store.addEvent(other.id, 'state', 'other job');
      store.addEvent(j.id, 'stage', 'dl1_to_dl2 submitted', { ref: 'local-1', runs: [1807] });
      store.addEvent(j.id, 'stage', 'dl1_to_dl2 done');
      const evs = store.events(j.id);
      assert.deepEqual(evs.map((e) => e.message), ['queued', 'dl1_to_dl2 submitted', 'dl1_to_dl2 done']);
      assert.ok(evs.every((e) => e.jobId === j.id && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(e.at)));
      assert.equal('data' in evs[0], false);
      assert.deepEqual(evs[1].data, { ref: 'local-1', runs: [1807] });
      assert.deepEqual(store.events(j.id, 2).map((e) => e.message), ['dl1_to_dl2 submitted', 'dl1_to_dl2 done']);
      assert.deepEqual(store.events('A-0999'), []);
      assert.throws(() => store.addEvent('A-0999', 'x', 'y'), UnknownJobError);
    });

    it('upserts submissions by (job, stage, attempt), keeping createdAt and first-submission order', () => {
      const j = store.createJob(newJob());
      const s1 = store.putSubmission({ jobId: j.id, stage: 'dl1_to_dl2', attempt: 1, backendRef: null, state: 'submitting', detail: null });
      assert.equal(s1.backendRef, null);
      assert.equal(s1.createdAt, s1.updatedAt);
      store.putSubmission({ jobId: j.id, stage: 'dl2_to_dl3', attempt: 1, backendRef: 'local-2', state: 'pending', detail: { tasks: 2 } });
      const s1b = store.putSubmission({ jobId: j.id, stage: 'dl1_to_dl2', attempt: 1, backendRef: 'local-1', state: 'running', detail: { retries: [0, 1] } });
      assert.equal(s1b.createdAt, s1.createdAt);
      assert.ok(s1b.updatedAt > s1.updatedAt);
      store.putSubmission({ jobId: j.id, stage: 'dl1_to_dl2', attempt: 2, backendRef: 'local-3', state: 'pending', detail: undefined });
      const subs = store.submissions(j.id);
      assert.deepEqual(subs.map((s) => [s.stage, s.attempt, s.backendRef, s.state]), [
        ['dl1_to_dl2', 1, 'local-1', 'running'],
        ['dl2_to_dl3', 1, 'local-2', 'pending'],
        ['dl1_to_dl2', 2, 'local-3', 'pending'],
      ]);
      assert.deepEqual(subs[0].detail, { retries: [0, 1] });
      assert.equal(subs[2].detail, null);
      assert.deepEqual(store.submissions('A-0999'), []);
      assert.throws(() => store.putSubmission({ jobId: 'A-0999', stage: 's', attempt: 1, backendRef: null, state: 'x', detail: null }), UnknownJobError);
    });

    it('marks an inbound message processed exactly once, per source', () => {
      assert.equal(store.wasProcessed('email', '<a@x>'), false);
      assert.equal(store.markProcessed('email', '<a@x>'), true);
      assert.equal(store.markProcessed('email', '<a@x>'), false);
      assert.equal(store.wasProcessed('email', '<a@x>'), true);
      assert.equal(store.markProcessed('slack', '<a@x>'), true, 'sources are separate');
    });

    it('stores meta key/values, overwriting', () => {
      assert.equal(store.getMeta('mm.lastSeen'), undefined);
      store.setMeta('mm.lastSeen', '100');
      store.setMeta('mm.lastSeen', '200');
      store.setMeta('other', '');
      assert.equal(store.getMeta('mm.lastSeen'), '200');
      assert.equal(store.getMeta('other'), '');
    });
  });

  describe(`JobStore contract: ${name} (options)`, () => {
    it('uses the configured id prefix and rejects a bad one', () => {
      const s = makeStore({ now: () => new Date(), prefix: 'B' });
      try {
        assert.equal(s.createJob(newJob()).id, 'B-0001');
      } finally {
        s.close();
        cleanup();
      }
      assert.throws(() => makeStore({ now: () => new Date(), prefix: 'ab' }), /prefix/);
      cleanup();
    });
  });
}

jobStoreContract('MemoryJobStore', (o) => new MemoryJobStore(o));

let dir = '';
jobStoreContract(
  'SqliteJobStore',
  (o) => {
    dir = mkdtempSync(join(tmpdir(), 'astran-store-'));
    return new SqliteJobStore({ ...o, path: join(dir, 'sub', 'astran.db') });
  },
  () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = '';
  },
);
