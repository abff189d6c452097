import { ConfigError } from '../core/errors.js';

/**
 * Read the secrets a config section names by environment variable. Every missing or empty variable is reported at
 * once, in a ConfigError naming the variables (never a value). A name given as `undefined` is a secret the current
 * settings do not need, and is skipped. Values are trimmed.
 */
export function readSecrets<N extends Record<string, string | undefined>>(
  env: Record<string, string | undefined>,
  owner: string,
  names: N,
): { [P in keyof N]: N[P] extends string ? string : string | undefined } {
  const out: Record<string, string> = {};
  const missing: string[] = [];
  for (const key of Object.keys(names)) {
    const name = names[key];
    if (name === undefined) continue;
    const v = env[name]?.trim();
    if (!v) missing.push(name);
    else out[key] = v;
  }
  if (missing.length) {
    throw new ConfigError(
      `${owner}: environment variable${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not set`,
      missing.map((m) => `set ${m}`),
    );
  }
  return out as { [P in keyof N]: N[P] extends string ? string : string | undefined };
}
