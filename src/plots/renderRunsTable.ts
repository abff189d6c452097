import { createCanvas } from '@napi-rs/canvas';
import type { AnalysisResult } from '../analysis/types.js';
import { PLOT_WIDTH } from './chartSetup.js';
import { ensureFonts } from './fonts.js';
import { plotTitle } from './format.js';
import { runsTable } from './runsTableModel.js';

/** Rows drawn at most; longer tables end with a "more runs" line (the text table has them all). */
export const MAX_TABLE_ROWS = 60;
const MARGIN = 40;
const TITLE_H = 64;
const ROW_H = 32;
const COL_GAP = 26;

/** Image height for a table of `nRuns` runs (header, rows, total, optional overflow line). */
export function runsTableHeight(nRuns: number): number {
  const shown = Math.min(nRuns, MAX_TABLE_ROWS);
  const lines = nRuns === 0 ? 2 : 1 + shown + 1 + (nRuns > MAX_TABLE_ROWS ? 1 : 0);
  return TITLE_H + lines * ROW_H + 2 * MARGIN;
}

/** Per-run table drawn as monospace text; columns placed by measured widths, so any font stays aligned. */
export function renderRunsTable(result: AnalysisResult): Buffer {
  const fonts = ensureFonts();
  const t = runsTable(result);
  const width = PLOT_WIDTH;
  const height = runsTableHeight(t.rows.length);
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);

  ctx.fillStyle = '#111';
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'center';
  ctx.font = `bold 22px "${fonts.sans}"`;
  ctx.fillText(plotTitle(result, 'runs'), width / 2, MARGIN + 16);

  const shown = t.rows.slice(0, MAX_TABLE_ROWS);
  const body = [t.header, ...shown, ...(t.total ? [t.total] : [])];
  // Largest font size (≤ 18 px) at which the table fits the width.
  let size = 18;
  let widths: number[] = [];
  for (; size >= 11; size--) {
    ctx.font = `${size}px "${fonts.mono}"`;
    widths = t.header.map((_, c) => Math.max(...body.map((r) => ctx.measureText(r[c]).width)));
    if (widths.reduce((a, b) => a + b, 0) + COL_GAP * (widths.length - 1) <= width - 2 * MARGIN) break;
  }
  const tableW = widths.reduce((a, b) => a + b, 0) + COL_GAP * (widths.length - 1);
  const x0 = Math.max(MARGIN, (width - tableW) / 2);
  const colX: number[] = [];
  widths.reduce((x, w) => (colX.push(x), x + w + COL_GAP), x0);

  let y = MARGIN + TITLE_H;
  const drawRow = (cells: string[], bold: boolean, fill: string | null) => {
    if (fill) {
      ctx.fillStyle = fill;
      ctx.fillRect(x0 - 12, y, tableW + 24, ROW_H);
    }
    ctx.fillStyle = '#111';
    ctx.font = `${bold ? 'bold ' : ''}${size}px "${fonts.mono}"`;
    cells.forEach((s, c) => {
      const right = t.align[c] === 'r';
      ctx.textAlign = right ? 'right' : 'left';
      ctx.fillText(s, right ? colX[c] + widths[c] : colX[c], y + ROW_H / 2);
    });
    y += ROW_H;
  };
  const rule = () => {
    ctx.strokeStyle = '#555';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(x0 - 12, Math.round(y) + 0.5);
    ctx.lineTo(x0 + tableW + 12, Math.round(y) + 0.5);
    ctx.stroke();
  };

  drawRow(t.header, true, '#e4e9f2');
  rule();
  if (t.rows.length === 0) {
    ctx.font = `20px "${fonts.sans}"`;
    ctx.fillStyle = '#555';
    ctx.textAlign = 'center';
    ctx.fillText('No runs analysed', width / 2, y + ROW_H / 2);
  }
  shown.forEach((r, i) => drawRow(r, false, i % 2 ? '#f4f4f4' : null));
  if (t.rows.length > shown.length) {
    ctx.font = `italic ${size}px "${fonts.sans}"`;
    ctx.fillStyle = '#555';
    ctx.textAlign = 'left';
    ctx.fillText(`… and ${t.rows.length - shown.length} more runs (see the text table)`, x0, y + ROW_H / 2);
    y += ROW_H;
  }
  if (t.total) {
    rule();
    drawRow(t.total, true, null);
  }
  return canvas.toBuffer('image/png');
}
