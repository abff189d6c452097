import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { suggest } from '../util/suggest.js';
import { ConfigError } from '../core/errors.js';
import type { SourceEntry } from '../core/types.js';
import type { SourceLookup } from '../core/services.js';
import { sourceKey } from './sourceKey.js';

export type { SourceEntry } from '../core/types.js';

export const SourceEntrySchema = z
  .object({
    name: z.string().trim().min(1).max(80),
    aliases: z.array(z.string().trim().min(1).max(80)).default([]),
    ra: z.number().min(0).max(360),
    dec: z.number().min(-90).max(90),
    /** Power-law index Γ assumed for the flux of this source. */
    index: z.number().min(1).max(6).optional(),
  })
  .strict() satisfies z.ZodType<SourceEntry, unknown>;

export const SourceListSchema = z.object({ sources: z.array(SourceEntrySchema).min(1) }).strict();

const key = sourceKey;

/** The project's source list: names and aliases resolve case-insensitively ("crab" → Crab Nebula). */
export class SourceCatalog implements SourceLookup {
  private readonly byKey = new Map<string, SourceEntry>();

  constructor(readonly entries: readonly SourceEntry[]) {
    for (const e of entries) {
      for (const n of [e.name, ...e.aliases]) {
        const k = key(n);
        const prev = this.byKey.get(k);
        if (prev && prev !== e) throw new ConfigError(`source name "${n}" is used by both "${prev.name}" and "${e.name}" in the source list`);
        this.byKey.set(k, e);
      }
    }
  }

  static fromFile(path: string): SourceCatalog {
    let raw: unknown;
    try {
      raw = parseYaml(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new ConfigError(`cannot read the source list ${path}: ${(e as Error).message}`);
    }
    const r = SourceListSchema.safeParse(raw);
    if (!r.success) {
      throw new ConfigError(
        `invalid source list ${path}`,
        r.error.issues.map((i) => `${path}: sources${i.path.length ? '.' + i.path.join('.') : ''}: ${i.message}`),
      );
    }
    return new SourceCatalog(r.data.sources);
  }

  resolve(name: string): SourceEntry | undefined {
    return this.byKey.get(key(name));
  }

  /** Closest known names (canonical names; an alias match is reported as its canonical name). */
  suggest(name: string, max = 3): string[] {
    const names = this.entries.flatMap((e) => [e.name, ...e.aliases]);
    const out: string[] = [];
    for (const n of suggest(name, names, max * 2)) {
      const canon = this.resolve(n)!.name;
      if (!out.includes(canon)) out.push(canon);
      if (out.length >= max) break;
    }
    return out;
  }

  names(): string[] {
    return this.entries.map((e) => e.name);
  }
}
