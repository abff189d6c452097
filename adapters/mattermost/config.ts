import { z } from 'zod';
import type { RenamedKey } from '../../src/config/renamedKeys.js';
import { readSecrets } from '../../src/config/readSecrets.js';

const ENV_NAME = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

/**
 * Mattermost adapter settings. Secrets are NOT here: the config names the environment variables
 * that hold them, so config files can be shared and logged.
 */
export const MattermostConfigSchema = z
  .object({
    /** Server base URL, e.g. https://chat.example.org (no /api/v4). */
    url: z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, '')).describe('Base URL of the Mattermost server, e.g. https://chat.example.org (without /api/v4). Required.'),
    /** Env var holding the bot account's access token. */
    bot_token_env: ENV_NAME.default('MATTERMOST_BOT_TOKEN').describe("Name of the environment variable holding the bot account's access token; the token itself is never in this file."),
    /** Env var holding the custom slash command's token (only needed when `listen` is set). */
    slash_token_env: ENV_NAME.default('MATTERMOST_SLASH_TOKEN').describe("Name of the environment variable holding the custom slash command's token, checked on every request. Read only when `listen` is set."),
    /** HTTP endpoint the slash command posts to. Omit to run with @-mentions only. */
    listen: z
      .object({
        host: z.string().min(1).default('127.0.0.1').describe('Address the slash-command endpoint listens on.'),
        port: z.number().int().min(0).max(65535).default(8066).describe('TCP port of the slash-command endpoint (0: any free port).'),
        path: z.string().regex(/^\/[A-Za-z0-9/_-]*$/).default('/mattermost/command').describe('URL path the slash command posts to (the Request URL of the slash command in Mattermost).'),
      })
      .strict()
      .optional()
      .describe('HTTP endpoint for the custom slash command. Unset: no endpoint; ASTRAN answers @-mentions only.'),
    /**
     * Answer the slash command by this time even if the dispatcher has not acknowledged yet
     * (later answers go to response_url). Mattermost waits up to its outgoing-integration timeout.
     */
    ack_deadline_s: z.number().min(0.1).max(25).default(2.5).describe("Seconds after which a slash command is answered even if ASTRAN has not decided yet; later answers go to the command's response_url."),
    reconnect: z
      .object({
        min_s: z.number().min(0.01).default(1).describe('First delay before reconnecting a dropped WebSocket, in seconds.'),
        max_s: z.number().min(0.01).default(60).describe('Longest delay between reconnect attempts, in seconds (the delay grows from min_s up to this).'),
      })
      .strict()
      .prefault({})
      .describe('Backoff of the WebSocket reconnects.'),
    /** How many recently active channels to catch up on after a WebSocket reconnect. */
    catchup_channels: z.number().int().min(1).max(500).default(50).describe('After a WebSocket reconnect, how many recently active channels are read back for posts missed while disconnected.'),
  })
  .strict();

export type MattermostConfig = z.infer<typeof MattermostConfigSchema>;

/** Keys renamed when durations moved to seconds: check-config suggests the new name. */
export const MATTERMOST_RENAMED_KEYS: readonly RenamedKey[] = [
  { from: 'ack_deadline_ms', to: 'ack_deadline_s', scale: 1e-3 },
  { from: 'reconnect.min_ms', to: 'min_s', scale: 1e-3 },
  { from: 'reconnect.max_ms', to: 'max_s', scale: 1e-3 },
];

export interface MattermostSecrets {
  botToken: string;
  /** Absent when the slash-command endpoint is not enabled. */
  slashToken?: string;
}

/** Read the secrets named by the config from `env`; a missing variable is a ConfigError naming it. */
export function resolveMattermostSecrets(config: MattermostConfig, env: Record<string, string | undefined>): MattermostSecrets {
  const { botToken, slashToken } = readSecrets(env, 'Mattermost adapter', {
    botToken: config.bot_token_env,
    slashToken: config.listen ? config.slash_token_env : undefined,
  });
  return { botToken, slashToken };
}
