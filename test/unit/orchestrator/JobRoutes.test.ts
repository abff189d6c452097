/** "The job's other channel": what JobRoutes offers, from the requester's other identities and the standing orders. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JobRoutes } from '../../../src/orchestrator/JobRoutes.js';
import { MemoryJobStore } from '../../../src/store/MemoryJobStore.js';
import { MemoryWatchStore } from '../../../src/store/MemoryWatchStore.js';
import type { Identity } from '../../../src/core/types.js';

const params = { source: 'Crab Nebula', nightFrom: '20041204', nightTo: '20041204' };
const cuts = { theta2_cut: 0.02, off_regions: 3 };

function rig() {
  const store = new MemoryJobStore();
  const watch = new MemoryWatchStore();
  const links: Record<string, Identity[]> = {
    'slack:U0ALICE': [{ adapter: 'slack', userId: 'U0ALICE' }, { adapter: 'email', userId: 'alice@iac.es' }, { adapter: 'mattermost', userId: 'mm-alice' }],
  };
  const running = new Set(['slack', 'email', 'mattermost', 'console']);
  const routes = new JobRoutes({ watch, identitiesOf: (who) => links[`${who.adapter}:${who.userId}`] ?? [], running: (a) => running.has(a) });
  return { store, watch, routes, running };
}

test("a launched job: the requester's identities on the other adapters where a direct place exists, never the failing one", () => {
  const r = rig();
  const job = r.store.createJob({ params, requester: { adapter: 'slack', userId: 'U0ALICE' }, thread: { adapter: 'slack', key: 'C1:1.1' } });
  assert.deepEqual(r.routes.of(job, 'slack'), [
    { adapter: 'email', channel: 'alice@iac.es', label: 'email alice@iac.es' },
    { adapter: 'mattermost', channel: '@mm-alice', label: 'mattermost mm-alice' },
  ]);
  // Slack reachable while e-mail fails: a direct message.
  assert.deepEqual(r.routes.of(job, 'email').map((x) => `${x.adapter}:${x.channel}`), ['slack:U0ALICE', 'mattermost:@mm-alice']);
  r.running.delete('email');
  r.running.delete('mattermost');
  assert.deepEqual(r.routes.of(job, 'slack'), [], 'a stopped adapter is no route');
});

test('a job a standing order launched: the places its subscriptions notify, on other adapters', () => {
  const r = rig();
  const job = r.store.createJob({ params, requester: { adapter: 'watch', userId: 'watch' }, thread: { adapter: 'slack', key: 'C1:1.1' } });
  r.watch.addSubscription({ place: { adapter: 'slack', channel: 'C1' }, subscriber: { adapter: 'slack', userId: 'U0ALICE' }, source: 'Crab Nebula', too: null, cuts, alertSigma: null, alertRate: null });
  r.watch.addSubscription({ place: { adapter: 'email', channel: 'lst-crab@iac.es' }, subscriber: { adapter: 'email', userId: 'bob@iac.es' }, source: 'Crab Nebula', too: null, cuts, alertSigma: null, alertRate: null });
  r.watch.addSubscription({ place: { adapter: 'console', channel: 'console' }, subscriber: { adapter: 'console', userId: 'console:me' }, source: 'Mrk 421', too: null, cuts, alertSigma: null, alertRate: null });
  // Not (yet) one of the watcher's launches: no standing-order place.
  assert.deepEqual(r.routes.of(job, 'slack'), []);
  const l = r.watch.recordLaunch({ source: 'Crab Nebula', night: '20041204', cutsKey: 't2=0.02;off=3;emin=;emax=', runIds: [1] });
  r.watch.linkLaunch(l, job.id);
  assert.deepEqual(r.routes.of(job, 'slack'), [{ adapter: 'email', channel: 'lst-crab@iac.es', label: 'standing-order place email:lst-crab@iac.es' }]);
});
