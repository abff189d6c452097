import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { createGunzip } from 'node:zlib';
import { FitsError } from './FitsError.js';
import { BLOCK, parseHeader, type FitsHeader } from './FitsHeader.js';
import { hduDataBytes } from './hduDataBytes.js';

/** Header facts of the HDU the stream is at; its data has not been read yet. */
export interface StreamedHdu {
  index: number;
  header: FitsHeader;
  /** EXTNAME ('' for the primary HDU). */
  name: string;
  /** XTENSION ('PRIMARY' for HDU 0). */
  type: string;
  dataBytes: number;
}

/** Guard against gzip bombs: DL3 files are tens of MB. */
const MAX_DECOMPRESSED = 2 ** 30;
const READ_CHUNK = 1 << 18;

/**
 * A FITS file read front to back as it is decompressed: HDU headers one after another, each HDU's data either
 * handed over in row-aligned pieces, collected whole (small tables), or skipped. Nothing after the last HDU asked for
 * is read or inflated (close() stops the file and the inflater). Whole-file gzip is detected by its magic bytes.
 * Errors are FitsErrors naming the file by its base name.
 */
export class FitsStream {
  /** Decompressed bytes received but not consumed yet, as a queue of pieces. */
  private queue: Buffer[] = [];
  private queued = 0;
  private ended = false;
  private nextIndex = 0;
  /** Data bytes (with padding to the block) of the current HDU still to consume before the next header. */
  private pendingData = 0;
  private current: StreamedHdu | undefined;
  private total = 0;
  private readonly chunks: AsyncIterator<Buffer>;
  private readonly stop: () => void;

  private constructor(
    readonly name: string,
    source: AsyncIterable<Buffer> & { destroy?: () => void },
    stop: () => void,
    private readonly maxBytes: number,
  ) {
    this.chunks = source[Symbol.asyncIterator]();
    this.stop = stop;
  }

