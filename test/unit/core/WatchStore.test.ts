/** ONE contract suite for both WatchStore implementations (in-memory twin and SQLite). */
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { NewSubscription, WatchStore } from '../../../src/core/WatchStore.js';
import { cutsKey, watchKey } from '../../../src/core/WatchStore.js';
import { MemoryWatchStore } from '../../../src/store/MemoryWatchStore.js';
import { SqliteWatchStore } from '../../../src/store/SqliteWatchStore.js';
import { SqliteJobStore } from '../../../src/store/SqliteJobStore.js';

const clock = () => {
  let t = Date.parse('2026-12-01T06:00:00Z');
  return () => new Date((t += 1000));
};

function sub(extra: Partial<NewSubscription> = {}): NewSubscription {
  return {
    place: { adapter: 'slack', channel: 'C1' },
    subscriber: { adapter: 'slack', userId: 'U1', displayName: 'Ana' },
    source: 'Crab Nebula',
    too: null,
    cuts: { theta2_cut: 0.02, off_regions: 3 },
    alertSigma: null,
    alertRate: null,
    ...extra,
  };
}

function contract(name: string, make: () => WatchStore, cleanup: () => void = () => {}): void {
  describe(`WatchStore contract: ${name}`, () => {
    let s: WatchStore;
    beforeEach(() => (s = make()));
    afterEach(() => {
      s.close();
      cleanup();
    });

    it('stores a subscription and refuses the same person, place and source twice, returning the existing one', () => {
      const a = s.addSubscription(sub({ alertSigma: 7 }));
      assert.ok(a.ok);
      assert.equal(a.subscription.id, 1);
      assert.equal(a.subscription.createdAt, '2026-12-01T06:00:01.000Z');
      assert.deepEqual(a.subscription.cuts, { theta2_cut: 0.02, off_regions: 3 });
      const dup = s.addSubscription(sub({ cuts: { theta2_cut: 0.05, off_regions: 1 } }));
      assert.equal(dup.ok, false);
      assert.ok(!dup.ok && dup.existing.id === 1 && dup.existing.alertSigma === 7);
      // Another person in the same place, and the same person in another place, are new subscriptions.
      assert.ok(s.addSubscription(sub({ subscriber: { adapter: 'slack', userId: 'U2' } })).ok);
      assert.ok(s.addSubscription(sub({ place: { adapter: 'slack', channel: 'C2' } })).ok);
      assert.equal(s.listSubscriptions().length, 3);
      assert.deepEqual(s.listSubscriptions({ place: { adapter: 'slack', channel: 'C1' } }).map((x) => x.id), [1, 2]);
      assert.deepEqual(s.listSubscriptions({ source: 'Mrk 421' }), []);
    });

    it('refuses invalid subscriptions and stores nothing', () => {
      assert.throws(() => s.addSubscription(sub({ cuts: { theta2_cut: -1, off_regions: 3 } })), /invalid subscription\.cuts\.theta2_cut/);
      assert.throws(() => s.addSubscription(sub({ too: { ra: 400, dec: 0 } })), /invalid subscription\.too\.ra/);
      assert.deepEqual(s.listSubscriptions(), []);
    });

    it('keeps a ToO position and removes subscriptions by id, all in one go', () => {
      const a = s.addSubscription(sub({ source: 'GRB 261201A', too: { ra: 10.5, dec: -20 } }));
      const b = s.addSubscription(sub());
      assert.ok(a.ok && b.ok);
      assert.deepEqual(s.listSubscriptions({ source: 'GRB 261201A' })[0].too, { ra: 10.5, dec: -20 });
      const gone = s.removeSubscriptions([a.subscription.id, 999, b.subscription.id]);
      assert.deepEqual(gone.map((x) => x.source), ['GRB 261201A', 'Crab Nebula']);
      assert.deepEqual(s.listSubscriptions(), []);
    });

    it('numbers the launches of a (source, night, cuts) 1, 2, … and links their jobs', () => {
      const ck = cutsKey({ theta2_cut: 0.02, off_regions: 3 });
      const l1 = s.recordLaunch({ source: 'Crab Nebula', night: '20041204', cutsKey: ck, runIds: [23523, 23526] });
      assert.equal(l1.part, 1);
      assert.equal(l1.jobId, null);
      const l2 = s.recordLaunch({ source: 'Crab Nebula', night: '20041204', cutsKey: ck, runIds: [23523, 23526, 23559] });
      assert.equal(l2.part, 2);
      const other = s.recordLaunch({ source: 'Crab Nebula', night: '20041205', cutsKey: ck, runIds: [1] });
      assert.equal(other.part, 1);
      assert.equal(s.linkLaunch(l1, 'A-0001').jobId, 'A-0001');
      assert.throws(() => s.linkLaunch({ ...l1, part: 9 }, 'A-0009'), /no watch launch/);
      assert.deepEqual(
        s.listLaunches({ source: 'Crab Nebula', nightFrom: '20041204', nightTo: '20041204' }).map((l) => [l.part, l.jobId, l.runIds.length]),
        [[1, 'A-0001', 2], [2, null, 3]],
      );
      assert.equal(watchKey(l1), `Crab Nebula|20041204|${ck}|1`);
      assert.throws(() => s.recordLaunch({ source: 'Crab Nebula', night: '2004-12-04', cutsKey: ck, runIds: [1] }), /invalid watch launch\.night/);
    });

    it('records a notice once, lists it while pending and keeps where it landed', () => {
      const place = { adapter: 'slack', channel: 'C1' };
      assert.equal(s.recordNotice({ key: 'alert|slack:C1|Crab|20041204', place, kind: 'alert', text: 'flare', files: [], mentions: [{ adapter: 'slack', userId: 'U1' }] }), true);
      assert.deepEqual(s.getNotice('alert|slack:C1|Crab|20041204')!.mentions, [{ adapter: 'slack', userId: 'U1' }]);
      assert.equal(s.recordNotice({ key: 'alert|slack:C1|Crab|20041204', place, kind: 'alert', text: 'again', files: [] }), false);
      assert.equal(s.getNotice('alert|slack:C1|Crab|20041204')!.text, 'flare');
      assert.deepEqual(s.pendingNotices().map((n) => n.key), ['alert|slack:C1|Crab|20041204']);
      const failedOnce = s.markNotice('alert|slack:C1|Crab|20041204', { state: 'pending', error: 'HTTP 500' });
      assert.equal(failedOnce.attempts, 1);
      assert.equal(failedOnce.lastError, 'HTTP 500');
      const posted = { thread: { adapter: 'slack', key: 'C1:1.2' }, id: '1.2' };
      const done = s.markNotice('alert|slack:C1|Crab|20041204', { state: 'delivered', posted });
      assert.equal(done.attempts, 2);
      assert.deepEqual(done.posted, posted);
      assert.equal(done.lastError, null);
      assert.deepEqual(s.pendingNotices(), []);
      assert.throws(() => s.markNotice('nope', { state: 'delivered' }), /no notice/);
      assert.throws(() => s.recordNotice({ key: 'x', place, kind: 'tweet' as never, text: '', files: [] }), /invalid notice\.kind/);
    });
  });
}

