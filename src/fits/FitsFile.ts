import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { constants as zc, gunzipSync } from 'node:zlib';
import { FitsError } from './FitsError.js';
import { BLOCK, type FitsHeader, parseHeader } from './FitsHeader.js';
import { BinTable } from './BinTable.js';
import { hduDataBytes } from './hduDataBytes.js';

export interface FitsHdu {
  index: number;
  header: FitsHeader;
  /** Extension name (EXTNAME), '' for the primary HDU. */
  name: string;
  /** XTENSION value ('PRIMARY' for HDU 0). */
  type: string;
  dataOffset: number;
  dataBytes: number;
  /** Present for BINTABLE extensions. */
  table?: BinTable;
}

/** Guard against gzip bombs: DL3 files are tens of MB. */
const MAX_DECOMPRESSED = 2 ** 30;

export interface FitsReadOptions {
  maxDecompressedBytes?: number;
}

/**
 * The bytes of a FITS file, decompressed on demand. A whole-file gzip is inflated from growing prefixes of the
 * compressed data (zlib sync flush), so reading the EVENTS HDU does not inflate the IRFs stored after it. Once the
 * whole input is needed it is inflated strictly, which detects truncated or corrupt gzip data.
 */
class ByteSource {
  buf: Uint8Array;
  complete: boolean;
  private compressedUsed = 0;

  constructor(
    private readonly raw: Uint8Array,
    private readonly name: string,
    private readonly maxOut: number,
  ) {
    const gz = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b;
    this.buf = gz ? new Uint8Array(0) : raw;
    this.complete = !gz;
  }

  /** Make at least `n` bytes available when the file has them (Infinity: everything). */
  ensure(n: number): void {
    while (!this.complete && this.buf.length < n) {
      // Grow the compressed prefix geometrically, guessing from the compression ratio seen so far.
      const ratio = this.compressedUsed > 0 && this.buf.length > 0 ? this.compressedUsed / this.buf.length : 0.6;
      const want = Number.isFinite(n) ? Math.ceil(n * ratio * 1.25) + 65536 : Infinity;
      const k = Math.min(this.raw.length, Math.max(want, this.compressedUsed * 2, 65536));
      this.inflate(k);
    }
  }

  private inflate(k: number): void {
    const whole = k >= this.raw.length;
    try {
      const out = gunzipSync(this.raw.subarray(0, k), whole ? { maxOutputLength: this.maxOut } : { maxOutputLength: this.maxOut, finishFlush: zc.Z_SYNC_FLUSH });
      this.buf = out;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ERR_BUFFER_TOO_LARGE') throw new FitsError(this.name, `decompresses to more than ${this.maxOut} bytes`);
      throw new FitsError(this.name, `corrupt or truncated gzip data (${err.message})`);
    }
    this.compressedUsed = Math.min(k, this.raw.length);
    if (whole) this.complete = true;
  }
}

/**
 * A FITS file whose HDUs are parsed in order, only as far as needed: `find('EVENTS')` stops after the EVENTS HDU.
 * Structure errors (missing END, truncated data) are FitsErrors naming the file.
 */
export class FitsFile {
  private readonly parsed: FitsHdu[] = [];
  private nextOffset = 0;
  private done = false;

  constructor(
    readonly name: string,
    private readonly src: ByteSource,
  ) {
    src.ensure(BLOCK);
    const b = src.buf;
    if (b.length === 0) throw new FitsError(name, 'empty file');
    if (b.length < BLOCK) throw new FitsError(name, `too short for FITS (${b.length} bytes, a header block is ${BLOCK})`);
    if (Buffer.from(b.buffer, b.byteOffset, 9).toString('latin1') !== 'SIMPLE  =') throw new FitsError(name, 'not a FITS file (does not start with SIMPLE)');
    this.parseNext(); // the primary HDU is always read
  }

  /** All HDUs (parses the whole file). */
  get hdus(): FitsHdu[] {
    while (this.parseNext());
    return this.parsed;
  }

  /** HDU by EXTNAME (case-insensitive), parsing further only until it is found. */
  find(extname: string): FitsHdu | undefined {
    const u = extname.toUpperCase();
    const hit = this.parsed.find((h) => h.name.toUpperCase() === u);
    if (hit) return hit;
    for (let h = this.parseNext(); h; h = this.parseNext()) if (h.name.toUpperCase() === u) return h;
    return undefined;
  }

  primary(): FitsHdu {
    return this.parsed[0];
  }

  /** Bytes of the (decompressed) file made available so far: shows how little a lazy read inflated. */
  get bytesAvailable(): number {
    return this.src.buf.length;
  }

