import { resolve } from 'node:path';
import { repoRoot } from '../util/repoRoot.js';
import { ConfigError } from '../core/errors.js';

/** The process surroundings a CLI subcommand uses (injectable for tests). */
export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Split `--flag value` options from positional arguments for the run/serve/check-config commands. */
export function takeFlag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) throw new ConfigError(`${name} needs a value`);
  args.splice(i, 2);
  return v;
}

export function configFile(args: string[], io: CliIO): string {
  const f = takeFlag(args, '--config') ?? io.env.ASTRAN_CONFIG;
  // The embedded default, as DEFAULT_CONFIG_FILE in src/config/loadConfigFile.ts (not imported: every CLI start would load YAML and zod).
  return f ? resolve(io.cwd, f) : resolve(repoRoot(), 'config/default.yaml');
}
