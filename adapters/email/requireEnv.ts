import { ConfigError } from '../../src/core/errors.js';

/** A secret from the environment; a missing one is a configuration error naming the variable (never its value). */
export function requireEnv(env: NodeJS.ProcessEnv, name: string, setting?: string): string {
  if (!name) throw new ConfigError(`email: ${setting ?? 'a password_env setting'} is required`);
  const v = env[name];
  if (v === undefined || v === '') throw new ConfigError(`email: environment variable ${name} is not set`);
  return v;
}
