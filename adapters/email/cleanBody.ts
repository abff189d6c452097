/**
 * The part of a mail body a human typed for us: stops at the signature, at quoted history ("> ..." lines,
 * "On ... wrote:"), and at common client footers. A forwarded message (Fwd:) is kept separately so the
 * caller can read a forwarded request when the new text holds none.
 */
export interface CleanBody {
  /** Lines the sender wrote, trimmed, without empty ones. */
  lines: string[];
  /** Lines of a forwarded message's body (its header block skipped), same cleaning; empty when none. */
  forwarded: string[];
}

const SIGNATURE = /^-- ?$/;
const ATTRIBUTION = [
  /^on\b.{0,200}\bwrote:?$/i, // On Mon, 1 Jan 2024, Alice <a@b> wrote:
  /^le\b.{0,200}\ba écrit\s*:?$/i,
  /^am\b.{0,200}\bschrieb\b.*:?$/i,
  /^el\b.{0,200}\bescribió:?$/i,
  /^-{2,}\s*original message\s*-{2,}$/i,
  /^_{10,}$/, // Outlook's separator before the quoted header block
  /^from:\s.+\bsent:\s/i,
];
const FORWARD = [/^-{2,}\s*forwarded message\s*-{2,}$/i, /^begin forwarded message:?$/i];
const FOOTERS = [
  /^sent from my\b/i,
  /^get outlook for\b/i,
  /^sent from (outlook|mail|yahoo mail|gmail)\b/i,
  /^this (e-?mail|message)( and any attachments)? (is|are|may be) confidential/i,
  /^confidentiality notice\b/i,
  /^disclaimer\b/i,
];

function isQuote(line: string): boolean {
  return /^\s*>/.test(line);
}

/** Clean text lines up to the first signature / attribution / footer; quoted lines are skipped. */
function cleanLines(lines: string[]): { kept: string[]; stop: number } {
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].replace(/\s+$/, '');
    const line = raw.trim();
    if (SIGNATURE.test(raw) || SIGNATURE.test(line)) return { kept, stop: i };
    if (FORWARD.some((re) => re.test(line))) return { kept, stop: i };
    if (ATTRIBUTION.some((re) => re.test(line))) return { kept, stop: i };
    if (FOOTERS.some((re) => re.test(line))) return { kept, stop: i };
    if (isQuote(raw) || line === '') continue;
    kept.push(line);
  }
  return { kept, stop: lines.length };
}

export function cleanBody(text: string): CleanBody {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const { kept, stop } = cleanLines(lines);
  let forwarded: string[] = [];
  if (stop < lines.length && FORWARD.some((re) => re.test(lines[stop].trim()))) {
    // Skip the forwarded header block (From:/Date:/Subject:/To:/Cc: lines) up to the first empty line.
    let i = stop + 1;
    while (i < lines.length && lines[i].trim() === '') i++;
    while (i < lines.length && /^\s*(from|date|sent|subject|to|cc|reply-to)\s*:/i.test(lines[i])) i++;
    forwarded = cleanLines(lines.slice(i)).kept;
  }
  return { lines: kept, forwarded };
}