contract('memory', () => new MemoryWatchStore(clock()));

let dir = '';
contract(
  'sqlite',
  () => {
    dir = mkdtempSync(join(tmpdir(), 'astran-watchstore-'));
    return new SqliteWatchStore({ path: join(dir, 'a.db'), now: clock() });
  },
  () => rmSync(dir, { recursive: true, force: true }),
);

describe('SqliteWatchStore on the job store file', () => {
  it('shares one database with the job store and survives a reopen (nothing lost across a restart)', () => {
    const d = mkdtempSync(join(tmpdir(), 'astran-watchstore-'));
    try {
      const path = join(d, 'astran.db');
      const jobs = new SqliteJobStore({ path });
      const w = new SqliteWatchStore({ path });
      assert.ok(w.addSubscription(sub()).ok);
      w.recordLaunch({ source: 'Crab Nebula', night: '20041204', cutsKey: 'k', runIds: [1] });
      w.recordNotice({ key: 'n1', place: { adapter: 'console', channel: 'console' }, kind: 'digest', text: 'hello', files: [{ name: 't.png', path: '/tmp/t.png', contentType: 'image/png' }] });
      jobs.close();
      w.close();
      const again = new SqliteWatchStore({ path });
      assert.equal(again.listSubscriptions().length, 1);
      assert.equal(again.listLaunches().length, 1);
      assert.equal(again.pendingNotices()[0].files[0].name, 't.png');
      again.close();
      const raw = new Database(path);
      raw.prepare("UPDATE watch_notices SET files = '{bad' WHERE key = 'n1'").run();
      raw.close();
      const broken = new SqliteWatchStore({ path });
      assert.throws(() => broken.getNotice('n1'), /corrupt watch_notices row n1: column files/);
      broken.close();
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
