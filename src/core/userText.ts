/**
 * Strings a user controls (display names, names of targets of opportunity, anything typed that ASTRAN echoes) are
 * marked where the core interpolates them into its own text: `requested by ${userText(name)}`. Each adapter then
 * renders ASTRAN's own light markdown as formatting and every marked string with its platform's escaping, so a
 * user's `*bold*` or `[link](…)` shows as typed, while ASTRAN's own formatting is left alone (adapters/shared/
 * safeText.ts renderWithUserText). The marks are two private-use characters; an adapter that knows nothing of them
 * (or a log) just drops them (plainSafe).
 */
export const USER_TEXT_OPEN = '\uE000';
export const USER_TEXT_CLOSE = '\uE001';
const MARKS = /[\uE000\uE001]/g;

/** `s` marked as user-controlled (marks inside it removed, so a user cannot end the span early). */
export function userText(s: string): string {
  const clean = s.replace(MARKS, '');
  return clean === '' ? '' : USER_TEXT_OPEN + clean + USER_TEXT_CLOSE;
}

/** The text without marks (for logs, tests and plain output). */
export function withoutMarks(s: string): string {
  return s.replace(MARKS, '');
}

/** Split into ASTRAN's own parts and marked user parts, in order (an unclosed mark runs to the end). */
export function textParts(s: string): { text: string; user: boolean }[] {
  const out: { text: string; user: boolean }[] = [];
  let i = 0;
  while (i < s.length) {
    const open = s.indexOf(USER_TEXT_OPEN, i);
    if (open < 0) {
      out.push({ text: s.slice(i).replace(MARKS, ''), user: false });
      break;
    }
    if (open > i) out.push({ text: s.slice(i, open).replace(MARKS, ''), user: false });
    const close = s.indexOf(USER_TEXT_CLOSE, open + 1);
    const end = close < 0 ? s.length : close;
    out.push({ text: s.slice(open + 1, end).replace(MARKS, ''), user: true });
    i = end + 1;
  }
  return out.filter((p) => p.text !== '');
}
