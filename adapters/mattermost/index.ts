import type { Logger } from '../../src/log.js';
import type { KeyValueStore } from '../../src/core/KeyValueStore.js';
import { ConfigError } from '../../src/core/errors.js';
import { MattermostConfigSchema, resolveMattermostSecrets, type MattermostConfig } from './config.js';
import { MattermostAdapter } from './MattermostAdapter.js';

export { MattermostConfigSchema, resolveMattermostSecrets, type MattermostConfig } from './config.js';
export { MattermostAdapter, ADAPTER_NAME } from './MattermostAdapter.js';

export interface CreateMattermostAdapterOptions {
  /** Raw config section (validated here) or an already parsed one. */
  config: unknown;
  env: Record<string, string | undefined>;
  log: Logger;
  /** The adapter's durable key/value state (dedupe, thread memory, catch-up mark). */
  kv: KeyValueStore;
}

/** Validate the config, read the secrets it names from `env`, and build the adapter (not started). */
export function createMattermostAdapter(opts: CreateMattermostAdapterOptions): MattermostAdapter {
  const parsed = MattermostConfigSchema.safeParse(opts.config);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `mattermost.${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid Mattermost adapter config: ${issues.join('; ')}`, issues);
  }
  const config: MattermostConfig = parsed.data;
  const secrets = resolveMattermostSecrets(config, opts.env);
  return new MattermostAdapter({ config, secrets, log: opts.log.child({ adapter: 'mattermost' }), kv: opts.kv });
}
