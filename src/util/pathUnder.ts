import { posix } from 'node:path';

/**
 * The first root that `path` is inside of (or equal to), compared lexically after normalising `.`, `..` and repeated
 * slashes; undefined when none. Relative paths are never under an absolute root (callers pass absolute paths).
 */
export function rootContaining(path: string, roots: readonly string[]): string | undefined {
  const p = posix.normalize(path).replace(/\/+$/, '') || '/';
  for (const root of roots) {
    const r = posix.normalize(root).replace(/\/+$/, '') || '/';
    if (p === r || p.startsWith(r === '/' ? '/' : r + '/')) return root;
  }
  return undefined;
}
