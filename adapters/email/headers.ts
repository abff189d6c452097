/** Strict, order-preserving parser for an RFC 5322 header block (the part of a message before the first empty line). */

export interface HeaderField {
  /** Lower-cased field name. */
  name: string;
  /** Unfolded value, trimmed. */
  value: string;
}

const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/; // printable US-ASCII except ':'

/** Header fields in message order (top first: the receiving server's own headers come first). */
export function parseHeaderBlock(source: Buffer | string): HeaderField[] {
  const text = typeof source === 'string' ? source : source.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const block = end >= 0 ? text.slice(0, end) : text;
  const out: HeaderField[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line === '') continue;
    if ((line[0] === ' ' || line[0] === '\t') && out.length > 0) {
      // Folded continuation: unfold into the previous field.
      const last = out[out.length - 1];
      last.value = (last.value + ' ' + line.trim()).trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue; // not a header field (e.g. mbox "From " line): ignore, never guess
    const name = line.slice(0, colon).trim();
    if (!FIELD_NAME.test(name)) continue;
    out.push({ name: name.toLowerCase(), value: line.slice(colon + 1).trim() });
  }
  return out;
}

export function headerValues(fields: HeaderField[], name: string): string[] {
  const n = name.toLowerCase();
  return fields.filter((f) => f.name === n).map((f) => f.value);
}

export function firstHeader(fields: HeaderField[], name: string): string | undefined {
  return headerValues(fields, name)[0];
}

/** Message-IDs (with angle brackets) in a Message-ID / In-Reply-To / References value. */
export function messageIdsIn(value: string | undefined): string[] {
  if (!value) return [];
  return [...value.matchAll(/<[^<>\s]+>/g)].map((m) => m[0]);
}
