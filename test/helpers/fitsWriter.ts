/**
 * A minimal FITS writer for tests: primary HDU + BINTABLE extensions with fixed-size columns (L B I J K E D A,
 * repeat counts), big-endian, padded to 2880-byte blocks. Also builds LST-like and MAGIC-like DL3 files.
 */
import { gzipSync } from 'node:zlib';

export type CardValue = string | number | boolean;

export interface WriterColumn {
  name: string;
  /** e.g. 'E', '2E', '1D', '10A', 'K', 'L'. */
  tform: string;
  unit?: string;
  /** Numbers (flattened row-major when repeat > 1), booleans for L, strings for A. */
  data: ArrayLike<number> | boolean[] | string[] | bigint[];
}

export interface WriterTable {
  extname: string;
  columns: WriterColumn[];
  header?: Record<string, CardValue>;
  /** Override NAXIS2 (to write a corrupt file claiming more rows than present). */
  naxis2Override?: number;
}

function card(key: string, value?: CardValue, comment?: string): string {
  let s = key.padEnd(8);
  if (value !== undefined) {
    let v: string;
    if (typeof value === 'string') v = `'${value.replace(/'/g, "''").padEnd(8)}'`.padEnd(20);
    else if (typeof value === 'boolean') v = (value ? 'T' : 'F').padStart(20);
    else v = (Number.isInteger(value) ? String(value) : value.toExponential(15).replace('e', 'E')).padStart(20);
    s += '= ' + v;
    if (comment) s += ' / ' + comment;
  }
  if (s.length > 80) throw new Error(`card too long: ${s}`);
  return s.padEnd(80);
}

function headerBlock(cards: string[], withEnd = true): Buffer {
  const text = cards.join('') + (withEnd ? 'END'.padEnd(80) : '');
  const len = Math.ceil(text.length / 2880) * 2880;
  return Buffer.from(text.padEnd(len, ' '), 'latin1');
}

function pad(b: Buffer): Buffer {
  const len = Math.ceil(b.length / 2880) * 2880;
  return Buffer.concat([b, Buffer.alloc(len - b.length)]);
}

function parseTform(t: string): { code: string; repeat: number } {
  const m = /^(\d*)([LBIJKEDA])$/.exec(t);
  if (!m) throw new Error(`writer: unsupported tform ${t}`);
  return { code: m[2], repeat: m[1] === '' ? 1 : Number(m[1]) };
}

const WIDTH: Record<string, number> = { L: 1, B: 1, I: 2, J: 4, K: 8, E: 4, D: 8, A: 1 };

export function primaryHdu(extra: Record<string, CardValue> = {}): Buffer {
  const cards = [card('SIMPLE', true), card('BITPIX', 8), card('NAXIS', 0), card('EXTEND', true)];
  for (const [k, v] of Object.entries(extra)) cards.push(card(k, v));
  return headerBlock(cards);
}

export function binTableHdu(t: WriterTable): Buffer {
  const cols = t.columns.map((c) => ({ ...c, ...parseTform(c.tform) }));
  const nrows = cols.length ? Math.max(...cols.map((c) => (c.code === 'A' ? c.data.length : Math.ceil(c.data.length / c.repeat)))) : 0;
  const rowBytes = cols.reduce((s, c) => s + c.repeat * WIDTH[c.code], 0);
  const cards = [
    card('XTENSION', 'BINTABLE'), card('BITPIX', 8), card('NAXIS', 2), card('NAXIS1', rowBytes),
    card('NAXIS2', t.naxis2Override ?? nrows), card('PCOUNT', 0), card('GCOUNT', 1), card('TFIELDS', cols.length),
  ];
  cols.forEach((c, i) => {
    cards.push(card(`TTYPE${i + 1}`, c.name), card(`TFORM${i + 1}`, c.tform));
    if (c.unit) cards.push(card(`TUNIT${i + 1}`, c.unit));
  });
  cards.push(card('EXTNAME', t.extname));
  for (const [k, v] of Object.entries(t.header ?? {})) cards.push(card(k, v));
  const data = Buffer.alloc(rowBytes * nrows);
  let off = 0;
  for (let r = 0; r < nrows; r++) {
    for (const c of cols) {
      if (c.code === 'A') {
        const s = String((c.data as string[])[r] ?? '');
        data.write(s.slice(0, c.repeat), off, 'latin1');
        off += c.repeat;
        continue;
      }
      for (let j = 0; j < c.repeat; j++) {
        const v = (c.data as ArrayLike<unknown>)[r * c.repeat + j];
        switch (c.code) {
          case 'L': data[off] = v ? 0x54 : 0x46; break;
          case 'B': data.writeUInt8(Number(v), off); break;
          case 'I': data.writeInt16BE(Number(v), off); break;
          case 'J': data.writeInt32BE(Number(v), off); break;
          case 'K': data.writeBigInt64BE(typeof v === 'bigint' ? v : BigInt(Number(v)), off); break;
          case 'E': data.writeFloatBE(Number(v), off); break;
          case 'D': data.writeDoubleBE(Number(v), off); break;
        }
        off += WIDTH[c.code];
      }
    }
  }
  return Buffer.concat([headerBlock(cards), pad(data)]);
}

export function fitsFile(tables: WriterTable[], primary: Record<string, CardValue> = {}): Buffer {
  return Buffer.concat([primaryHdu(primary), ...tables.map(binTableHdu)]);
}

export function gzip(b: Buffer): Buffer {
  return gzipSync(b);
}

/** Header card helpers re-exported for tests that build broken headers by hand. */
export const _internal = { card, headerBlock };

export interface SyntheticEvents {
  ra: ArrayLike<number>;
  dec: ArrayLike<number>;
  energy: ArrayLike<number>;
}