  /** Open a file (plain or gzip). */
  static async open(path: string, opts: { maxDecompressedBytes?: number } = {}): Promise<FitsStream> {
    const name = basename(path);
    let fh: import('node:fs/promises').FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new FitsError(name, code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? 'error'})`);
    }
    let magic: Buffer;
    try {
      magic = (await fh.read(Buffer.alloc(2), 0, 2, 0)).buffer.subarray(0, 2);
    } catch (e) {
      await fh.close();
      throw new FitsError(name, `cannot read file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const file = fh.createReadStream({ start: 0, highWaterMark: READ_CHUNK });
    const max = opts.maxDecompressedBytes ?? MAX_DECOMPRESSED;
    if (magic[0] === 0x1f && magic[1] === 0x8b) {
      const gunzip = createGunzip({ chunkSize: READ_CHUNK });
      file.on('error', (e) => gunzip.destroy(e));
      file.pipe(gunzip);
      return new FitsStream(name, gunzip, () => (gunzip.destroy(), file.destroy()), max);
    }
    return new FitsStream(name, file, () => file.destroy(), max);
  }

  /** Stop reading: the rest of the file is neither read nor inflated. */
  close(): void {
    this.stop();
  }

  /** Decompressed bytes received so far (shows how little of a file was inflated). */
  get bytesInflated(): number {
    return this.total;
  }

  private async pull(): Promise<boolean> {
    if (this.ended) return false;
    let r: IteratorResult<Buffer>;
    try {
      r = await this.chunks.next();
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err instanceof FitsError) throw err;
      throw new FitsError(this.name, err.code?.startsWith('Z_') || /gzip|inflat|header check|unexpected end/i.test(err.message) ? `corrupt or truncated gzip data (${err.message})` : `cannot read file (${err.code ?? err.message})`);
    }
    if (r.done) {
      this.ended = true;
      return false;
    }
    const chunk = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
    this.total += chunk.length;
    if (this.total > this.maxBytes) {
      this.close();
      throw new FitsError(this.name, `decompresses to more than ${this.maxBytes} bytes`);
    }
    if (chunk.length) {
      this.queue.push(chunk);
      this.queued += chunk.length;
    }
    return true;
  }

  /** Make at least n bytes available in the queue (fewer only at the end of the file). */
  private async fill(n: number): Promise<void> {
    while (this.queued < n && (await this.pull()));
  }

  /** Take exactly n bytes from the queue as one buffer (n must be available). */
  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const head = this.queue[0];
    if (head.length >= n) {
      const out = head.subarray(0, n);
      if (head.length === n) this.queue.shift();
      else this.queue[0] = head.subarray(n);
      this.queued -= n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let k = 0;
    while (k < n) {
      const h = this.queue[0];
      const m = Math.min(h.length, n - k);
      h.copy(out, k, 0, m);
      k += m;
      if (m === h.length) this.queue.shift();
      else this.queue[0] = h.subarray(m);
    }
    this.queued -= n;
    return out;
  }

  /** Drop n bytes (n ≤ queued). */
  private drop(n: number): void {
    let left = n;
    while (left > 0) {
      const h = this.queue[0];
      if (h.length <= left) {
        left -= h.length;
        this.queue.shift();
      } else {
        this.queue[0] = h.subarray(left);
        left = 0;
      }
    }
    this.queued -= n;
  }

  private padded(n: number): number {
    return Math.ceil(n / BLOCK) * BLOCK;
  }

  /** Skip what is left of the current HDU's data. */
  async skipData(): Promise<void> {
    while (this.pendingData > 0) {
      if (this.queued === 0 && !(await this.pull())) break; // a short last HDU: the next header read says so
      const n = Math.min(this.pendingData, this.queued);
      this.drop(n);
      this.pendingData -= n;
    }
  }

  /**
   * The next HDU's header (skipping the rest of the current HDU's data), or undefined at the end of the file.
   * Trailing padding or garbage after the last HDU is ignored, as other readers do.
   */
  async nextHdu(): Promise<StreamedHdu | undefined> {
    if (this.current) await this.skipData();
    const index = this.nextIndex;
    const bytes: Buffer[] = [];
    for (;;) {
      await this.fill(BLOCK);
      if (this.queued < BLOCK) {
        if (index === 0 && bytes.length === 0) {
          if (this.queued === 0) throw new FitsError(this.name, 'empty file');
          throw new FitsError(this.name, `too short for FITS (${this.queued} bytes, a header block is ${BLOCK})`);
        }
        if (bytes.length === 0) return (this.current = undefined);
        throw new FitsError(this.name, `HDU ${index}: header has no END card (file truncated or not FITS)`);
      }
      const block = this.take(BLOCK);
      if (bytes.length === 0) {
        const start = block.toString('latin1', 0, 9);
        if (index === 0 && start !== 'SIMPLE  =') throw new FitsError(this.name, 'not a FITS file (does not start with SIMPLE)');
        if (index > 0 && !start.startsWith('XTENSION')) {
          this.close();
          return (this.current = undefined);
        }
      }
      // FITS headers are printable ASCII: stop at the first block that is not, instead of reading on for an END.
      for (let i = 0; i < BLOCK; i++) {
        if (block[i] < 0x20 || block[i] > 0x7e) throw new FitsError(this.name, `HDU ${index}: header contains non-ASCII bytes (not a FITS file or corrupt)`);
      }
      bytes.push(block);
      if (hasEndCard(block)) break;
    }
    const buf = bytes.length === 1 ? bytes[0] : Buffer.concat(bytes);
    const { header } = parseHeader(buf, 0, this.name, index);
    const type = index === 0 ? 'PRIMARY' : (header.string('XTENSION') ?? '').trim().toUpperCase();
    const dataBytes = hduDataBytes(header, index, this.name);
    this.nextIndex = index + 1;
    this.pendingData = this.padded(dataBytes);
    this.current = { index, header, name: (header.string('EXTNAME') ?? '').trim(), type, dataBytes };
    return this.current;
  }

  /** The current HDU's whole data (for small tables). */
  async readData(): Promise<Buffer> {
    const hdu = this.current;
    if (!hdu) throw new Error('readData() before nextHdu()');
    await this.fill(hdu.dataBytes);
    if (this.queued < hdu.dataBytes) throw this.truncated(hdu, this.queued);
    const out = this.take(hdu.dataBytes);
    this.pendingData -= hdu.dataBytes;
    return out;
  }

  /**
   * The current HDU's data as table rows, in pieces of whole rows as they are inflated: onRows(bytes, firstRow, n)
   * with n rows of rowBytes starting at bytes[0]. The pieces are only valid during the call.
   */
  async readRows(rowBytes: number, nrows: number, onRows: (bytes: Buffer, firstRow: number, n: number) => void): Promise<void> {
    const hdu = this.current;
    if (!hdu) throw new Error('readRows() before nextHdu()');
    if (rowBytes * nrows > hdu.dataBytes) throw new FitsError(this.name, `HDU ${hdu.index}: ${nrows} rows of ${rowBytes} bytes exceed the data size`);
    let row = 0;
    while (row < nrows) {
      while (this.queued < rowBytes) if (!(await this.pull())) throw this.truncated(hdu, row * rowBytes + this.queued);
      // Whole rows available in the head piece are handed over without copying; a row split between pieces is joined.
      const head = this.queue[0];
      let n = Math.min(Math.floor(head.length / rowBytes), nrows - row);
      let bytes: Buffer;
      if (n > 0) bytes = this.take(n * rowBytes);
      else {
        n = 1;
        bytes = this.take(rowBytes);
      }
      onRows(bytes, row, n);
      row += n;
      this.pendingData -= n * rowBytes;
    }
  }

  private truncated(hdu: StreamedHdu, present: number): FitsError {
    return new FitsError(this.name, `truncated: HDU ${hdu.index} declares ${hdu.dataBytes} data bytes but only ${Math.max(0, present)} are present`);
  }
}

/** Does this header block hold the END card? (Keyword "END" padded with blanks at a card start.) */
function hasEndCard(block: Buffer): boolean {
  for (let p = 0; p < BLOCK; p += 80) {
    if (block[p] === 0x45 && block[p + 1] === 0x4e && block[p + 2] === 0x44) {
      let blank = true;
      for (let i = 3; i < 8; i++) if (block[p + i] !== 0x20) blank = false;
      if (blank) return true;
    }
  }
  return false;
}
