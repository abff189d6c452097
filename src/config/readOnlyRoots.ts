import { renderTemplate, type TemplateConfig } from './template.js';

/** Folder templates rendered with {base}, {workspace} and vars (no per-run values: each is one folder). */
export function renderRoots(templates: readonly string[], config: Pick<TemplateConfig, 'vars' | 'data'>, base: string, key: string): string[] {
  const vars: Record<string, string> = { ...config.vars, base };
  if (config.data.workspace) vars.workspace = config.data.workspace;
  return templates.map((t, i) => renderTemplate(t, vars, `${key}.${i}`));
}

/** data.read_only_roots, rendered. */
export function readOnlyRoots(config: Pick<TemplateConfig, 'vars'> & { data: { workspace?: string | undefined; read_only_roots: string[] } }, base: string): string[] {
  return renderRoots(config.data.read_only_roots, config, base, 'data.read_only_roots');
}
