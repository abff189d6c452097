/**
 * `astran check-config --explain`: every config key with its type, default and description, derived from the zod
 * schemas themselves (zod's JSON Schema export), so a key documented with `.describe()` in its owner's
 * `<area>/config.ts` is explained without anything else to update. Keys still lacking a description are listed as such.
 */
import { z } from 'zod';

export interface KeyDoc {
  /** Dotted path from the top of the file: `data.workspace`, `pipeline.stages[].name`, `vars.*`. */
  key: string;
  /** Plain-words type with its limits: "number, 0–90", "list of text", "one of: local, slurm". */
  type: string;
  required: boolean;
  /** The default as YAML would show it, when there is one. */
  default?: string;
  description: string | null;
}

type Json = {
  type?: string | string[];
  description?: string;
  default?: unknown;
  properties?: Record<string, Json>;
  required?: string[];
  additionalProperties?: boolean | Json;
  items?: Json;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Json[];
  oneOf?: Json[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  pattern?: string;
};

function isObject(j: Json): boolean {
  return j.type === 'object' || j.properties !== undefined;
}

/** Limits zod puts on every integer (the safe-integer range) say nothing to a reader. */
const huge = (v: number | undefined) => (v !== undefined && Math.abs(v) >= Number.MAX_SAFE_INTEGER ? undefined : v);

function range(j: Json): string {
  const lo = huge(j.minimum) !== undefined ? `≥ ${j.minimum}` : huge(j.exclusiveMinimum) !== undefined ? `> ${j.exclusiveMinimum}` : undefined;
  const hi = huge(j.maximum) !== undefined ? `≤ ${j.maximum}` : huge(j.exclusiveMaximum) !== undefined ? `< ${j.exclusiveMaximum}` : undefined;
  return [lo, hi].filter(Boolean).map((b) => `, ${b}`).join('');
}

function typeWords(j: Json): string {
  const options = j.anyOf ?? j.oneOf;
  if (options) return [...new Set(options.map(typeWords))].join(' or ');
  if (j.enum) return `one of: ${j.enum.map(String).join(', ')}`;
  if (j.const !== undefined) return JSON.stringify(j.const);
  const t = Array.isArray(j.type) ? j.type.join(' or ') : j.type;
  switch (t) {
    case 'string':
      return 'text';
    case 'number':
      return `number${range(j)}`;
    case 'integer':
      return `whole number${range(j)}`;
    case 'boolean':
      return 'true or false';
    case 'array':
      return `list of ${j.items ? typeWords(j.items) : 'values'}${j.minItems ? ` (at least ${j.minItems})` : ''}`;
    case 'object':
      if (!j.properties && j.additionalProperties && typeof j.additionalProperties === 'object') return `map of name → ${typeWords(j.additionalProperties)}`;
      return 'section';
    case undefined:
      return 'any value';
    default:
      return t;
  }
}

function walk(j: Json, key: string, required: boolean, out: KeyDoc[]): void {
  const options = (j.anyOf ?? j.oneOf)?.filter(isObject);
  out.push({
    key,
    type: typeWords(j),
    required,
    // An empty section's default ({}) says nothing; an empty list's ([]) does.
    ...(j.default !== undefined && !(typeof j.default === 'object' && j.default !== null && !Array.isArray(j.default) && Object.keys(j.default).length === 0) ? { default: JSON.stringify(j.default) } : {}),
    description: j.description ?? null,
  });
  const objects = options?.length ? options : isObject(j) ? [j] : [];
  for (const o of objects) {
    for (const [k, v] of Object.entries(o.properties ?? {})) walk(v, key ? `${key}.${k}` : k, (o.required ?? []).includes(k), out);
    if (o.additionalProperties && typeof o.additionalProperties === 'object' && (isObject(o.additionalProperties) || o.properties)) walk(o.additionalProperties, `${key}.*`, false, out);
  }
  if (j.type === 'array' && j.items && isObject(j.items)) {
    for (const [k, v] of Object.entries(j.items.properties ?? {})) walk(v, `${key}[].${k}`, (j.items.required ?? []).includes(k), out);
  }
}

/** Every key of a schema, parents before children; `prefix` places a section schema in the file. */
export function keyDocs(schema: z.ZodType, prefix = ''): KeyDoc[] {
  const json = z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as Json;
  const out: KeyDoc[] = [];
  walk(json, prefix, true, out);
  // The schema's own top entry is not a key (a section's entry is added by its parent).
  return out.filter((d) => d.key !== prefix);
}

/** The keys of a parsed YAML document (same dotted form as KeyDoc.key; list items as `[]`). */
export function keysIn(raw: unknown, prefix = ''): Set<string> {
  const out = new Set<string>();
  const visit = (v: unknown, key: string) => {
    if (key) out.add(key);
    if (Array.isArray(v)) for (const x of v) if (x && typeof x === 'object' && !Array.isArray(x)) visitObject(x as Record<string, unknown>, `${key}[]`);
    if (v && typeof v === 'object' && !Array.isArray(v)) visitObject(v as Record<string, unknown>, key);
  };
  const visitObject = (o: Record<string, unknown>, key: string) => {
    for (const [k, x] of Object.entries(o)) visit(x, key ? `${key}.${k}` : k);
  };
  visit(raw, prefix);
  return out;
}

/** The explanation as check-config prints it: one block per key, `*` marking keys set in the file. */
export function formatKeyDocs(docs: KeyDoc[], set: Set<string> = new Set()): string {
  const lines: string[] = [];
  for (const d of docs) {
    // A key of a map (`vars.*`) counts as set when any name of that map is.
    const inFile = set.has(d.key) || (d.key.endsWith('.*') && [...set].some((k) => k.startsWith(d.key.slice(0, -1)) && !k.slice(d.key.length - 1).includes('.')));
    const facts = [d.type, d.required ? 'required' : d.default !== undefined ? `default ${d.default}` : 'optional'];
    lines.push(`${inFile ? '*' : ' '} ${d.key} (${facts.join('; ')})`);
    lines.push(...wrap(d.description ?? '(no description yet)', 110).map((l) => `    ${l}`));
  }
  const missing = docs.filter((d) => d.description === null).length;
  lines.push('', `${docs.length} keys, ${missing} without a description yet. * = set in this file.`);
  return lines.join('\n');
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}
