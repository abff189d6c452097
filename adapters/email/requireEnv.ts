import { ConfigError } from '../../src/core/errors.js';
import { readSecrets } from '../../src/config/readSecrets.js';

/** A secret from the environment; a missing one is a configuration error naming the variable (never its value). */
export function requireEnv(env: NodeJS.ProcessEnv, name: string, setting?: string): string {
  if (!name) throw new ConfigError(`email: ${setting ?? 'a password_env setting'} is required`);
  return readSecrets(env, 'email', { value: name }).value;
}
