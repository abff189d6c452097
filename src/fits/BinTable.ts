import { FitsError } from './FitsError.js';
import type { FitsHeader } from './FitsHeader.js';

/** TFORM type codes this reader decodes (fixed-size fields of a binary table). */
export type TformCode = 'L' | 'X' | 'B' | 'I' | 'J' | 'K' | 'E' | 'D' | 'A' | 'C' | 'M' | 'P' | 'Q';

const WIDTH: Record<TformCode, number> = { L: 1, X: 1, B: 1, I: 2, J: 4, K: 8, E: 4, D: 8, A: 1, C: 8, M: 16, P: 8, Q: 16 };

export interface ColumnInfo {
  name: string;
  code: TformCode;
  /** Repeat count (elements per row; characters for A). */
  repeat: number;
  /** Byte offset of the field within a row. */
  offset: number;
  unit?: string;
  tscal: number;
  tzero: number;
}

export type NumericColumn = Float32Array | Float64Array | Int16Array | Int32Array | Uint8Array;

/** Parse a TFORM value like `E`, `2E`, `10A`, `1PE(12)`. */
export function parseTform(tform: string, file: string, col: number): { code: TformCode; repeat: number } {
  const m = /^\s*(\d*)([LXBIJKEDACMPQ])/.exec(tform.toUpperCase());
  if (!m) throw new FitsError(file, `column ${col}: unsupported TFORM '${tform}'`);
  return { code: m[2] as TformCode, repeat: m[1] === '' ? 1 : Number(m[1]) };
}

/**
 * A BINTABLE HDU. Columns are decoded lazily, one at a time, straight from the big-endian row bytes
 * into typed arrays, and cached: reading RA and DEC never touches the other columns.
 */
export class BinTable {
  readonly columns: ColumnInfo[];
  readonly nrows: number;
  readonly rowBytes: number;
  private readonly view: DataView;
  private readonly cache = new Map<string, NumericColumn | string[]>();

