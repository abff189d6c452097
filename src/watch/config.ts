/** The `watch` config section (standing orders, issue #10). Times of day are "HH:MM" UTC; durations are `_s`. */
import { z } from 'zod';

const HHMM = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a UTC time of day as HH:MM, e.g. "06:00"');

export const WatchConfigSchema = z
  .object({
    /** `astran serve` runs the watcher (subscriptions are accepted either way). */
    enabled: z.boolean().default(true).describe('`astran serve` runs the watcher. Subscriptions are accepted either way.'),
    /** From this UTC time the current night (the one that began the evening before) is watched. */
    start_utc: HHMM.default('06:00').describe('UTC time of day (HH:MM) from which the night that began the evening before is watched; before it nothing is done.'),
    /** Seconds between two passes of the watcher. */
    interval_s: z.number().min(1).max(86_400).default(600).describe('Seconds between two passes of the watcher.'),
    /** UTC time of the morning digest (one message per place per night). */
    digest_utc: HHMM.default('12:00').describe('UTC time of day (HH:MM) of the morning digest: one message per place and night, on the morning after the night.'),
    /** Default alert threshold: Li & Ma significance of the night. */
    alert_sigma: z.number().positive().max(1000).default(5).describe('Default alert threshold: Li & Ma significance of the night (a subscription may set its own).'),
    /** Default alert threshold: excess events per minute; null: significance alone decides. */
    alert_rate: z.number().positive().max(1e6).nullable().default(null).describe('Default second alert threshold: excess events per minute, required as well as alert_sigma; null: significance alone decides (a subscription may set its own).'),
    /** Nights shown in the digest's trend image. */
    trend_nights: z.number().int().min(2).max(366).default(30).describe("Nights shown in the digest's trend image."),
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
