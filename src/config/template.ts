import { z } from 'zod';
import { ConfigError } from '../core/errors.js';

/** Path/command template in config: `{name}` or `{name:05}` (zero-padded integer). Checked against known variables at load. */
export const TemplateSchema = z.string().min(1).max(1000);

/** The settings templates draw on (the `vars`, `paths` and `data` sections, see src/pipeline/config.ts). */
export interface TemplateConfig {
  vars: Record<string, string>;
  paths: Record<string, string>;
  data: { workspace?: string | undefined };
}

/** Values a template may use. Every value comes from config or from validated request fields, never raw user text. */
export type TemplateVars = Record<string, string | number>;

/** `{out_dir}`: a task's staging folder, usable in stage commands only (see PipelinePlan.ts). */
export const OUT_DIR = 'out_dir';

const TOKEN = /\{([a-z][a-z0-9_]*)(?::(0\d+))?\}/g;

/** Names a template refers to. */
export function templateNames(t: string): string[] {
  return [...t.matchAll(TOKEN)].map((m) => m[1]);
}

/**
 * Render `{name}` and `{name:05}` (zero-padded integer) from `vars`. Unknown names throw, so a typo in config
 * surfaces at load time (check-config renders every template with sample values).
 */
export function renderTemplate(t: string, vars: TemplateVars, where = 'template'): string {
  return t.replace(TOKEN, (_m, name: string, pad?: string) => {
    const v = vars[name];
    if (v === undefined) throw new ConfigError(`${where}: unknown variable {${name}} in "${t}"`);
    if (pad) {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${where}: {${name}:${pad}} needs a non-negative integer, got "${v}"`);
      return String(n).padStart(parseInt(pad, 10), '0');
    }
    return String(v);
  });
}

/**
 * Resolve the named path templates, which may refer to each other (`dl3: "{dl3_dir}/dl3_LST-1.Run{run:05}.fits.gz"`).
 * Cycles and unknown names are configuration errors.
 */
export function resolvePaths(paths: Record<string, string>, base: TemplateVars): Record<string, string> {
  const out: Record<string, string> = {};
  const visiting = new Set<string>();
  const visit = (name: string): string => {
    if (out[name] !== undefined) return out[name];
    if (visiting.has(name)) throw new ConfigError(`paths.${name}: refers to itself through other paths`);
    visiting.add(name);
    const t = paths[name];
    const vars: TemplateVars = { ...base };
    for (const ref of templateNames(t)) if (paths[ref] !== undefined && base[ref] === undefined) vars[ref] = visit(ref);
    out[name] = renderTemplate(t, vars, `paths.${name}`);
    visiting.delete(name);
    return out[name];
  };
  for (const name of Object.keys(paths)) visit(name);
  return out;
}

/** A file-system-safe folder name for a source ("PKS 2155-304" → "PKS_2155-304"). */
export function sourceDirName(name: string): string {
  return name.replace(/[^A-Za-z0-9+\-.]+/g, '_').replace(/^\.+/, '_');
}

export interface TemplateSubject {
  night: string;
  run: number;
  source: string;
  ra: number;
  dec: number;
  /** Named paths replaced for this run (official copies found on the cluster), applied after resolution. */
  paths?: Record<string, string>;
  /** The run's Monte Carlo declination line (`dec_2276`), when dec_lines is configured: `{dec_line}`. */
  decLine?: string;
}

/** All template variables for one run: constants, subject values, and the resolved named paths. */
export function templateContext(config: TemplateConfig, base: string, s: TemplateSubject): Record<string, string | number> {
  const ctx: Record<string, string | number> = {
    ...config.vars,
    base,
    night: s.night,
    run: s.run,
    source: s.source,
    source_dir: sourceDirName(s.source),
    source_ra: s.ra.toFixed(5),
    source_dec: s.dec.toFixed(5),
  };
  if (config.data.workspace) ctx.workspace = config.data.workspace;
  if (s.decLine) ctx.dec_line = s.decLine;
  return { ...ctx, ...resolvePaths(config.paths, ctx), ...(s.paths ?? {}) };
}
