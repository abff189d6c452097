import type { AstranConfig } from './schema.js';
import { renderTemplate } from './template.js';

/** data.read_only_roots rendered with {base}, {workspace} and vars (no per-run values: a root is one folder). */
export function readOnlyRoots(config: AstranConfig, base: string): string[] {
  const vars: Record<string, string> = { ...config.vars, base };
  if (config.data.workspace) vars.workspace = config.data.workspace;
  return config.data.read_only_roots.map((t, i) => renderTemplate(t, vars, `data.read_only_roots.${i}`));
}
