import type { Adapter } from '../core/types.js';
import type { LoadedConfig } from './config.js';
import type { JobStore } from '../core/JobStore.js';
import type { Logger } from '../log.js';
import { consoleConfig, createConsoleAdapter } from '../../adapters/console/index.js';
import { createMattermostAdapter } from '../../adapters/mattermost/index.js';
import { createEmailAdapter } from '../../adapters/email/index.js';
import { createSlackAdapter } from '../../adapters/slack/index.js';

/** The adapters enabled in config. The console adapter reads stdin only in `serve`. */
export async function createConfiguredAdapters(loaded: LoadedConfig, env: NodeJS.ProcessEnv, log: Logger, store: JobStore): Promise<Adapter[]> {
  const a = loaded.config.adapters;
  const out: Adapter[] = [];
  if (consoleConfig(a.console).enabled) out.push(createConsoleAdapter({ config: a.console, kv: store.keyValues() }));
  if (a.slack !== undefined) out.push(createSlackAdapter({ config: a.slack, env, log, kv: store.keyValues() }));
  if (a.mattermost !== undefined) out.push(createMattermostAdapter({ config: a.mattermost, env, log, kv: store.keyValues() }));
  if (a.email !== undefined) out.push(createEmailAdapter({ config: a.email, env, log, kv: store.keyValues() }));
  return out;
}
