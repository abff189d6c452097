/**
 * Outbound text hygiene shared by every adapter. The core's text mixes ASTRAN's own light markdown with strings
 * users control (display names, sources, free text, e-mail subjects); nothing ASTRAN writes itself is a link,
 * a broadcast mention or a direction override, so these are neutralised wherever they appear.
 */

/** Bidirectional controls (embeddings, overrides, isolates, marks): they make text read other than it is. */
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
/** C0/C1 controls other than tab and newline (terminal escape sequences, NUL...). */
const CONTROLS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
/** @channel, @here, @all, @everyone as words: a zero-width space after the @ keeps them readable but inert. */
const BROADCAST = /(^|[^\w@])@(channel|here|all|everyone)(?![\w-])/gi;

export function stripBidi(s: string): string {
  return s.replace(BIDI, '');
}

export function stripControls(s: string): string {
  return s.replace(CONTROLS, '');
}

export function neutraliseBroadcasts(s: string): string {
  return s.replace(BROADCAST, (_m, pre: string, word: string) => `${pre}@\u200B${word}`);
}

/** Bidi and control characters removed: what every adapter does first. */
export function plainSafe(s: string): string {
  return stripControls(stripBidi(s.replace(/\r\n?/g, '\n')));
}

/** Split into [outside, code, outside, code, ...]: code spans and blocks are shown literally by both platforms. */
export function splitCode(md: string): string[] {
  return md.split(/(```[\s\S]*?```|`[^`\n]*`)/g);
}
