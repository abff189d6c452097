import { suggest } from '../../util/suggest.js';

/** "Did you mean `a` or `b`?" from the closest candidates, or '' when none is close. */
export function didYouMean(input: string, candidates: readonly string[], opts: { max?: number; prefix?: string } = {}): string {
  const near = suggest(input, candidates, opts.max ?? 2);
  return formatDidYouMean(near, opts.prefix);
}

export function formatDidYouMean(near: readonly string[], prefix = ''): string {
  if (!near.length) return '';
  const items = near.map((n) => `\`${prefix}${n}\``);
  const list = items.length === 1 ? items[0] : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
  return `Did you mean ${list}?`;
}
