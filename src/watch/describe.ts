/** Words for subscriptions, shared by the commands, the digest and the alerts. */
import type { Cuts, Place, Subscription } from '../core/WatchStore.js';
import { userText } from '../core/userText.js';

export function cutsText(c: Cuts): string {
  const e = c.emin !== undefined || c.emax !== undefined ? `, ${c.emin ?? 0}–${c.emax ?? '∞'} TeV` : '';
  return `θ² < ${c.theta2_cut} deg², ${c.off_regions} OFF${e}`;
}

export function thresholdsText(sigma: number, rate: number | null): string {
  return rate === null ? `≥ ${sigma}σ` : `≥ ${sigma}σ and ≥ ${rate} excess/min`;
}

/** How a place is shown to people: Slack renders `<#C…>` as the channel's name. */
export function placeText(p: Place): string {
  // Slack's <#C…> link syntax is escaped like any other text on the way out (adapters/slack/slackText.ts): name the id.
  if (p.adapter === 'slack') return `Slack channel ${p.channel}`;
  if (p.adapter === 'email') return p.channel;
  if (p.adapter === 'console') return 'the console';
  return `${p.adapter} channel ${p.channel}`;
}

export function subscriberName(s: Subscription): string {
  return userText(s.subscriber.displayName || `${s.subscriber.adapter}:${s.subscriber.userId}`);
}

export function sourceText(s: Pick<Subscription, 'source' | 'too'>): string {
  return s.too ? `${userText(s.source)} (ToO at RA ${s.too.ra}°, Dec ${s.too.dec}°)` : s.source;
}
