import type { z } from 'zod';
import { explainIssues, type RenamedKey, type SectionIssue } from './renamedKeys.js';
import { ConfigError } from '../core/errors.js';

/**
 * Sections validated by their owners' schemas (adapters, backends, the watcher, the access list), registered by the
 * bot assembly (src/bot/configSections.ts), so the config loader knows none of them. `check-config` reports their
 * problems.
 */
export type SectionValidator = (value: unknown) => SectionIssue[];
const sectionValidators = new Map<string, SectionValidator>();
export function registerSectionValidator(section: string, v: SectionValidator): void {
  sectionValidators.set(section, v);
}
/**
 * A validator from the section's zod schema; old key names in `renamed` get a "did you mean" with the new key. It
 * carries the schema, so `check-config --explain` can list the section's keys (see sectionSchemas).
 */
export function zodSectionValidator(schema: z.ZodType, renamed: readonly RenamedKey[] = []): SectionValidator & { schema: z.ZodType } {
  const v: SectionValidator = (value) => {
    const r = schema.safeParse(value);
    return r.success ? [] : explainIssues(r.error.issues, value, renamed);
  };
  return Object.assign(v, { schema });
}

/** The registered sections that have a zod schema, by their place in the file (`backends.slurm`). */
export function sectionSchemas(): [string, z.ZodType][] {
  return [...sectionValidators].flatMap(([section, v]) => ('schema' in v ? [[section, (v as { schema: z.ZodType }).schema] as [string, z.ZodType]] : []));
}

/** Parse a section with its owner's schema; problems become a ConfigError naming each setting. */
export function parseSection<S extends z.ZodType>(schema: S, value: unknown, section: string, renamed: readonly RenamedKey[] = []): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = explainIssues(r.error.issues, value, renamed).map((i) => `${sectionPath(section, i.path)}: ${i.message}`);
  throw new ConfigError(`invalid ${section} settings: ${issues.join('; ')}`, issues);
}

/** `backends.slurm.port`, or the section itself for a problem of the whole section. */
function sectionPath(section: string, p: readonly PropertyKey[]): string {
  return [section, ...p.map(String)].join('.');
}

/** Problems of every registered section present in `config` (parsed or still raw), each as "file: path: message". */
export function sectionIssues(abs: string, config: unknown): string[] {
  const out: string[] = [];
  for (const [section, v] of sectionValidators) {
    const value = section.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), config);
    if (value === undefined) continue;
    for (const i of v(value)) out.push(`${abs}: ${sectionPath(section, i.path)}: ${i.message}`);
  }
  return out;
}
