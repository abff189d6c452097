import type { KeyValueStore } from '../../src/core/KeyValueStore.js';
import type { Logger } from '../../src/log.js';
import { resolveSlackSecrets, SlackConfigSchema } from './config.js';
import { SlackAdapter } from './SlackAdapter.js';

export { SlackConfigSchema, resolveSlackSecrets, type SlackConfig } from './config.js';
export { SlackAdapter } from './SlackAdapter.js';
export { SlackHttpReceiver } from './SlackHttpReceiver.js';
export { computeSlackSignature, verifySlackSignature, ReplayGuard } from './slackSignature.js';

export interface SlackAdapterDeps {
  /** Raw `slack:` section of the config; validated here. */
  config: unknown;
  env: Record<string, string | undefined>;
  log: Logger;
  /** The adapter's durable key/value state (dedupe, the job threads it opened). */
  kv: KeyValueStore;
}

/** Validate config, read the secrets it names from `env` (ConfigError naming a missing variable), build the adapter. */
export function createSlackAdapter({ config, env, log, kv }: SlackAdapterDeps): SlackAdapter {
  const cfg = SlackConfigSchema.parse(config ?? {});
  const secrets = resolveSlackSecrets(cfg, env);
  return new SlackAdapter(cfg, secrets, log.child({ adapter: 'slack' }), kv);
}