  /** Binary table by EXTNAME; FitsError when absent or not a table. */
  table(extname: string): BinTable {
    const h = this.find(extname);
    if (!h) throw new FitsError(this.name, `no HDU named ${extname}`);
    if (!h.table) throw new FitsError(this.name, `HDU ${extname} is not a binary table`);
    return h.table;
  }

  /**
   * Header of an HDU by EXTNAME without making its data available (for a gzip file nothing after the header is
   * inflated). Earlier HDUs are parsed in full, since their data must be skipped anyway.
   */
  header(extname: string): FitsHeader | undefined {
    const u = extname.toUpperCase();
    const hit = this.parsed.find((h) => h.name.toUpperCase() === u);
    if (hit) return hit.header;
    for (let p = this.peekNext(); p; p = this.peekNext()) {
      if (p.name.toUpperCase() === u) return p.header;
      this.parseNext();
    }
    return undefined;
  }

  private peeked: { index: number; header: FitsHeader; name: string; type: string; dataOffset: number; dataBytes: number } | undefined;

  /** Parse the header of the next HDU (cached) without touching its data. */
  private peekNext() {
    if (this.peeked) return this.peeked;
    if (this.done) return undefined;
    const { src, name } = this;
    const offset = this.nextOffset;
    const index = this.parsed.length;
    src.ensure(offset + BLOCK);
    if (index > 0) {
      // End of file, or trailing padding/garbage after the last HDU (ignored, as other readers do).
      const b = src.buf;
      if (offset >= b.length || Buffer.from(b.buffer, b.byteOffset + offset, Math.min(8, b.length - offset)).toString('latin1') !== 'XTENSION') {
        this.done = true;
        return undefined;
      }
    }
    let parsedHeader: { header: FitsHeader; dataOffset: number };
    for (;;) {
      try {
        parsedHeader = parseHeader(src.buf, offset, name, index);
        break;
      } catch (e) {
        // A header longer than what is inflated so far: inflate more and retry; at the real end it is an error.
        if (src.complete || !(e instanceof FitsError) || !/no END card/.test(e.problem)) throw e;
        src.ensure(src.buf.length * 2);
      }
    }
    const { header, dataOffset } = parsedHeader;
    const type = index === 0 ? 'PRIMARY' : (header.string('XTENSION') ?? '').trim().toUpperCase();
    const dataBytes = hduDataBytes(header, index, name);
    this.peeked = { index, header, name: (header.string('EXTNAME') ?? '').trim(), type, dataOffset, dataBytes };
    return this.peeked;
  }

  /** Parse the next HDU completely (its data must be present in full). */
  private parseNext(): FitsHdu | undefined {
    const p = this.peekNext();
    if (!p) return undefined;
    const { src, name } = this;
    const { index, header, type, dataOffset, dataBytes } = p;
    src.ensure(dataOffset + dataBytes);
    if (dataOffset + dataBytes > src.buf.length) {
      throw new FitsError(name, `truncated: HDU ${index} declares ${dataBytes} data bytes but only ${Math.max(0, src.buf.length - dataOffset)} are present`);
    }
    const hdu: FitsHdu = { ...p };
    if (type === 'BINTABLE') hdu.table = new BinTable(header, src.buf, dataOffset, name, index);
    this.parsed.push(hdu);
    this.peeked = undefined;
    this.nextOffset = dataOffset + Math.ceil(dataBytes / BLOCK) * BLOCK;
    return hdu;
  }
}

/**
 * Open FITS bytes (plain, or whole-file gzip detected by its magic bytes) lazily: HDUs are parsed and gzip data
 * inflated only as far as they are asked for. `name` is used in error messages.
 */
export function openFits(input: Uint8Array, name: string, opts: FitsReadOptions = {}): FitsFile {
  return new FitsFile(name, new ByteSource(input, name, opts.maxDecompressedBytes ?? MAX_DECOMPRESSED));
}

/** Parse FITS bytes completely (every HDU, whole gzip stream checked). */
export function parseFits(input: Uint8Array, name: string, opts: FitsReadOptions = {}): FitsFile {
  const f = openFits(input, name, opts);
  void f.hdus;
  return f;
}

function readBytes(path: string): { name: string; bytes: Buffer } {
  const name = basename(path);
  try {
    return { name, bytes: readFileSync(path) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FitsError(name, code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? 'error'})`);
  }
}

/** Read and parse a whole FITS file from disk. Errors name the file by its base name only. */
export function readFits(path: string, opts: FitsReadOptions = {}): FitsFile {
  const { name, bytes } = readBytes(path);
  return parseFits(bytes, name, opts);
}

/** Open a FITS file from disk lazily (see openFits). */
export function openFitsFile(path: string, opts: FitsReadOptions = {}): FitsFile {
  const { name, bytes } = readBytes(path);
  return openFits(bytes, name, opts);
}
