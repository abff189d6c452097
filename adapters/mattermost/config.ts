import { z } from 'zod';
import { readSecrets } from '../../src/config/readSecrets.js';

const ENV_NAME = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

/**
 * Mattermost adapter settings. Secrets are NOT here: the config names the environment variables
 * that hold them, so config files can be shared and logged.
 */
export const MattermostConfigSchema = z
  .object({
    /** Server base URL, e.g. https://chat.example.org (no /api/v4). */
    url: z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, '')),
    /** Env var holding the bot account's access token. */
    bot_token_env: ENV_NAME.default('MATTERMOST_BOT_TOKEN'),
    /** Env var holding the custom slash command's token (only needed when `listen` is set). */
    slash_token_env: ENV_NAME.default('MATTERMOST_SLASH_TOKEN'),
    /** HTTP endpoint the slash command posts to. Omit to run with @-mentions only. */
    listen: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8066),
        path: z.string().regex(/^\/[A-Za-z0-9/_-]*$/).default('/mattermost/command'),
      })
      .strict()
      .optional(),
    /**
     * Answer the slash command by this time even if the dispatcher has not acknowledged yet
     * (later answers go to response_url). Mattermost waits up to its outgoing-integration timeout.
     */
    ack_deadline_ms: z.number().int().min(100).max(25_000).default(2_500),
    reconnect: z
      .object({
        min_ms: z.number().int().min(10).default(1_000),
        max_ms: z.number().int().min(10).default(60_000),
      })
      .strict()
      .prefault({}),
    /** How many recently active channels to catch up on after a WebSocket reconnect. */
    catchup_channels: z.number().int().min(1).max(500).default(50),
  })
  .strict();

export type MattermostConfig = z.infer<typeof MattermostConfigSchema>;

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
