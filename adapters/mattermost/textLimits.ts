/**
 * Mattermost's limits: messages are counted in runes (code points) and capped at 16,383
 * (model.PostMessageMaxRunesV2); a post carries at most 5 files (the documented POST_MAX_FILES).
 */
export const MAX_POST_RUNES = 16_383;
export const MAX_FILES_PER_POST = 5;

const TRUNCATION_NOTE = '\n… (truncated)';

function runes(s: string): string[] {
  return Array.from(s);
}

/** Cut a message to fit one post, marking the cut. */
export function truncateMessage(text: string, max = MAX_POST_RUNES): string {
  const r = runes(text);
  if (r.length <= max) return text;
  const note = runes(TRUNCATION_NOTE);
  return r.slice(0, max - note.length).join('') + TRUNCATION_NOTE;
}

/**
 * Split a long message into posts of at most `max` runes, preferring to break at a newline (or a
 * space) in the last fifth of a chunk so lines and code stay readable.
 */
export function splitMessage(text: string, max = MAX_POST_RUNES): string[] {
  const r = runes(text);
  if (r.length <= max) return [text];
  const out: string[] = [];
  let start = 0;
  while (start < r.length) {
    let end = Math.min(start + max, r.length);
    if (end < r.length) {
      const floor = start + Math.floor(max * 0.8);
      let cut = -1;
      for (let i = end; i > floor; i--) if (r[i - 1] === '\n') { cut = i; break; }
      if (cut < 0) for (let i = end; i > floor; i--) if (r[i - 1] === ' ') { cut = i; break; }
      if (cut > 0) end = cut;
    }
    out.push(r.slice(start, end).join(''));
    start = end;
  }
  return out;
}

/** Group items into arrays of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
