import type { KeyValueStore } from '../../src/core/KeyValueStore.js';
import { ConsoleAdapter } from './ConsoleAdapter.js';
import { consoleConfig } from './config.js';

export { ConsoleConfigSchema, consoleConfig, type ConsoleConfig } from './config.js';
export { ConsoleAdapter, type ConsoleAdapterOptions } from './ConsoleAdapter.js';

export interface CreateConsoleAdapterOptions {
  /** The raw `adapters.console` section (validated here); absent = defaults. */
  config: unknown;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  showProgress?: boolean;
  /** Where T-numbers and their jobs are kept. */
  kv?: KeyValueStore;
}

/** Validate the section and build the adapter for its user (not started). Whether to use it (`enabled`) is the caller's choice: `run` always does. */
export function createConsoleAdapter(opts: CreateConsoleAdapterOptions): ConsoleAdapter {
  const { user } = consoleConfig(opts.config);
  return new ConsoleAdapter({ user, input: opts.input, output: opts.output, showProgress: opts.showProgress, kv: opts.kv });
}