  constructor(
    readonly header: FitsHeader,
    private readonly buf: Uint8Array,
    readonly dataOffset: number,
    readonly file: string,
    readonly hduIndex: number,
    /** A slice of the table: `rows` rows starting at dataOffset (streamed reads); default all NAXIS2 rows. */
    rows?: number,
  ) {
    this.rowBytes = header.requireInt('NAXIS1', file, hduIndex);
    this.nrows = rows ?? header.requireInt('NAXIS2', file, hduIndex);
    const tfields = header.requireInt('TFIELDS', file, hduIndex);
    const cols: ColumnInfo[] = [];
    let offset = 0;
    for (let i = 1; i <= tfields; i++) {
      const tform = header.string(`TFORM${i}`);
      if (tform === undefined) throw new FitsError(file, `HDU ${hduIndex}: TFORM${i} missing`);
      const { code, repeat } = parseTform(tform, file, i);
      const name = (header.string(`TTYPE${i}`) ?? `COL${i}`).trim();
      const width = code === 'X' ? Math.ceil(repeat / 8) : repeat * WIDTH[code];
      cols.push({ name, code, repeat, offset, unit: header.string(`TUNIT${i}`)?.trim(), tscal: header.number(`TSCAL${i}`) ?? 1, tzero: header.number(`TZERO${i}`) ?? 0 });
      offset += width;
    }
    if (offset !== this.rowBytes) {
      throw new FitsError(file, `HDU ${hduIndex}: columns take ${offset} bytes per row but NAXIS1 is ${this.rowBytes}`);
    }
    if (this.rowBytes === 0 && this.nrows > 0) throw new FitsError(file, `HDU ${hduIndex}: ${this.nrows} rows of zero width`);
    this.columns = cols;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get name(): string {
    return (this.header.string('EXTNAME') ?? '').trim();
  }

  hasColumn(name: string): boolean {
    return this.find(name) !== undefined;
  }

  info(name: string): ColumnInfo {
    const c = this.find(name);
    if (!c) throw new FitsError(this.file, `HDU ${this.name || this.hduIndex}: no column ${name}`);
    return c;
  }

  private find(name: string): ColumnInfo | undefined {
    const u = name.toUpperCase();
    return this.columns.find((c) => c.name.toUpperCase() === u);
  }

  /**
   * Decode a numeric column, flattened row-major (length nrows × repeat).
   * E → Float32Array, D → Float64Array, I → Int16Array, J → Int32Array, B/L → Uint8Array (L: 1 true, 0 false/null),
   * K → Float64Array (64-bit integers are exact up to 2^53, plenty for event ids and run numbers).
   * TSCAL/TZERO other than 1/0 give a Float64Array of physical values.
   */
  numeric(name: string): NumericColumn {
    const c = this.info(name);
    const key = c.name;
    const hit = this.cache.get(key);
    if (hit && !Array.isArray(hit)) return hit;
    const out = this.decode(c);
    this.cache.set(key, out);
    return out;
  }

  /** A numeric column as Float64Array (copy when the stored type differs). */
  float64(name: string): Float64Array {
    const a = this.numeric(name);
    return a instanceof Float64Array ? a : Float64Array.from(a);
  }

  /** Decode a character column: one trimmed string per row. */
  strings(name: string): string[] {
    const c = this.info(name);
    const hit = this.cache.get(c.name);
    if (Array.isArray(hit)) return hit;
    if (c.code !== 'A') throw new FitsError(this.file, `column ${c.name} is not a character column (TFORM ${c.repeat}${c.code})`);
    const out: string[] = new Array(this.nrows);
    for (let r = 0; r < this.nrows; r++) {
      const start = this.dataOffset + r * this.rowBytes + c.offset;
      let end = start;
      const lim = start + c.repeat;
      while (end < lim && this.buf[end] !== 0) end++; // NUL ends the string
      out[r] = Buffer.from(this.buf.buffer, this.buf.byteOffset + start, end - start).toString('latin1').trimEnd();
    }
    this.cache.set(c.name, out);
    return out;
  }

  private decode(c: ColumnInfo): NumericColumn {
    const n = this.nrows * c.repeat;
    const v = this.view;
    const stride = this.rowBytes;
    const base = this.dataOffset + c.offset;
    const rep = c.repeat;
    let out: NumericColumn;
    switch (c.code) {
      case 'E': {
        const a = new Float32Array(n);
        for (let r = 0, k = 0; r < this.nrows; r++) {
          let p = base + r * stride;
          for (let j = 0; j < rep; j++, p += 4) a[k++] = v.getFloat32(p, false);
        }
        out = a;
        break;
      }
      case 'D': {
        const a = new Float64Array(n);
        for (let r = 0, k = 0; r < this.nrows; r++) {
          let p = base + r * stride;
          for (let j = 0; j < rep; j++, p += 8) a[k++] = v.getFloat64(p, false);
        }
        out = a;
        break;
      }
      case 'I': {
        const a = new Int16Array(n);
        for (let r = 0, k = 0; r < this.nrows; r++) {
          let p = base + r * stride;
          for (let j = 0; j < rep; j++, p += 2) a[k++] = v.getInt16(p, false);
        }
        out = a;
        break;
      }
      case 'J': {
        const a = new Int32Array(n);
        for (let r = 0, k = 0; r < this.nrows; r++) {
          let p = base + r * stride;
          for (let j = 0; j < rep; j++, p += 4) a[k++] = v.getInt32(p, false);
        }
        out = a;
        break;
      }
      case 'K': {
        const a = new Float64Array(n);
        for (let r = 0, k = 0; r < this.nrows; r++) {
          let p = base + r * stride;
          for (let j = 0; j < rep; j++, p += 8) a[k++] = Number(v.getBigInt64(p, false));
        }
        out = a;
        break;
      }
      case 'B':
      case 'L': {
        const a = new Uint8Array(n);
        const isL = c.code === 'L';
        for (let r = 0, k = 0; r < this.nrows; r++) {
          const p = base + r * stride;
          for (let j = 0; j < rep; j++) {
            const b = this.buf[p + j];
            a[k++] = isL ? (b === 0x54 ? 1 : 0) : b; // 'T'
          }
        }
        out = a;
        break;
      }
      default:
        throw new FitsError(this.file, `column ${c.name}: TFORM type ${c.code} is not supported by this reader`);
    }
    if ((c.tscal !== 1 || c.tzero !== 0) && c.code !== 'L') {
      const phys = new Float64Array(n);
      for (let i = 0; i < n; i++) phys[i] = out[i] * c.tscal + c.tzero;
      return phys;
    }
    return out;
  }
}
