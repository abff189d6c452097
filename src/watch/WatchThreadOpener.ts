import type { Adapter, InboundMessage, MessageRef, OutboundMessage, ThreadRef } from '../core/types.js';
import type { Place } from '../core/WatchStore.js';
import { placeKey } from '../core/WatchStore.js';
import { openThreadIn } from './NoticeDelivery.js';

export const WATCH_ADAPTER = 'watch';

/** The requester of jobs the watcher launches: not a person, so only admins may cancel them. */
export function watchRequester(names: string[]): { adapter: string; userId: string; displayName: string } {
  const who = [...new Set(names)].slice(0, 3).join(', ') + (names.length > 3 ? ', …' : '');
  return { adapter: WATCH_ADAPTER, userId: WATCH_ADAPTER, displayName: `standing order (${who})` };
}

/** The request the orchestrator opens a watcher job's thread from: it names the place in `channel`. */
export function watchRequest(key: string, place: Place, names: string[], now: Date): InboundMessage {
  // The id is the launch's watch key: the orchestrator records it with the job, so launching the same key again
  // (after a crash) finds that job instead of creating a second one.
  return { id: key, identity: watchRequester(names), text: '', channel: placeKey(place), receivedAt: now, ack: async () => {} };
}

export function parsePlaceKey(key: string): Place | null {
  const i = key.indexOf(':');
  return i > 0 && i < key.length - 1 ? { adapter: key.slice(0, i), channel: key.slice(i + 1) } : null;
}

/**
 * The orchestrator opens a job's thread through the adapter named by the requester. For watcher jobs that is this
 * one: it opens the thread in the subscribed place, through that place's real adapter, and returns the real thread,
 * so everything later in the job (progress, summary, `status` replies) goes straight to the real adapter.
 */
export class WatchThreadOpener implements Adapter {
  readonly name = WATCH_ADAPTER;
  readonly canEdit = false;

  constructor(private readonly adapters: Map<string, Adapter>) {}

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  async openThread(request: InboundMessage, root: OutboundMessage, jobId?: string): Promise<{ thread: ThreadRef; root: MessageRef }> {
    const place = parsePlaceKey(request.channel ?? '');
    const target = place ? this.adapters.get(place.adapter) : undefined;
    if (!place || !target || target === this) throw new Error(`watch: no adapter for the place ${request.channel ?? '(none)'}`);
    return openThreadIn(target, place, root, jobId);
  }

  async send(): Promise<MessageRef> {
    throw new Error('watch: threads belong to the real adapters');
  }

  async edit(): Promise<void> {
    throw new Error('watch: threads belong to the real adapters');
  }
}
