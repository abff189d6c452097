import { readFileSync, existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { repoRoot } from '../util/repoRoot.js';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigSchema, RENAMED_KEYS, type AstranConfig } from './schema.js';
import { explainIssues, type RenamedKey, type SectionIssue } from './renamedKeys.js';
import { ConfigError } from '../core/errors.js';
import { SourceCatalog } from './SourceCatalog.js';
import { OUT_DIR, renderTemplate, templateContext } from './template.js';
import { readOnlyRoots, renderRoots } from './readOnlyRoots.js';
import { rootContaining } from '../util/pathUnder.js';

export const REPO_ROOT = repoRoot();
export const DEFAULT_CONFIG_FILE = resolve(REPO_ROOT, 'config/default.yaml');

export interface LoadedConfig {
  file: string;
  config: AstranConfig;
  /** data.base as an absolute path. */
  base: string;
  sources: SourceCatalog;
}

/**
 * Sections validated by their owners' schemas (adapters, backends), registered by the bot assembly
 * (src/bot/configSections.ts), so the config loader knows none of them. `check-config` reports their problems.
 */
export type SectionValidator = (value: unknown) => SectionIssue[];
const sectionValidators = new Map<string, SectionValidator>();
export function registerSectionValidator(section: string, v: SectionValidator): void {
  sectionValidators.set(section, v);
}
/** A validator from the section's zod schema; old key names in `renamed` get a "did you mean" with the new key. */
export function zodSectionValidator(schema: z.ZodType, renamed: readonly RenamedKey[] = []): SectionValidator {
  return (value) => {
    const r = schema.safeParse(value);
    return r.success ? [] : explainIssues(r.error.issues, value, renamed);
  };
}

/** Parse a section with its owner's schema; problems become a ConfigError naming each setting. */
export function parseSection<S extends z.ZodType>(schema: S, value: unknown, section: string, renamed: readonly RenamedKey[] = []): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = explainIssues(r.error.issues, value, renamed).map((i) => `${sectionPath(section, i.path)}: ${i.message}`);
  throw new ConfigError(`invalid ${section} settings: ${issues.join('; ')}`, issues);
}

function fmtPath(p: readonly PropertyKey[]): string {
  return p.length ? p.map(String).join('.') : '(top level)';
}

/** `backends.slurm.port`, or the section itself for a problem of the whole section. */
function sectionPath(section: string, p: readonly PropertyKey[]): string {
  return [section, ...p.map(String)].join('.');
}

/** Every problem of a config file, each as "file: path: message". Empty when the file is fine. */
export function checkConfig(file: string): string[] {
  try {
    loadConfig(file);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.length ? e.issues : [e.message];
    return [`${file}: ${(e as Error).message}`];
  }
}

/** Problems of every registered section present in `config` (parsed or still raw). */
function sectionIssues(abs: string, config: unknown): string[] {
  const out: string[] = [];
  for (const [section, v] of sectionValidators) {
    const value = section.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), config);
    if (value === undefined) continue;
    for (const i of v(value)) out.push(`${abs}: ${sectionPath(section, i.path)}: ${i.message}`);
  }
  return out;
}

