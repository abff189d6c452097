/**
 * Normalisation of command text before parsing: phones and chat clients turn quotes into smart
 * quotes and `--` into dashes, add NBSPs, and users address the bot by mention or slash prefix.
 */

const REPLACEMENTS: [RegExp, string][] = [
  [/[\u201C\u201D\u201E\u201F\u2033\u00AB\u00BB]/g, '"'],
  [/[\u2018\u2019\u201A\u201B\u2032]/g, "'"],
  [/[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uFE58\uFE63\uFF0D]/g, '-'],
  [/[\u00A0\u2000-\u200A\u202F\u205F\u3000]/g, ' '],
  // Zero-width characters and BOM pasted from rich text.
  [/[\u200B-\u200D\u2060\uFEFF]/g, ''],
  // Control characters other than whitespace.
  [/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, ''],
];

/** Unicode and punctuation normalisation only (no prefix stripping). */
export function normalizeText(text: string): string {
  let s = text.normalize('NFKC');
  for (const [re, to] of REPLACEMENTS) s = s.replace(re, to);
  return s.replace(/[\r\n\t]+/g, ' ').trim();
}

// Slack user mention `<@U123ABC>` or `<@U123ABC|name>`, a plain `@astran`, optionally followed by `:` or `,`.
const MENTION = /^(?:<@[A-Za-z0-9._-]+(?:\|[^>]*)?>|@astran\b)\s*[:,]?\s*/i;
const PREFIX = /^\/astran(?:\s+|$)/i;

/** Remove a leading bot mention and/or `/astran` prefix (in either order, each at most once). */
export function stripAddress(text: string): string {
  let s = text.trim();
  for (let i = 0; i < 2; i++) {
    const before = s;
    s = s.replace(MENTION, '').replace(PREFIX, '').trim();
    if (s === before) break;
  }
  return s;
}

/** Full normalisation used by the dispatcher: unicode clean-up, then addressing removed. */
export function normalizeCommandText(text: string): string {
  return stripAddress(normalizeText(text));
}
