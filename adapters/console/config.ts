import { z } from 'zod';
import { parseSection } from '../../src/config/sections.js';

/** The `adapters.console` section: the terminal as a chat (`astran serve` reads stdin when enabled). */
export const ConsoleConfigSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** The identity of the person at the terminal: `console:<user>` in `auth.users`. */
    user: z.string().default('local'),
  })
  .strict();
export type ConsoleConfig = z.infer<typeof ConsoleConfigSchema>;

/** The section parsed (absent = defaults: disabled, user `local`); problems become a ConfigError naming the key. */
export function consoleConfig(raw: unknown): ConsoleConfig {
  return parseSection(ConsoleConfigSchema, raw ?? {}, 'adapters.console');
}