export function loadConfig(file: string = DEFAULT_CONFIG_FILE): LoadedConfig {
  const abs = resolve(file);
  if (!existsSync(abs)) throw new ConfigError(`config file ${abs} does not exist (set ASTRAN_CONFIG or pass --config)`);
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(abs, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${abs}: not valid YAML: ${(e as Error).message}`, [`${abs}: not valid YAML: ${(e as Error).message}`]);
  }
  const issues: string[] = [];
  const r = ConfigSchema.safeParse(raw ?? {});
  if (!r.success) {
    for (const i of explainIssues(r.error.issues, raw ?? {}, RENAMED_KEYS)) issues.push(`${abs}: ${fmtPath(i.path)}: ${i.message}`);
    // The registered sections are checked too, so one run lists every problem.
    issues.push(...sectionIssues(abs, raw ?? {}));
    throw new ConfigError(`invalid configuration ${abs}`, issues);
  }
  const config = r.data;
  const dir = dirname(abs);
  const base = isAbsolute(config.data.base) ? config.data.base : resolve(dir, config.data.base);
  if (config.data.workspace && !isAbsolute(config.data.workspace)) config.data.workspace = resolve(dir, config.data.workspace);

  issues.push(...sectionIssues(abs, config));
  if (config.pipeline.backend === 'slurm' && config.backends.slurm === undefined)
    issues.push(`${abs}: backends.slurm: required when pipeline.backend is slurm`);

  let sources: SourceCatalog | undefined;
  const sourcesFile = isAbsolute(config.sources) ? config.sources : resolve(dir, config.sources);
  try {
    sources = SourceCatalog.fromFile(sourcesFile);
  } catch (e) {
    if (e instanceof ConfigError && e.issues.length) issues.push(...e.issues);
    else issues.push(`${abs}: sources: ${(e as Error).message}`);
  }

  // Render every template once with sample values so unknown variables are reported now, not mid-night.
  try {
    const sample = templateContext(config, base, { night: '20240101', run: 1, source: 'Crab Nebula', ra: 83.6, dec: 22.0, decLine: config.dec_lines ? 'dec_2276' : undefined });
    if (config.pipeline.dl1_complete.night_flag) renderTemplate(config.pipeline.dl1_complete.night_flag, sample, 'pipeline.dl1_complete.night_flag');
    if (config.dec_lines) renderRoots(config.dec_lines.roots, config, base, 'dec_lines.roots');
    for (const [si, st] of config.pipeline.stages.entries()) {
      for (const key of ['command', 'inputs', 'outputs', 'mkdirs'] as const) {
        st[key].forEach((t, ti) => {
          try {
            // {out_dir} (the task's staging folder, see PipelinePlan.ts) exists in commands only.
            renderTemplate(t, key === 'command' ? { ...sample, [OUT_DIR]: '/staging' } : sample, `pipeline.stages.${si}.${key}.${ti}`);
          } catch (e) {
            issues.push(`${abs}: ${(e as Error).message}`);
          }
        });
      }
    }
    if (config.data.run_catalog) renderTemplate(config.data.run_catalog, sample, 'data.run_catalog');
    if (config.data.run_summary) renderTemplate(config.data.run_summary, sample, 'data.run_summary');
    if (config.data.dl3_store) renderTemplate(config.data.dl3_store, sample, 'data.dl3_store');
    for (const [name, t] of Object.entries(config.official_paths)) {
      if (config.paths[name] === undefined) issues.push(`${abs}: official_paths.${name}: there is no paths.${name} it would stand in for`);
      else renderTemplate(t, sample, `official_paths.${name}`);
    }
    issues.push(...readOnlyIssues(config, base, sample).map((i) => `${abs}: ${i}`));
  } catch (e) {
    issues.push(`${abs}: ${(e as Error).message}`);
  }
  const names = new Set<string>();
  for (const [si, st] of config.pipeline.stages.entries()) {
    if (names.has(st.name)) issues.push(`${abs}: pipeline.stages.${si}.name: duplicate stage name "${st.name}"`);
    names.add(st.name);
  }
  if (issues.length) throw new ConfigError(`invalid configuration ${abs}`, issues);
  return { file: abs, config, base, sources: sources! };
}

/**
 * Everything ASTRAN writes must stay out of data.read_only_roots: stage outputs and mkdirs (rendered for a sample run),
 * the workspace, results, store and work folders. Each issue names the key and the root it falls under.
 */
function readOnlyIssues(config: AstranConfig, base: string, sample: Record<string, string | number>): string[] {
  const roots = readOnlyRoots(config, base);
  if (!roots.length) return [];
  const out: string[] = [];
  const check = (key: string, path: string | undefined) => {
    if (!path) return;
    const root = rootContaining(path, roots);
    if (root)
      out.push(
        `${key}: "${path}" is inside the read-only root data.read_only_roots.${roots.indexOf(root)} (${root}); ` +
          'ASTRAN writes only into its own workspace (data.workspace), never into the production tree',
      );
  };
  check('data.workspace', config.data.workspace);
  for (const [si, st] of config.pipeline.stages.entries())
    for (const key of ['outputs', 'mkdirs'] as const)
      st[key].forEach((t, ti) => {
        try {
          check(`pipeline.stages.${si}.${key}.${ti}`, renderTemplate(t, sample, `pipeline.stages.${si}.${key}.${ti}`));
        } catch {
          // unknown variables are reported by the rendering pass
        }
      });
  check('bot.results_dir', resolve(config.bot.results_dir));
  check('store.path', resolve(config.store.path));
  const local = config.backends.local as { workdir?: unknown } | undefined;
  check('backends.local.workdir', resolve(typeof local?.workdir === 'string' ? local.workdir : './.astran/work'));
  const slurm = config.backends.slurm as { remoteWorkdir?: unknown; remote_workdir?: unknown } | undefined;
  for (const key of ['remote_workdir', 'remoteWorkdir'] as const) {
    const v = slurm?.[key];
    if (typeof v === 'string') check(`backends.slurm.${key}`, v);
  }
  return out;
}
