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
    mode: z.enum(['socket', 'http']).default('socket').describe('socket: Socket Mode, an outgoing WebSocket, no public URL needed (needs the app-level token); http: Slack posts events and the slash command to the `http` endpoint (needs the signing secret).'),
    bot_token_env: envName.default('SLACK_BOT_TOKEN').describe('Name of the environment variable holding the bot token (xoxb-…); the token itself is never in this file. Always required.'),
    /** App-level token (xapp-...), Socket Mode only. */
    app_token_env: envName.default('SLACK_APP_TOKEN').describe('Name of the environment variable holding the app-level token (xapp-…, scope connections:write). Read in socket mode only.'),
    /** Signing secret, HTTP mode only. */
    signing_secret_env: envName.default('SLACK_SIGNING_SECRET').describe("Name of the environment variable holding the app's signing secret, which verifies that requests come from Slack. Read in http mode only."),
    http: z
      .object({
        host: z.string().min(1).default('127.0.0.1').describe('Address the HTTP endpoint listens on (loopback by default: put a TLS reverse proxy in front).'),
        port: z.number().int().min(0).max(65535).default(3000).describe('TCP port of the HTTP endpoint (0: any free port).'),
        path: z.string().regex(/^\/[A-Za-z0-9/_-]*$/).default('/slack/events').describe('URL path Slack posts events and the slash command to (the Request URL in the Slack app settings).'),
        /** Largest request body accepted (bytes). */
        max_body_bytes: z.number().int().positive().default(1_000_000).describe('Largest request body accepted, in bytes; larger requests are refused.'),
      })
      .strict()
      .prefault({})
      .describe('The HTTP endpoint, used in http mode only.'),
    /** Web API base URL (tests point it at a fake). */
    api_url: z.url({ protocol: /^https?$/ }).default('https://slack.com/api/').describe('Base URL of the Slack Web API. Leave the default; tests point it at a fake Slack.'),
    /** The slash command this app registers. */
    command: z.string().regex(/^\/[a-z0-9_-]+$/).default('/astran').describe('The slash command registered for this app (lower case, starting with /).'),
    /** Slack waits 3 s for an ack; answer by this deadline (seconds) even if the core has not decided yet. */
    ack_deadline_s: z.number().min(0.1).max(2.9).default(2.5).describe('Seconds after which a slash command is acknowledged even if ASTRAN has not answered yet (Slack gives up after 3 s); the answer then follows in the channel.'),
    /** Socket Mode ping timeout; the reconnect delay after a dropped socket is a multiple of it. */
    client_ping_timeout_s: z.number().min(0.2).max(60).default(5).describe('Socket Mode: seconds to wait for a ping reply before the socket counts as dropped; the reconnect delay is a multiple of it.'),
    /** Minimum gap between posts in one channel, seconds (Slack allows about one message per second). */
    min_post_interval_s: z.number().min(0).max(10).default(1).describe('Minimum gap between two posts in one channel, in seconds (Slack allows about one message per second per channel).'),
    /** Web API retries on network errors / 429 (the SDK honours Retry-After). */
    api_retries: z.number().int().min(0).max(20).default(5).describe('How often a Web API call is retried after a network error or a 429 (Retry-After is honoured); 0: no retry.'),
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
