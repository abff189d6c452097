import type { Problem } from '../validation/Problem.js';
import { code } from '../validation/Problem.js';

/** A `key=value` pair as typed; `key` is canonical (lower case, `-` → `_`). */
export interface ParsedPair {
  key: string;
  rawKey: string;
  value: string;
}

export interface ParsedCommand {
  /** Lower-case verb, '' when the text starts with a key=value pair or is empty. */
  verb: string;
  rawVerb: string;
  positionals: string[];
  pairs: ParsedPair[];
}

export type ParseOutcome = { ok: true; command: ParsedCommand } | { ok: false; problems: Problem[] };

interface Token {
  text: string;
  /** Index of the first unquoted `=` in text, -1 when none. */
  eq: number;
}

/** Canonical form of a key: case-insensitive, `-` and `_` equivalent. */
export function canonicalKey(k: string): string {
  return k.trim().toLowerCase().replace(/-/g, '_');
}

const QUOTES = new Set(['"', "'"]);
const WS = /\s/;
// A following `name=` starts a new pair even after a dangling `key=`.
const NEXT_IS_PAIR = /^[A-Za-z][A-Za-z0-9_-]*=/;

/**
 * Split text into tokens. Quotes open only at the start of a token or right after the first `=`, so
 * apostrophes inside words stay literal; `key = value` with spaces around `=` is joined.
 */
function tokenize(s: string): { tokens: Token[]; problems: Problem[] } {
  const tokens: Token[] = [];
  const problems: Problem[] = [];
  let cur: Token | null = null;
  let valueQuoted = false;
  const push = () => {
    if (cur) tokens.push(cur);
    cur = null;
    valueQuoted = false;
  };
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (WS.test(c)) {
      let j = i;
      while (j < s.length && WS.test(s[j])) j++;
      const t = cur as Token | null;
      if (t && j < s.length) {
        // Not for the first token: that is the verb.
        const joinBefore = tokens.length > 0 && t.eq === -1 && s[j] === '=' && t.text.length > 0;
        const joinAfter = t.eq === t.text.length - 1 && t.eq > 0 && !valueQuoted && !NEXT_IS_PAIR.test(s.slice(j));
        if (joinBefore || joinAfter) {
          i = j;
          continue;
        }
      }
      push();
      i = j;
      continue;
    }
    if (!cur) cur = { text: '', eq: -1 };
    const t = cur as Token;
    const atValueStart = t.text.length === 0 || (t.eq === t.text.length - 1 && t.eq >= 0);
    if (QUOTES.has(c) && atValueStart) {
      const close = s.indexOf(c, i + 1);
      if (close < 0) {
        problems.push({
          message: `The quote ${c} before ${code(s.slice(i + 1, i + 25))} is never closed.`,
          fix: `Add a closing ${c}.`,
        });
        t.text += s.slice(i + 1);
        i = s.length;
      } else {
        t.text += s.slice(i + 1, close);
        i = close + 1;
      }
      if (t.eq >= 0) valueQuoted = true;
      continue;
    }
    if (c === '=' && t.eq === -1) t.eq = t.text.length;
    t.text += c;
    i++;
  }
  push();
  return { tokens, problems };
}

/** Parse normalised command text (prefix and mention already stripped) into verb, positionals and pairs. */
export function parseCommand(text: string): ParseOutcome {
  const { tokens, problems } = tokenize(text);
  const command: ParsedCommand = { verb: '', rawVerb: '', positionals: [], pairs: [] };
  tokens.forEach((t, idx) => {
    if (idx === 0 && t.eq === -1) {
      command.rawVerb = t.text;
      command.verb = t.text.toLowerCase().replace(/[?!.:,;]+$/, '');
      return;
    }
    if (t.eq === -1) {
      command.positionals.push(t.text);
      return;
    }
    const rawKey = t.text.slice(0, t.eq);
    const value = t.text.slice(t.eq + 1).trim();
    if (!rawKey.trim()) {
      problems.push({ message: `${code(t.text)} has no parameter name before ${code('=')}.`, fix: 'Write it as key=value, e.g. `date=20231207`.' });
      return;
    }
    command.pairs.push({ key: canonicalKey(rawKey), rawKey: rawKey.trim(), value });
  });
  return problems.length ? { ok: false, problems } : { ok: true, command };
}
