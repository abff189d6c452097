import { cleanBody } from './cleanBody.js';
import { suggest } from '../../src/util/suggest.js';

/**
 * Turns a mail (subject + body text) into the command text the core parses.
 *
 * Order of precedence (documented in docs/email.md):
 *  1. A reply in a known job thread: the first line the sender typed (e.g. `status`, `cancel`, `yes`).
 *  2. A line starting with `/astran` anywhere in the typed text: that line.
 *  3. Subject `ASTRAN-LAUNCH`: `launch` + parameters from the subject's rest and the body, written as
 *     `key=value` tokens, `key: value` lines, or (in a forwarded request) the same forms.
 *  4. Subject `ASTRAN-<COMMAND> [args]` (e.g. `ASTRAN-STATUS A-0042`): `<command> <args>`; without args in the
 *     subject, the first typed body line gives them.
 *  5. Subject `ASTRAN`: the first typed body line is the command.
 *  6. Anything else: `help` (understood = false), so the sender gets the help text and an example.
 */
export interface ParsedEmailCommand {
  text: string;
  /** False when the mail matched no known form; the reply then carries an example to copy. */
  understood: boolean;
}

/** Strip any number of reply/forward prefixes (Re:, Fwd:, FW:, AW:, WG:, SV:, TR:, RE[2]:) and [tags]. */
export function baseSubject(subject: string): string {
  let s = subject.trim();
  for (let i = 0; i < 20; i++) {
    const next = s.replace(/^(?:(?:re|fwd?|aw|wg|sv|vs|tr|antw|r)(?:\[\d+\]|\s*\(\d+\))?\s*:|\[[^\]]*\])\s*/i, '');
    if (next === s) break;
    s = next;
  }
  return s;
}

export function isForward(subject: string): boolean {
  return /^\s*(?:re\s*:\s*)*(fwd?|wg|tr)\s*:/i.test(subject);
}

const SAFE_VALUE = /^[A-Za-z0-9._:+\-/,@]+$/;

/**
 * Quote a value for the core's key=value parser (src/dispatch/parsing/parseCommand.ts): it has no backslash escapes,
 * a quoted value runs to the same closing quote. So: double quotes, or single quotes when the value holds
 * a double quote; a value holding both loses its double quotes.
 */
export function quoteValue(v: string): string {
  if (v !== '' && SAFE_VALUE.test(v)) return v;
  if (!v.includes('"')) return `"${v}"`;
  if (!v.includes("'")) return `'${v}'`;
  return `"${v.replace(/"/g, '')}"`;
}

const KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Keys read from `key: value` lines. Prose like "FYI: see below" must not become a parameter, so that
 * form only takes these keys, keys with an underscore, and near-misses of them (the core then answers
 * "did you mean"). `key=value` tokens are explicit and pass through whatever the key.
 */
export const LAUNCH_KEYS = ['source', 'date', 'dates', 'night', 'nights', 'from', 'to', 'runs', 'run', 'theta2_cut', 'off_regions', 'emin', 'emax', 'dry_run', 'force'];

function isParamKey(key: string): boolean {
  const k = key.toLowerCase();
  return LAUNCH_KEYS.includes(k) || k.includes('_') || (k.length >= 4 && suggest(k, LAUNCH_KEYS, 1).length > 0);
}

/** Split on whitespace, keeping "double quoted" and 'single quoted' runs together (quotes removed). */
function tokenize(line: string): string[] {
  const out: string[] = [];
  const re = /((?:[^\s"']+|"[^"]*"|'[^']*')+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) out.push(m[1]);
  return out;
}

const stripQuotes = (s: string) => s.replace(/"([^"]*)"|'([^']*)'/g, (_m, a: string | undefined, b: string | undefined) => a ?? b ?? '');

/**
 * Launch parameters in a set of lines, as `key=value` tokens (with bare flags on the same line, like
 * `dry_run`) or `key: value` lines. Prose lines are ignored. Returns normalised `key=value` tokens.
 */
export function launchParams(lines: string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const tokens = tokenize(line);
    const kv = tokens.filter((t) => {
      const eq = t.indexOf('=');
      return eq > 0 && KEY.test(t.slice(0, eq));
    });
    if (kv.length > 0) {
      for (const t of tokens) {
        const eq = t.indexOf('=');
        if (eq > 0 && KEY.test(t.slice(0, eq))) out.push(`${t.slice(0, eq).toLowerCase()}=${quoteValue(stripQuotes(t.slice(eq + 1)))}`);
        else if (KEY.test(t)) out.push(t.toLowerCase()); // a flag such as dry_run
      }
      continue;
    }
    const colon = /^([A-Za-z_][A-Za-z0-9_-]*)\s*:\s*(.+)$/.exec(line);
    if (colon && isParamKey(colon[1])) out.push(`${colon[1].toLowerCase()}=${quoteValue(stripQuotes(colon[2].trim()))}`);
  }
  return out;
}

function astranLine(lines: string[]): string | undefined {
  return lines.find((l) => /^\/astran(\s|$)/i.test(l));
}

export function parseEmailCommand(subject: string, bodyText: string, inThread: boolean): ParsedEmailCommand {
  const body = cleanBody(bodyText);
  if (inThread) {
    const first = body.lines[0] ?? '';
    return { text: first.replace(/^\/astran\s*/i, '').trim(), understood: first !== '' };
  }
  const slash = astranLine(body.lines) ?? (body.lines.length === 0 ? astranLine(body.forwarded) : undefined);
  if (slash) return { text: slash.replace(/^\/astran\s*/i, '').trim(), understood: true };

  const base = baseSubject(subject);
  const m = /^astran(?:[-_]([a-z]+))?\b\s*(.*)$/i.exec(base);
  if (m && m[1]?.toLowerCase() === 'launch') {
    let params = launchParams([m[2], ...body.lines].filter((l) => l.trim() !== ''));
    if (params.length === 0) params = launchParams(body.forwarded);
    return { text: ['launch', ...params].join(' '), understood: true };
  }
  if (m && m[1]) {
    const args = m[2].trim() || (body.lines[0] ?? '');
    return { text: `${m[1].toLowerCase()} ${args}`.trim(), understood: true };
  }
  if (m) {
    const first = body.lines[0] ?? body.forwarded[0] ?? '';
    return first ? { text: first.replace(/^\/astran\s*/i, ''), understood: true } : { text: 'help', understood: false };
  }
  return { text: 'help', understood: false };
}
