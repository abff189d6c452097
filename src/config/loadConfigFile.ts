import { readFileSync, existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { repoRoot } from '../util/repoRoot.js';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { explainIssues, type RenamedKey } from './renamedKeys.js';
import { sectionIssues } from './sections.js';
import { ConfigError } from '../core/errors.js';
import { SourceCatalog } from './SourceCatalog.js';

export const REPO_ROOT = repoRoot();
export const DEFAULT_CONFIG_FILE = resolve(REPO_ROOT, 'config/default.yaml');

/** What the loader itself reads from any config file: the source list and where the data tree is. */
export interface RootConfig {
  sources: string;
  data: { base: string; workspace?: string | undefined };
}

export interface LoadedFile<C> {
  file: string;
  config: C;
  /** data.base as an absolute path. */
  base: string;
  sources: SourceCatalog;
}

/**
 * The file's schema as the bot assembly puts it together from each area's section (src/bot/config.ts): the root
 * schema, its renamed keys (paths from the top), and the checks across sections run once the file parsed.
 */
export interface ConfigRoot<C extends RootConfig> {
  schema: z.ZodType<C, unknown>;
  renamed: readonly RenamedKey[];
  /** Problems that need several sections (templates against vars, writes against read-only roots), each "path: message". */
  check(config: C, base: string): string[];
}

function fmtPath(p: readonly PropertyKey[]): string {
  return p.length ? p.map(String).join('.') : '(top level)';
}

/** Every problem of a config file, each as "file: path: message". Empty when the file is fine. */
export function checkConfigFile<C extends RootConfig>(file: string, root: ConfigRoot<C>): string[] {
  try {
    loadConfigFile(file, root);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.length ? e.issues : [e.message];
    return [`${file}: ${(e as Error).message}`];
  }
}

/** Read, validate and check a config file; every problem at once in one ConfigError. */
export function loadConfigFile<C extends RootConfig>(file: string, root: ConfigRoot<C>): LoadedFile<C> {
  const abs = resolve(file);
  if (!existsSync(abs)) throw new ConfigError(`config file ${abs} does not exist (set ASTRAN_CONFIG or pass --config)`);
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(abs, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${abs}: not valid YAML: ${(e as Error).message}`, [`${abs}: not valid YAML: ${(e as Error).message}`]);
  }
  const issues: string[] = [];
  const r = root.schema.safeParse(raw ?? {});
  if (!r.success) {
    for (const i of explainIssues(r.error.issues, raw ?? {}, root.renamed)) issues.push(`${abs}: ${fmtPath(i.path)}: ${i.message}`);
    // The registered sections are checked too, so one run lists every problem.
    issues.push(...sectionIssues(abs, raw ?? {}));
    throw new ConfigError(`invalid configuration ${abs}`, issues);
  }
  const config = r.data;
  const dir = dirname(abs);
  const base = isAbsolute(config.data.base) ? config.data.base : resolve(dir, config.data.base);
  if (config.data.workspace && !isAbsolute(config.data.workspace)) config.data.workspace = resolve(dir, config.data.workspace);

  issues.push(...sectionIssues(abs, config));

  let sources: SourceCatalog | undefined;
  const sourcesFile = isAbsolute(config.sources) ? config.sources : resolve(dir, config.sources);
  try {
    sources = SourceCatalog.fromFile(sourcesFile);
  } catch (e) {
    if (e instanceof ConfigError && e.issues.length) issues.push(...e.issues);
    else issues.push(`${abs}: sources: ${(e as Error).message}`);
  }

  issues.push(...root.check(config, base).map((i) => `${abs}: ${i}`));
  if (issues.length) throw new ConfigError(`invalid configuration ${abs}`, issues);
  return { file: abs, config, base, sources: sources! };
}
