/**
 * Authentication-Results (RFC 8601) parsing, used to require that the receiving server verified the sender
 * (dmarc=pass, or dkim=pass / spf=pass aligned with the From domain) before a mail may start work.
 */

export interface AuthResult {
  method: string;
  result: string;
  /** Properties such as header.d, header.i, smtp.mailfrom (lower-cased keys). */
  props: Record<string, string>;
}

export interface ParsedAuthResults {
  authservId: string;
  results: AuthResult[];
}

/** Remove RFC 5322 comments "( ... )", nested, outside quoted strings. */
function stripComments(s: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) {
      if (depth === 0) out += c + s[i + 1];
      i++;
      continue;
    }
    if (depth === 0 && c === '"') quoted = !quoted;
    if (!quoted && c === '(') { depth++; continue; }
    if (!quoted && c === ')' && depth > 0) { depth--; continue; }
    if (depth === 0) out += c;
  }
  return out;
}

function splitOutsideQuotes(s: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (const c of s) {
    if (c === '"') quoted = !quoted;
    if (c === sep && !quoted) { parts.push(cur); cur = ''; } else cur += c;
  }
  parts.push(cur);
  return parts;
}

const unquote = (v: string) => (v.startsWith('"') && v.endsWith('"') && v.length >= 2 ? v.slice(1, -1) : v);

/** Parse one Authentication-Results value; null when malformed. */
export function parseAuthResults(value: string): ParsedAuthResults | null {
  const parts = splitOutsideQuotes(stripComments(value), ';').map((p) => p.trim());
  const head = parts.shift();
  if (!head) return null;
  const authservId = head.split(/\s+/)[0].toLowerCase();
  if (!/^[a-z0-9._-]+$/.test(authservId)) return null;
  const results: AuthResult[] = [];
  for (const part of parts) {
    if (part === '' || part.toLowerCase() === 'none') continue;
    const tokens = part.match(/(?:[^\s"]+|"[^"]*")+/g) ?? [];
    const m = /^([a-z0-9_-]+)(?:\/[0-9]+)?=([a-z0-9_-]+)$/i.exec(tokens[0] ?? '');
    if (!m) continue; // unknown shape: ignore that clause rather than guess
    const props: Record<string, string> = {};
    for (const t of tokens.slice(1)) {
      const eq = t.indexOf('=');
      if (eq > 0) props[t.slice(0, eq).toLowerCase()] = unquote(t.slice(eq + 1));
    }
    results.push({ method: m[1].toLowerCase(), result: m[2].toLowerCase(), props });
  }
  return { authservId, results };
}

/** Relaxed alignment: equal domains, or one a subdomain of the other (no public-suffix list here). */
export function domainsAligned(a: string, b: string): boolean {
  const x = a.toLowerCase().replace(/\.$/, '');
  const y = b.toLowerCase().replace(/\.$/, '');
  return x === y || x.endsWith('.' + y) || y.endsWith('.' + x);
}

function domainOf(addrOrDomain: string): string {
  const at = addrOrDomain.lastIndexOf('@');
  return (at >= 0 ? addrOrDomain.slice(at + 1) : addrOrDomain).trim().toLowerCase();
}

export type AuthVerdict = { ok: true; by: 'dmarc' | 'dkim' | 'spf' } | { ok: false; reason: string };

/**
 * Verdict from the message's Authentication-Results headers (top first). Only headers carrying a trusted authserv-id
 * count (RFC 8601 section 5: others are ignored, whoever added them), and of those only the TOPMOST: the receiving
 * server adds its own above everything the sender wrote, and removes forged ones that claim its id (OpenDKIM's
 * RemoveARFrom, for instance). Passes with dmarc=pass for the From domain, or dkim=pass / spf=pass aligned with it.
 */
export function checkAuthResults(headerValuesTopFirst: string[], trustedAuthservIds: string[], fromAddress: string): AuthVerdict {
  if (headerValuesTopFirst.length === 0) return { ok: false, reason: 'no Authentication-Results header' };
  const trusted = trustedAuthservIds.map((s) => s.toLowerCase());
  const parsedAll = headerValuesTopFirst.map(parseAuthResults);
  const parsed = parsedAll.find((p) => p !== null && trusted.includes(p.authservId));
  if (!parsed) {
    const seen = parsedAll.filter((p): p is ParsedAuthResults => p !== null).map((p) => p.authservId);
    return { ok: false, reason: seen.length ? `no Authentication-Results from a trusted server (only from ${[...new Set(seen)].join(', ')})` : 'malformed Authentication-Results header' };
  }
  const fromDomain = domainOf(fromAddress);
  for (const r of parsed.results) {
    if (r.method === 'dmarc' && r.result === 'pass') {
      const d = r.props['header.from'];
      if (d && domainOf(d) === fromDomain) return { ok: true, by: 'dmarc' };
    }
  }
  for (const r of parsed.results) {
    if (r.method === 'dkim' && r.result === 'pass') {
      const d = r.props['header.d'] ?? (r.props['header.i'] ? domainOf(r.props['header.i']) : undefined);
      if (d && domainsAligned(d, fromDomain)) return { ok: true, by: 'dkim' };
    }
  }
  for (const r of parsed.results) {
    if (r.method === 'spf' && r.result === 'pass') {
      const d = r.props['smtp.mailfrom'] ? domainOf(r.props['smtp.mailfrom']) : undefined;
      if (d && domainsAligned(d, fromDomain)) return { ok: true, by: 'spf' };
    }
  }
  const got = parsed.results.map((r) => `${r.method}=${r.result}`).join(', ') || 'no results';
  return { ok: false, reason: `${parsed.authservId} found no dmarc=pass and no dkim/spf pass aligned with ${fromDomain} (${got})` };
}
