import type { Identity } from '../core/types.js';
import type { JobRecord } from '../core/JobStore.js';
import type { WatchStore } from '../core/WatchStore.js';

/** A place where a new thread can be opened: an adapter and its own place id (channel, user for a DM, address). */
export interface Route {
  adapter: string;
  channel: string;
  /** What the route is, for logs and the outbox record (e.g. "email alice@iac.es", "standing-order place slack:C1"). */
  label: string;
}

export interface JobRoutesDeps {
  /** Standing orders: a job the watcher launched is also told about in every place subscribed to its source. */
  watch?: Pick<WatchStore, 'listLaunches' | 'listSubscriptions'>;
  /** The requester's identities on other adapters (the people directory), when the bot knows them. */
  identitiesOf?: (who: Identity) => readonly Identity[];
  /** Whether an adapter is running (a route through a stopped adapter is no route). */
  running: (adapter: string) => boolean;
}

/** Where a person can be written to directly on an adapter: their address, a direct message, the terminal. */
function directPlace(who: Identity): string | null {
  if (who.adapter === 'email' || who.adapter === 'slack' || who.adapter === 'console') return who.userId;
  // Mattermost user and channel ids look alike: `@<user id>` asks the adapter for the direct channel.
  if (who.adapter === 'mattermost') return `@${who.userId}`;
  return null;
}

/**
 * "The job's other channel", from what the data model has, in the order it is used:
 *  1. the requester's own identities on other adapters (the people directory links e.g. `slack:U…` and
 *     `alice@iac.es`): their address or a direct message;
 *  2. for a job the watcher launched, the places its standing orders notify (subscriptions to the job's source);
 * never the adapter that is failing, and only adapters that are running. The admins' channel (`bot.admins`) is not
 * one of these: it is told besides them when a message is given up (src/orchestrator/OutboxDeliverer.ts).
 */
export class JobRoutes {
  constructor(private readonly d: JobRoutesDeps) {}

  of(job: JobRecord, failing: string): Route[] {
    const out: Route[] = [];
    const seen = new Set<string>();
    const add = (r: Route) => {
      const k = `${r.adapter}\u0000${r.channel}`;
      if (r.adapter === failing || seen.has(k) || !this.d.running(r.adapter)) return;
      seen.add(k);
      out.push(r);
    };
    for (const who of this.d.identitiesOf?.(job.requester) ?? []) {
      const place = directPlace(who);
      if (place) add({ adapter: who.adapter, channel: place, label: `${who.adapter} ${who.userId}` });
    }
    if (this.d.watch) {
      const launched = this.d.watch.listLaunches({ source: job.params.source }).some((l) => l.jobId === job.id);
      if (launched) {
        for (const s of this.d.watch.listSubscriptions({ source: job.params.source })) {
          add({ adapter: s.place.adapter, channel: s.place.channel, label: `standing-order place ${s.place.adapter}:${s.place.channel}` });
        }
      }
    }
    return out;
  }
}
