import { z } from 'zod';
import type { RenamedKey } from '../../src/config/renamedKeys.js';
import { readSecrets } from '../../src/config/readSecrets.js';
import { ConfigError } from '../../src/core/errors.js';

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name');

/**
 * Slack adapter settings. Secrets are never in the file: the config names the environment
 * variables that hold them.
 */
export const SlackConfigSchema = z
  .object({
    /** Socket Mode needs no public URL (the bot runs next to the cluster); HTTP mode is optional. */
    mode: z.enum(['socket', 'http']).default('socket'),
    bot_token_env: envName.default('SLACK_BOT_TOKEN'),
    /** App-level token (xapp-...), Socket Mode only. */
    app_token_env: envName.default('SLACK_APP_TOKEN'),
    /** Signing secret, HTTP mode only. */
    signing_secret_env: envName.default('SLACK_SIGNING_SECRET'),
    http: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(3000),
        path: z.string().regex(/^\/[A-Za-z0-9/_-]*$/).default('/slack/events'),
        /** Largest request body accepted (bytes). */
        max_body_bytes: z.number().int().positive().default(1_000_000),
      })
      .strict()
      .prefault({}),
    /** Web API base URL (tests point it at a fake). */
    api_url: z.url({ protocol: /^https?$/ }).default('https://slack.com/api/'),
    /** The slash command this app registers. */
    command: z.string().regex(/^\/[a-z0-9_-]+$/).default('/astran'),
    /** Slack waits 3 s for an ack; answer by this deadline (seconds) even if the core has not decided yet. */
    ack_deadline_s: z.number().min(0.1).max(2.9).default(2.5),
    /** Socket Mode ping timeout; the reconnect delay after a dropped socket is a multiple of it. */
    client_ping_timeout_s: z.number().min(0.2).max(60).default(5),
    /** Minimum gap between posts in one channel, seconds (Slack allows about one message per second). */
    min_post_interval_s: z.number().min(0).max(10).default(1),
    /** Web API retries on network errors / 429 (the SDK honours Retry-After). */
    api_retries: z.number().int().min(0).max(20).default(5),
  })
  .strict();

export type SlackConfig = z.infer<typeof SlackConfigSchema>;

/** Keys renamed when durations moved to seconds: check-config suggests the new name. */
export const SLACK_RENAMED_KEYS: readonly RenamedKey[] = [
  { from: 'ack_deadline_ms', to: 'ack_deadline_s', scale: 1e-3 },
  { from: 'client_ping_timeout_ms', to: 'client_ping_timeout_s', scale: 1e-3 },
  { from: 'min_post_interval_ms', to: 'min_post_interval_s', scale: 1e-3 },
];

export interface SlackSecrets {
  botToken: string;
  appToken?: string;
  signingSecret?: string;
}

/** Read the secrets the config names; a missing variable is a ConfigError naming it. */
export function resolveSlackSecrets(config: SlackConfig, env: Record<string, string | undefined>): SlackSecrets {
  const { botToken, appToken, signingSecret } = readSecrets(env, 'Slack adapter', {
    botToken: config.bot_token_env,
    appToken: config.mode === 'socket' ? config.app_token_env : undefined,
    signingSecret: config.mode === 'http' ? config.signing_secret_env : undefined,
  });
  if (!botToken.startsWith('xoxb-')) throw new ConfigError(`Slack adapter: ${config.bot_token_env} must hold a bot token (xoxb-...)`);
  if (appToken !== undefined && !appToken.startsWith('xapp-')) {
    throw new ConfigError(`Slack adapter: ${config.app_token_env} must hold an app-level token (xapp-...)`);
  }
  return { botToken, appToken, signingSecret };
}
