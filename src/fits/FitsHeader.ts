import { FitsError } from './FitsError.js';

export type FitsValue = string | number | boolean | null;

export const BLOCK = 2880;
const CARD = 80;

/** Parsed header of one HDU: keyword → value (first occurrence wins; COMMENT/HISTORY are dropped). */
export class FitsHeader {
  constructor(readonly cards: ReadonlyMap<string, FitsValue>) {}

  has(key: string): boolean {
    return this.cards.has(key.toUpperCase());
  }
  get(key: string): FitsValue | undefined {
    return this.cards.get(key.toUpperCase());
  }
  /** A numeric keyword; numeric strings (e.g. GEOLAT = '-23.27') are accepted too. */
  number(key: string): number | undefined {
    const v = this.get(key);
    if (typeof v === 'number') return v;
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v.trim()))) return Number(v.trim());
    return undefined;
  }
  string(key: string): string | undefined {
    const v = this.get(key);
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return undefined;
  }
  /** An integer keyword the structure depends on (NAXISn, PCOUNT...): missing or non-integer is an error. */
  requireInt(key: string, file: string, hdu: number): number {
    const v = this.get(key);
    if (typeof v !== 'number' || !Number.isInteger(v) || (v < 0 && key !== 'BITPIX')) {
      throw new FitsError(file, `HDU ${hdu}: keyword ${key} is missing or not a valid integer`);
    }
    return v;
  }
}

function parseValue(raw: string): FitsValue {
  const s = raw.trimStart();
  if (s.startsWith("'")) {
    // String: quotes doubled inside; trailing blanks are not significant.
    let out = '';
    let i = 1;
    while (i < s.length) {
      if (s[i] === "'") {
        if (s[i + 1] === "'") {
          out += "'";
          i += 2;
          continue;
        }
        break;
      }
      out += s[i++];
    }
    return out.trimEnd();
  }
  const slash = s.indexOf('/');
  const v = (slash >= 0 ? s.slice(0, slash) : s).trim();
  if (v === '') return null;
  if (v === 'T') return true;
  if (v === 'F') return false;
  const n = Number(v.replace(/[dD]/, 'E'));
  if (Number.isFinite(n)) return n;
  return v; // complex numbers and the like: kept as text
}

/**
 * Parse the header starting at `offset`. Returns the header and the offset of the data (next block boundary after END).
 * Throws FitsError when END is missing before the end of the buffer or the cards are not FITS text.
 */
export function parseHeader(buf: Uint8Array, offset: number, file: string, hdu: number): { header: FitsHeader; dataOffset: number } {
  const cards = new Map<string, FitsValue>();
  let pos = offset;
  for (;;) {
    if (pos + CARD > buf.length) {
      throw new FitsError(file, `HDU ${hdu}: header has no END card (file truncated or not FITS)`);
    }
    const card = Buffer.from(buf.buffer, buf.byteOffset + pos, CARD).toString('latin1');
    pos += CARD;
    // FITS headers are printable ASCII only; anything else means this is not a header.
    if (!/^[\x20-\x7e]*$/.test(card)) throw new FitsError(file, `HDU ${hdu}: header contains non-ASCII bytes (not a FITS file or corrupt)`);
    const key = card.slice(0, 8).trimEnd();
    if (key === 'END') break;
    if (key === '' || key === 'COMMENT' || key === 'HISTORY' || key === 'CONTINUE') continue;
    if (card.slice(8, 10) !== '= ') continue; // commentary card without value
    if (!cards.has(key)) cards.set(key, parseValue(card.slice(10)));
  }
  const dataOffset = Math.ceil((pos - offset) / BLOCK) * BLOCK + offset;
  return { header: new FitsHeader(cards), dataOffset };
}
