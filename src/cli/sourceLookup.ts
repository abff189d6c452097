/**
 * Name → position for `astran analyse --source`, without paying for the YAML parser and zod on every run (together
 * ~65 ms of a ~100 ms command). The validated source list is kept as JSON in node_modules/.cache/astran/, tagged
 * with the YAML file's path, size, inode and modification time; it is used only while all four still match, else
 * the YAML is read and validated again (SourceCatalog.fromFile) and the cache rewritten. A name not in the cached
 * list also takes the full path, so "did you mean" suggestions come from the real catalogue.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sourceKey } from '../config/sourceKey.js';
import { repoRoot } from '../util/repoRoot.js';

export interface SourcePosition {
  name: string;
  ra: number;
  dec: number;
  /** Power-law index Γ for the flux, when the list gives one. */
  index?: number;
}

export type SourceLookup = { found: SourcePosition } | { found: null; suggestions: string[] };

interface CacheDoc {
  version: 2;
  file: string;
  size: number;
  ino: number;
  mtimeMs: number;
  /** sourceKey(name or alias) → entry. */
  byKey: Record<string, SourcePosition>;
}

export function sourceCacheFile(): string {
  return join(repoRoot(), 'node_modules', '.cache', 'astran', 'source-catalog.json');
}

function stamp(file: string): { size: number; ino: number; mtimeMs: number } | undefined {
  try {
    const s = statSync(file);
    return { size: s.size, ino: s.ino, mtimeMs: s.mtimeMs };
  } catch {
    return undefined;
  }
}

function isPosition(x: unknown): x is SourcePosition {
  const p = x as SourcePosition;
  return typeof p === 'object' && p !== null && typeof p.name === 'string' && Number.isFinite(p.ra) && Number.isFinite(p.dec) && (p.index === undefined || Number.isFinite(p.index));
}

function readCache(cacheFile: string, file: string): CacheDoc['byKey'] | undefined {
  const st = stamp(file);
  if (!st) return undefined;
  let doc: CacheDoc;
  try {
    doc = JSON.parse(readFileSync(cacheFile, 'utf8')) as CacheDoc;
  } catch {
    return undefined;
  }
  if (doc?.version !== 2 || doc.file !== file || doc.size !== st.size || doc.ino !== st.ino || doc.mtimeMs !== st.mtimeMs) return undefined;
  if (typeof doc.byKey !== 'object' || doc.byKey === null || !Object.values(doc.byKey).every(isPosition)) return undefined;
  return doc.byKey;
}

/** Write the cache atomically; a cache that cannot be written only costs speed. */
function writeCache(cacheFile: string, doc: CacheDoc): void {
  try {
    mkdirSync(join(cacheFile, '..'), { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(doc));
    renameSync(tmp, cacheFile);
  } catch {
    /* read-only install: fine */
  }
}

/**
 * Resolve a source name against the source list `file` (YAML). ConfigError from an invalid list propagates.
 * `cacheFile` is for tests; the default lives under node_modules/.cache.
 */
export async function lookUpSource(file: string, name: string, cacheFile = sourceCacheFile()): Promise<SourceLookup> {
  const cached = readCache(cacheFile, file);
  const hit = cached && Object.prototype.hasOwnProperty.call(cached, sourceKey(name)) ? cached[sourceKey(name)] : undefined;
  if (hit) return { found: hit };
  const before = stamp(file);
  const { SourceCatalog } = await import('../config/SourceCatalog.js');
  const catalog = SourceCatalog.fromFile(file);
  const after = stamp(file);
  // Only a list that did not change while it was read is cached.
  if (before && after && before.size === after.size && before.ino === after.ino && before.mtimeMs === after.mtimeMs) {
    const byKey: CacheDoc['byKey'] = {};
    for (const e of catalog.entries) for (const n of [e.name, ...e.aliases]) byKey[sourceKey(n)] = position(e);
    writeCache(cacheFile, { version: 2, file, ...after, byKey });
  }
  const e = catalog.resolve(name);
  return e ? { found: position(e) } : { found: null, suggestions: catalog.suggest(name) };
}

function position(e: SourcePosition): SourcePosition {
  return { name: e.name, ra: e.ra, dec: e.dec, ...(e.index !== undefined ? { index: e.index } : {}) };
}
