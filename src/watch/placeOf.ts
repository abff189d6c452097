import type { InboundMessage } from '../core/types.js';
import type { Place } from '../core/WatchStore.js';

/**
 * The place a command was typed in, where a subscription lives and its news go. A chat message's channel (also for
 * messages typed in a thread: the subscription belongs to the channel, not the thread); for e-mail, the sender's
 * address (the adapter's channel is the bot's own mailbox); the console is one place.
 */
export function placeOf(msg: InboundMessage): Place | null {
  if (msg.identity.adapter === 'email') return { adapter: 'email', channel: msg.identity.userId.toLowerCase() };
  if (msg.channel) return { adapter: msg.identity.adapter, channel: msg.channel };
  return null;
}
