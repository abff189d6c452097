/**
 * Plain text from an HTML-only mail, enough to read a command: quoted blocks (blockquote, Gmail/Outlook
 * quote containers) are removed, block elements become line breaks, entities are decoded.
 */
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : '';
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

/** Remove an element with its content, nesting-aware for the same tag. */
function removeElements(html: string, open: RegExp, tag: string): string {
  let out = html;
  for (let guard = 0; guard < 100; guard++) {
    const m = open.exec(out);
    if (!m) break;
    let depth = 1;
    const re = new RegExp(`<(/?)${tag}\\b[^>]*>`, 'gi');
    re.lastIndex = m.index + m[0].length;
    let end = out.length;
    let t: RegExpExecArray | null;
    while ((t = re.exec(out))) {
      depth += t[1] ? -1 : 1;
      if (depth === 0) { end = t.index + t[0].length; break; }
    }
    out = out.slice(0, m.index) + '\n' + out.slice(end);
  }
  return out;
}

export function htmlToText(html: string): string {
  let s = html.replace(/<!--[\s\S]*?-->/g, '');
  s = s.replace(/<(head|style|script|title)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, '');
  s = removeElements(s, /<blockquote\b[^>]*>/i, 'blockquote');
  // Gmail ("gmail_quote"), Outlook ("divRplyFwdMsg" + following quote), Apple ("AppleOriginalContents").
  s = removeElements(s, /<div\b[^>]*(class="[^"]*gmail_quote[^"]*"|id="divRplyFwdMsg"|id="appendonsend")[^>]*>/i, 'div');
  s = s.replace(/<br\s*\/?>/gi, '\n');
  s = s.replace(/<\/(p|div|li|tr|h[1-6]|pre|table)\s*>/gi, '\n');
  s = s.replace(/<(p|div|li|tr|h[1-6]|pre|table)\b[^>]*>/gi, '\n');
  s = s.replace(/<[^>]+>/g, '');
  s = decodeEntities(s);
  return s.replace(/[ \t\u00a0]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
}
