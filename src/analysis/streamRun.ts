import { BinTable, type ColumnInfo } from '../fits/BinTable.js';
import { FitsError } from '../fits/FitsError.js';
import type { FitsHeader } from '../fits/FitsHeader.js';
import { FitsStream } from '../fits/FitsStream.js';
import { needsPointingHdu, radMaxFromTable, runFacts, type RunData, type RunHeader } from './RunData.js';

/** EVENTS columns the analysis reads; ENERGY only when the file has it. */
const COLUMNS = ['RA', 'DEC', 'ENERGY'] as const;

type FloatColumn = Float32Array | Float64Array;

/** The array a column decodes into, as RunData's readRun gives it: E stays 32-bit, everything else 64-bit. */
function allocFor(c: ColumnInfo, nrows: number): FloatColumn {
  const n = nrows * c.repeat;
  return c.code === 'E' && c.tscal === 1 && c.tzero === 0 ? new Float32Array(n) : new Float64Array(n);
}

/**
 * Read one DL3 file as it is decompressed: header facts plus the RA, DEC and ENERGY columns of EVENTS. Only those
 * columns are decoded, piece by piece as the rows are inflated (the other columns' bytes are never kept), and the
 * file is read no further than it must be: past EVENTS only for a POINTING HDU (when the EVENTS header lacks the
 * pointing) or a RAD_MAX HDU (when `radMax` is asked for). Gives the same RunData as readRun; errors are FitsErrors.
 */
export async function streamRun(path: string, opts?: { radMax?: boolean }): Promise<RunData>;
/**
 * With `accept`: the run's header facts are offered first and, when refused, the file is read no further (null).
 * (A file whose pointing is only in a POINTING HDU after EVENTS is judged once that HDU is read.)
 */
export async function streamRun(path: string, opts: { radMax?: boolean; accept: (facts: RunHeader) => boolean }): Promise<RunData | null>;
export async function streamRun(path: string, opts: { radMax?: boolean; accept?: (facts: RunHeader) => boolean } = {}): Promise<RunData | null> {
  const s = await FitsStream.open(path);
  try {
    let primary: FitsHeader | undefined;
    let events: { header: FitsHeader; columns: Partial<Record<(typeof COLUMNS)[number], FloatColumn>> } | undefined;
    let pointing: { header: FitsHeader; table?: BinTable } | undefined;
    let radMax: BinTable | undefined;
    let needPointing = false;
    const table = (header: FitsHeader, data: Buffer, index: number) => new BinTable(header, data, 0, s.name, index);
    for (let hdu = await s.nextHdu(); hdu; hdu = await s.nextHdu()) {
      const name = hdu.name.toUpperCase();
      if (hdu.index === 0) primary = hdu.header;
      else if (name === 'EVENTS' && !events) {
        if (hdu.type !== 'BINTABLE') throw new FitsError(s.name, 'HDU EVENTS is not a binary table');
        if (opts.accept && !needsPointingHdu(hdu.header)) {
          if (!primary) throw new FitsError(s.name, 'empty file');
          if (!opts.accept(runFacts(primary, hdu.header, () => undefined, s.name, path))) return null;
        }
        const layout = new BinTable(hdu.header, Buffer.alloc(0), 0, s.name, hdu.index, 0);
        const nrows = hdu.header.requireInt('NAXIS2', s.name, hdu.index);
        const wanted = COLUMNS.filter((c) => c !== 'ENERGY' || layout.hasColumn(c));
        const infos = wanted.map((c) => layout.info(c)); // FitsError when RA or DEC is missing
        const out = infos.map((c) => allocFor(c, nrows));
        await s.readRows(layout.rowBytes, nrows, (bytes, first, n) => {
          const piece = new BinTable(hdu.header, bytes, 0, s.name, hdu.index, n);
          for (let k = 0; k < infos.length; k++) out[k].set(piece.numeric(infos[k].name), first * infos[k].repeat);
        });
        events = { header: hdu.header, columns: Object.fromEntries(wanted.map((c, k) => [c, out[k]])) };
        needPointing = needsPointingHdu(hdu.header);
      } else if (name === 'POINTING' && !pointing) {
        pointing = { header: hdu.header, ...(hdu.type === 'BINTABLE' ? { table: table(hdu.header, await s.readData(), hdu.index) } : {}) };
      } else if (name === 'RAD_MAX' && opts.radMax && !radMax) {
        if (hdu.type === 'BINTABLE') radMax = table(hdu.header, await s.readData(), hdu.index);
      }
      if (events && (!needPointing || pointing) && (!opts.radMax || radMax)) break;
    }
    if (!primary) throw new FitsError(s.name, 'empty file');
    if (!events) throw new FitsError(s.name, 'no HDU named EVENTS');
    const ev = events;
    const facts = runFacts(primary, ev.header, () => pointing, s.name, path);
    if (opts.accept && needPointing && !opts.accept(facts)) return null;
    return {
      ...facts,
      ra: ev.columns.RA!,
      dec: ev.columns.DEC!,
      energy: ev.columns.ENERGY ?? null,
      radMax: opts.radMax ? radMaxFromTable(radMax, s.name) : null,
    };
  } finally {
    s.close();
  }
}
