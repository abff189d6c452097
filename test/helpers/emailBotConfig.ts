import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import YAML from 'yaml';
import { REPO_ROOT } from '../../src/config/loadConfigFile.js';

/**
 * The embedded default (local backend, bundled sample) with the e-mail adapter only, a SQLite store, results and work
 * folders in `dir`, and `launcher` as the one allowed address; `tweak` edits the config before it is written.
 * Returns the config file's path.
 */
export function writeEmailBotConfig(dir: string, email: unknown, launcher: string, tweak: (base: Record<string, any>) => void = () => {}): string {
  const defaults = resolve(REPO_ROOT, 'config/default.yaml');
  const base = YAML.parse(readFileSync(defaults, 'utf8')) as Record<string, any>;
  base.sources = resolve(dirname(defaults), base.sources);
  base.data.base = resolve(dirname(defaults), base.data.base);
  base.store = { path: join(dir, 'astran.db') };
  base.bot.results_dir = join(dir, 'out');
  base.backends.local.workdir = join(dir, 'work');
  base.log = { level: 'info' };
  base.adapters = { email };
  base.auth = { users: { [`email:${launcher}`]: 'launcher' } };
  tweak(base);
  const path = join(dir, 'astran.yaml');
  writeFileSync(path, YAML.stringify(base));
  return path;
}
