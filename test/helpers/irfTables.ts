/** GADF IRF HDUs for tests (one row, vector columns, first axis fastest), built with the test FITS writer. */
import type { CardValue, WriterColumn, WriterTable } from './fitsWriter.js';

export interface AxisSpec {
  prefix: string;
  lo: number[];
  hi: number[];
  unit?: string;
}

export function irfTable(extname: string, hduclas: { c2: string; c3?: string; c4: string }, axes: AxisSpec[], column: string, data: number[], unit?: string, extra: Record<string, CardValue> = {}): WriterTable {
  const columns: WriterColumn[] = [];
  for (const a of axes) {
    columns.push({ name: `${a.prefix}_LO`, tform: `${a.lo.length}D`, unit: a.unit, data: a.lo });
    columns.push({ name: `${a.prefix}_HI`, tform: `${a.hi.length}D`, unit: a.unit, data: a.hi });
  }
  columns.push({ name: column, tform: `${data.length}D`, unit, data });
  return {
    extname,
    columns,
    header: { HDUCLASS: 'GADF', HDUCLAS1: 'RESPONSE', HDUCLAS2: hduclas.c2, HDUCLAS3: hduclas.c3 ?? 'FULL-ENCLOSURE', HDUCLAS4: hduclas.c4, ...extra },
  };
}

/** Split edges into LO/HI arrays. */
export function bins(edges: number[]): { lo: number[]; hi: number[] } {
  return { lo: edges.slice(0, -1), hi: edges.slice(1) };
}
