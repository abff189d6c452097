import type { KeyValueStore } from '../../src/core/KeyValueStore.js';

const META_LAST_SEEN = 'mattermost:last_seen_create_at';
const META_CHANNELS = 'mattermost:channels';
const metaThread = (rootId: string) => `mattermost:thread_channel:${rootId}`;

/**
 * What the adapter must remember across reconnects and restarts, kept in the adapter's key/value
 * store: the channel of each thread (to reply without a lookup), the recently active channels
 * (where a catch-up looks), and the create_at of the newest post seen (where it starts).
 */
export class MattermostMemory {
  private readonly threadChannels = new Map<string, string>();
  private maxSeen: number;
  private holds = 0;

  constructor(private readonly store: KeyValueStore, private readonly maxChannels: number) {
    this.maxSeen = Number(store.read(META_LAST_SEEN) ?? 0) || 0;
  }

  channelOfThread(rootId: string): string | undefined {
    return this.threadChannels.get(rootId) ?? this.store.read(metaThread(rootId));
  }

  rememberThread(rootId: string, channelId: string): void {
    if (this.threadChannels.get(rootId) === channelId) return;
    this.threadChannels.set(rootId, channelId);
    this.store.write(metaThread(rootId), channelId);
    this.rememberChannel(channelId);
  }

  /** Most recent first, at most `maxChannels`. */
  rememberChannel(channelId: string): void {
    const list = this.recentChannels();
    if (list[0] === channelId) return;
    const next = [channelId, ...list.filter((c) => c !== channelId)].slice(0, this.maxChannels);
    this.store.write(META_CHANNELS, JSON.stringify(next));
  }

  recentChannels(): string[] {
    try {
      const v: unknown = JSON.parse(this.store.read(META_CHANNELS) ?? '[]');
      return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    } catch {
      return [];
    }
  }

  /** create_at of the newest post seen (0: never). */
  get lastSeen(): number {
    return this.maxSeen;
  }

  noteSeen(createAt: number): void {
    if (createAt > this.maxSeen) this.maxSeen = createAt;
    if (this.holds === 0) this.persist();
  }

  /**
   * While a catch-up runs, the stored mark stays where it was, so a crash in the middle repeats
   * the catch-up instead of skipping what it had not reached yet.
   */
  hold(): void {
    this.holds++;
  }

  release(): void {
    this.holds = Math.max(0, this.holds - 1);
    if (this.holds === 0) this.persist();
  }

  persist(): void {
    if (this.maxSeen > 0 && this.store.read(META_LAST_SEEN) !== String(this.maxSeen)) this.store.write(META_LAST_SEEN, String(this.maxSeen));
  }
}
