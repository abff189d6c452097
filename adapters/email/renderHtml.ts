import { textParts } from '../../src/core/userText.js';
import { plainSafe } from '../shared/safeText.js';

/**
 * HTML rendering of the core's light markdown (bold, `code`, code blocks, lists) for mail clients. Marked user
 * strings (src/core/userText.ts) are shown as typed: HTML-escaped, never read as markdown.
 */
function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function inline(s: string): string {
  return esc(s)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<b>$1</b>')
    .replace(/(^|[\s(])\*([^*\s][^*]*)\*(?=[\s).,!?]|$)/g, '$1<b>$2</b>')
    .replace(/(^|[\s(])_([^_\s][^_]*)_(?=[\s).,!?]|$)/g, '$1<i>$2</i>');
}

export function renderHtml(marked: string): string {
  const users: string[] = [];
  const text = textParts(marked.replace(/[\uE002\uE003]/g, ''))
    .map((p) => (p.user ? `\uE002${users.push(plainSafe(p.text)) - 1}\uE003` : plainSafe(p.text)))
    .join('');
  const out: string[] = [];
  const lines = text.split('\n');
  let inList = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('```')) {
      const block: string[] = [];
      for (i++; i < lines.length && !lines[i].startsWith('```'); i++) block.push(lines[i]);
      if (inList) { out.push('</ul>'); inList = false; }
      out.push(`<pre>${esc(block.join('\n'))}</pre>`);
      continue;
    }
    const item = /^\s*[-*•]\s+(.*)$/.exec(line);
    if (item) {
      if (!inList) { out.push('<ul>'); inList = true; }
      out.push(`<li>${inline(item[1])}</li>`);
      continue;
    }
    if (inList) { out.push('</ul>'); inList = false; }
    out.push(line.trim() === '' ? '<br>' : `<div>${inline(line)}</div>`);
  }
  if (inList) out.push('</ul>');
  const body = out.join('\n').replace(/\uE002(\d+)\uE003/g, (_m, n: string) => esc(users[Number(n)]));
  return `<!doctype html><html><body style="font-family:sans-serif">${body}</body></html>`;
}
