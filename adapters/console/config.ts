import { z } from 'zod';
import { parseSection } from '../../src/config/sections.js';

/** The `adapters.console` section: the terminal as a chat (`astran serve` reads stdin when enabled). */
export const ConsoleConfigSchema = z
  .object({
    enabled: z.boolean().default(false).describe('Use the terminal as a chat: `astran serve` reads commands from stdin and prints the replies. Off by default.'),
    /** The identity of the person at the terminal: `console:<user>` in `auth.users`. */
    user: z.string().default('local').describe('Who is at the terminal: commands come from the identity `console:<user>`, which `auth.users` / `people` must give a role.'),
  })
  .strict();
export type ConsoleConfig = z.infer<typeof ConsoleConfigSchema>;

/** The section parsed (absent = defaults: disabled, user `local`); problems become a ConfigError naming the key. */
export function consoleConfig(raw: unknown): ConsoleConfig {
  return parseSection(ConsoleConfigSchema, raw ?? {}, 'adapters.console');
}