/** Common EVENTS header for synthetic runs. */
export function eventsHeader(o: { obsId: number; raPnt: number; decPnt: number; livetime: number; dateObs: string; timeObs: string; object: string; raObj: number; decObj: number; timesys?: string; alt?: number }): Record<string, CardValue> {
  const h: Record<string, CardValue> = {
    OBS_ID: o.obsId, LIVETIME: o.livetime, ONTIME: o.livetime * 1.05, DEADC: 0.95, OBJECT: o.object, RA_OBJ: o.raObj, DEC_OBJ: o.decObj,
    'DATE-OBS': o.dateObs, 'TIME-OBS': o.timeObs, TIMESYS: o.timesys ?? 'UTC', MJDREFI: 40587, MJDREFF: 0, TSTART: 0,
  };
  if (o.alt !== undefined) h.ALT_PNT = o.alt;
  h.RA_PNT = o.raPnt;
  h.DEC_PNT = o.decPnt;
  return h;
}

/** LST-1-like DL3 file: 11 EVENTS columns, RA/DEC as double, pointing only in a POINTING HDU, TIMESYS UTC, plain FITS. */
export function lstLikeFile(ev: SyntheticEvents, o: { obsId: number; raPnt: number; decPnt: number; livetime: number; dateObs: string; timeObs: string; object: string; raObj: number; decObj: number; alt: number }): Buffer {
  const n = ev.ra.length;
  const h = eventsHeader({ ...o, timesys: 'UTC' });
  delete h.RA_PNT;
  delete h.DEC_PNT;
  delete h.ALT_PNT; // LST: pointing altitude only in the POINTING HDU
  const seq = (f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
  return fitsFile([
    {
      extname: 'EVENTS',
      header: h,
      columns: [
        { name: 'EVENT_ID', tform: 'K', data: seq((i) => i + 1) },
        { name: 'TIME', tform: 'D', unit: 's', data: seq((i) => 1.7e9 + i) },
        { name: 'RA', tform: 'D', unit: 'deg', data: ev.ra },
        { name: 'DEC', tform: 'D', unit: 'deg', data: ev.dec },
        { name: 'ENERGY', tform: 'D', unit: 'TeV', data: ev.energy },
        { name: 'GAMMANESS', tform: 'D', data: seq(() => 0.9) },
        { name: 'MULTIP', tform: 'J', data: seq(() => 1) },
        { name: 'GLON', tform: 'D', unit: 'deg', data: seq(() => 184.5) },
        { name: 'GLAT', tform: 'D', unit: 'deg', data: seq(() => -5.8) },
        { name: 'ALT', tform: 'D', unit: 'deg', data: seq(() => o.alt) },
        { name: 'AZ', tform: 'D', unit: 'deg', data: seq(() => 180) },
      ],
    },
    { extname: 'GTI', columns: [{ name: 'START', tform: 'D', data: [1.7e9] }, { name: 'STOP', tform: 'D', data: [1.7e9 + o.livetime] }] },
    {
      extname: 'POINTING',
      header: { RA_PNT: o.raPnt, DEC_PNT: o.decPnt },
      columns: [
        { name: 'TIME', tform: 'D', data: [1.7e9, 1.7e9 + 600] },
        { name: 'RA_PNT', tform: 'D', data: [o.raPnt, o.raPnt] },
        { name: 'DEC_PNT', tform: 'D', data: [o.decPnt, o.decPnt] },
        { name: 'ALT_PNT', tform: 'D', data: [o.alt, o.alt] },
        { name: 'AZ_PNT', tform: 'D', data: [180, 180] },
      ],
    },
  ]);
}

/**
 * MAGIC-like point-like DL3 file: uncompressed, float RA/DEC, RAD_MAX HDU (energy × offset bins).
 * radMax is flattened [itheta * nE + ie].
 */
export function magicLikeFile(
  ev: SyntheticEvents,
  o: { obsId: number; raPnt: number; decPnt: number; livetime: number; dateObs: string; timeObs: string; object: string; raObj: number; decObj: number; alt: number },
  rad: { energyEdges: number[]; thetaEdges: number[]; radMax: number[] },
): Buffer {
  const nE = rad.energyEdges.length - 1, nT = rad.thetaEdges.length - 1;
  return fitsFile([
    {
      extname: 'EVENTS',
      header: eventsHeader(o),
      columns: [
        { name: 'EVENT_ID', tform: 'J', data: Array.from({ length: ev.ra.length }, (_, i) => i) },
        { name: 'TIME', tform: 'D', data: Array.from({ length: ev.ra.length }, (_, i) => i) },
        { name: 'RA', tform: 'E', unit: 'deg', data: ev.ra },
        { name: 'DEC', tform: 'E', unit: 'deg', data: ev.dec },
        { name: 'ENERGY', tform: 'E', unit: 'TeV', data: ev.energy },
      ],
    },
    {
      extname: 'RAD_MAX',
      header: { HDUCLAS2: 'RAD_MAX', HDUCLAS3: 'POINT-LIKE', HDUCLAS4: 'RAD_MAX_2D' },
      columns: [
        { name: 'ENERG_LO', tform: `${nE}E`, data: rad.energyEdges.slice(0, -1) },
        { name: 'ENERG_HI', tform: `${nE}E`, data: rad.energyEdges.slice(1) },
        { name: 'THETA_LO', tform: `${nT}E`, data: rad.thetaEdges.slice(0, -1) },
        { name: 'THETA_HI', tform: `${nT}E`, data: rad.thetaEdges.slice(1) },
        { name: 'RAD_MAX', tform: `${nE * nT}E`, data: rad.radMax },
      ],
    },
  ]);
}
