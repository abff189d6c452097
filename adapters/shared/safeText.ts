/**
 * Outbound text hygiene shared by every adapter. The core's text mixes ASTRAN's own light markdown with strings
 * users control (display names, sources, free text, e-mail subjects); nothing ASTRAN writes itself is a link,
 * a broadcast mention or a direction override, so these are neutralised wherever they appear.
 */

import { textParts, withoutMarks } from '../../src/core/userText.js';

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

/** Bidi and control characters removed, user-text marks dropped: what every adapter does first. */
export function plainSafe(s: string): string {
  return withoutMarks(stripControls(stripBidi(s.replace(/\r\n?/g, '\n'))));
}

const PLACEHOLDER = /\uE002(\d+)\uE003/g;

/**
 * Render text that mixes ASTRAN's own markdown with marked user strings (src/core/userText.ts): `own` converts the
 * text with each user string replaced by an inert placeholder (so a user's backtick cannot open or close a code
 * span, nor a star make ASTRAN's text bold); `user` escapes each user string for where it landed: inside a code span
 * of ASTRAN's text (`inCode`) or in running text.
 */
export function renderWithUserText(md: string, own: (s: string) => string, user: (s: string, inCode: boolean) => string): string {
  const users: string[] = [];
  const skeleton = textParts(md.replace(/[\uE002\uE003]/g, ''))
    .map((p) => (p.user ? `\uE002${users.push(p.text) - 1}\uE003` : p.text))
    .join('');
  return splitCode(own(skeleton))
    .map((part, i) => part.replace(PLACEHOLDER, (_m, n: string) => user(users[Number(n)], i % 2 === 1)))
    .join('');
}

/** Split into [outside, code, outside, code, ...]: code spans and blocks are shown literally by both platforms. */
export function splitCode(md: string): string[] {
  return md.split(/(```[\s\S]*?```|`[^`\n]*`)/g);
}
