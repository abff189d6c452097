import type { KeyValueStore } from '../../src/core/KeyValueStore.js';
import type { Logger } from '../../src/log.js';
import { EmailAdapter } from './EmailAdapter.js';

export { EmailConfigSchema, type EmailConfig, type EmailConfigInput } from './config.js';
export { EmailAdapter, EMAIL_ADAPTER, EXAMPLE_FOOTER } from './EmailAdapter.js';
export { parseEmailCommand } from './parseEmailCommand.js';

/** Factory used by the bot: `config` is the `email:` section (validated here), `env` is process.env. */
export function createEmailAdapter(deps: { config: unknown; env: NodeJS.ProcessEnv; log: Logger; kv: KeyValueStore }): EmailAdapter {
  return new EmailAdapter(deps);
}
