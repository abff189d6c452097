/** The `watch` config section (standing orders, issue #10). Times of day are "HH:MM" UTC; durations are `_s`. */
import { z } from 'zod';

const HHMM = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a UTC time of day as HH:MM, e.g. "06:00"');

export const WatchConfigSchema = z
  .object({
    /** `astran serve` runs the watcher (subscriptions are accepted either way). */
    enabled: z.boolean().default(true),
    /** From this UTC time the current night (the one that began the evening before) is watched. */
    start_utc: HHMM.default('06:00'),
    /** Seconds between two passes of the watcher. */
    interval_s: z.number().min(1).max(86_400).default(600),
    /** UTC time of the morning digest (one message per place per night). */
    digest_utc: HHMM.default('12:00'),
    /** Default alert threshold: Li & Ma significance of the night. */
    alert_sigma: z.number().positive().max(1000).default(5),
    /** Default alert threshold: excess events per minute; null: significance alone decides. */
    alert_rate: z.number().positive().max(1e6).nullable().default(null),
    /** Nights shown in the digest's trend image. */
    trend_nights: z.number().int().min(2).max(366).default(30),
  })
  .strict();

export type WatchConfig = z.infer<typeof WatchConfigSchema>;

/** The `watch` section with its defaults (the file was checked by loadConfig through the registered validator). */
export function parseWatchConfig(raw: unknown): WatchConfig {
  return WatchConfigSchema.parse(raw ?? {});
}

/** Minutes after midnight UTC of an "HH:MM" value. */
export function minutesOfDay(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}
