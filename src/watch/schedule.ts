/** When the watcher acts, from an injected clock. Times are UTC; a night is named by the date its evening began. */
import { addNights, nightToDate, yesterdayNight } from '../util/nights.js';
import { minutesOfDay, type WatchConfig } from './config.js';

const MINUTE_MS = 60_000;

/** The night the watcher looks at now: the one that began yesterday evening (UTC). */
export function currentNight(now: Date): string {
  return yesterdayNight(now);
}

/** True once today's start time has passed: before it, the night may still be observing. */
export function watching(now: Date, cfg: Pick<WatchConfig, 'start_utc'>): boolean {
  return now.getUTCHours() * 60 + now.getUTCMinutes() >= minutesOfDay(cfg.start_utc);
}

/** When the digest of `night` is due: `digest_utc` on the morning after the night began. */
export function digestTime(night: string, cfg: Pick<WatchConfig, 'digest_utc'>): Date {
  return new Date(nightToDate(addNights(night, 1)).getTime() + minutesOfDay(cfg.digest_utc) * MINUTE_MS);
}

export function digestDue(night: string, now: Date, cfg: Pick<WatchConfig, 'digest_utc'>): boolean {
  return now.getTime() >= digestTime(night, cfg).getTime();
}
