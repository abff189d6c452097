import { OUT_DIR, renderTemplate, templateContext } from '../config/template.js';
import { readOnlyRoots, renderRoots } from '../config/readOnlyRoots.js';
import { rootContaining } from '../util/pathUnder.js';
import type { PipelineSections } from './config.js';

/** A folder ASTRAN writes into that is configured outside the pipeline's sections (`bot.results_dir`, `store.path`...), as an absolute path. */
export interface ConfiguredWrite {
  key: string;
  path: string | undefined;
}

/**
 * Problems of the pipeline's sections that zod cannot see, each as "path: message": every template rendered once
 * with sample values (unknown variables are reported now, not mid-night), official paths without a named path,
 * duplicate stage names, and anything ASTRAN writes (stage outputs, `writes`) inside data.read_only_roots.
 */
export function checkPipelineConfig(config: PipelineSections, base: string, writes: readonly ConfiguredWrite[]): string[] {
  const issues: string[] = [];
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
            issues.push((e as Error).message);
          }
        });
      }
    }
    if (config.data.run_catalog) renderTemplate(config.data.run_catalog, sample, 'data.run_catalog');
    if (config.data.run_summary) renderTemplate(config.data.run_summary, sample, 'data.run_summary');
    if (config.data.dl3_store) renderTemplate(config.data.dl3_store, sample, 'data.dl3_store');
    for (const [name, t] of Object.entries(config.official_paths)) {
      if (config.paths[name] === undefined) issues.push(`official_paths.${name}: there is no paths.${name} it would stand in for`);
      else renderTemplate(t, sample, `official_paths.${name}`);
    }
    issues.push(...readOnlyIssues(config, base, sample, writes));
  } catch (e) {
    issues.push((e as Error).message);
  }
  const names = new Set<string>();
  for (const [si, st] of config.pipeline.stages.entries()) {
    if (names.has(st.name)) issues.push(`pipeline.stages.${si}.name: duplicate stage name "${st.name}"`);
    names.add(st.name);
  }
  return issues;
}

/**
 * Everything ASTRAN writes must stay out of data.read_only_roots: stage outputs and mkdirs (rendered for a sample run),
 * the workspace, and the configured `writes` (results, store and work folders). Each issue names the key and the root
 * it falls under.
 */
function readOnlyIssues(config: PipelineSections, base: string, sample: Record<string, string | number>, writes: readonly ConfiguredWrite[]): string[] {
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
  for (const w of writes) check(w.key, w.path);
  return out;
}
