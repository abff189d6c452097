import type { Chart, Plugin } from 'chart.js';
import { ensureFonts } from './fonts.js';

/** Error bar of one point, in data units along its axis: low and high value (y), or start and end (x: a run, an energy bin). */
export interface ErrorBar {
  low: number;
  high: number;
}

/**
 * Draw error bars (with small end ticks) through the points of one dataset; chart.js has none built in. `axis` 'y':
 * vertical bars on the y scale; 'x': horizontal bars on the x scale. A point without a finite bar gets none.
 */
export function errorBarsPlugin(axis: 'x' | 'y', datasetIndex: number, bars: readonly (ErrorBar | null)[], color = '#111'): Plugin {
  return {
    id: `astranErrorBars${axis.toUpperCase()}${datasetIndex}`,
    beforeDatasetsDraw(chart: Chart) {
      const meta = chart.getDatasetMeta(datasetIndex);
      const scale = chart.scales[(axis === 'y' ? meta.yAxisID : meta.xAxisID) ?? axis];
      const { ctx, chartArea } = chart;
      ctx.save();
      ctx.beginPath();
      ctx.rect(chartArea.left, chartArea.top, chartArea.width, chartArea.height);
      ctx.clip();
      ctx.strokeStyle = color;
      ctx.lineWidth = 1.5;
      meta.data.forEach((pt, i) => {
        const bar = bars[i];
        if (!bar || !Number.isFinite(bar.low) || !Number.isFinite(bar.high)) return;
        const p0 = scale.getPixelForValue(bar.low);
        const p1 = scale.getPixelForValue(bar.high);
        ctx.beginPath();
        if (axis === 'y') {
          const x = pt.x;
          ctx.moveTo(x, p0);
          ctx.lineTo(x, p1);
          ctx.moveTo(x - 3, p0);
          ctx.lineTo(x + 3, p0);
          ctx.moveTo(x - 3, p1);
          ctx.lineTo(x + 3, p1);
        } else {
          const y = pt.y;
          ctx.moveTo(p0, y);
          ctx.lineTo(p1, y);
          ctx.moveTo(p0, y - 3);
          ctx.lineTo(p0, y + 3);
          ctx.moveTo(p1, y - 3);
          ctx.lineTo(p1, y + 3);
        }
        ctx.stroke();
      });
      ctx.restore();
    },
  };
}

/** A dashed reference line across the chart area: vertical at x, or horizontal at y. */
export function referenceLinePlugin(id: string, axis: 'x' | 'y', value: number, color: string, label?: string): Plugin {
  return {
    id,
    afterDatasetsDraw(chart: Chart) {
      if (!Number.isFinite(value)) return;
      const { ctx, chartArea } = chart;
      const scale = chart.scales[axis];
      const p = scale.getPixelForValue(value);
      const inside = axis === 'x' ? p >= chartArea.left && p <= chartArea.right : p >= chartArea.top && p <= chartArea.bottom;
      if (!inside) return;
      ctx.save();
      ctx.strokeStyle = color;
      ctx.lineWidth = 2;
      ctx.setLineDash([10, 6]);
      ctx.beginPath();
      if (axis === 'x') {
        ctx.moveTo(p, chartArea.top);
        ctx.lineTo(p, chartArea.bottom);
      } else {
        ctx.moveTo(chartArea.left, p);
        ctx.lineTo(chartArea.right, p);
      }
      ctx.stroke();
      if (label) {
        ctx.setLineDash([]);
        ctx.fillStyle = color;
        ctx.font = `15px ${chartFontFamily(chart)}`;
        if (axis === 'x') {
          ctx.textAlign = 'left';
          ctx.textBaseline = 'top';
          ctx.fillText(label, p + 6, chartArea.top + 6);
        } else {
          ctx.textAlign = 'right';
          ctx.textBaseline = 'bottom';
          ctx.fillText(label, chartArea.right - 8, p - 4);
        }
      }
      ctx.restore();
    },
  };
}

/** One row of an info box: a label and its value (value right-aligned), or a single free text line. */
export type InfoRow = [label: string, value: string] | [text: string];

/** Rows in a framed box at a fixed canvas position (outside the chart area, so it never hides data). */
export function infoBoxPlugin(rows: readonly InfoRow[], place: (chart: Chart) => { x: number; y: number }, heading?: string): Plugin {
  return {
    id: 'astranInfoBox',
    afterDraw(chart: Chart) {
      const { ctx } = chart;
      const family = chartFontFamily(chart);
      const lineH = 27;
      const pad = 14;
      const gap = 18;
      ctx.save();
      ctx.font = `16px ${family}`;
      const labelW = Math.max(0, ...rows.filter((r) => r.length === 2).map((r) => ctx.measureText(r[0]).width));
      const valueW = Math.max(0, ...rows.filter((r) => r.length === 2).map((r) => ctx.measureText(r[1] ?? '').width));
      const textW = Math.max(0, ...rows.filter((r) => r.length === 1).map((r) => ctx.measureText(r[0]).width));
      ctx.font = `bold 17px ${family}`;
      const headW = heading ? ctx.measureText(heading).width : 0;
      const innerW = Math.max(labelW + gap + valueW, textW, headW);
      const nLines = rows.length + (heading ? 1 : 0);
      const w = innerW + 2 * pad;
      const h = nLines * lineH + 2 * pad - 8;
      const want = place(chart);
      // Keep the box on the canvas even when values are wider than the panel reserved for it.
      const x = Math.max(0, Math.min(want.x, chart.width - w - 8));
      const y = want.y;
      ctx.fillStyle = '#f7f7f7';
      ctx.strokeStyle = '#888';
      ctx.lineWidth = 1;
      ctx.fillRect(x, y, w, h);
      ctx.strokeRect(x, y, w, h);
      ctx.fillStyle = '#111';
      ctx.textBaseline = 'top';
      let line = 0;
      if (heading) {
        ctx.textAlign = 'left';
        ctx.fillText(heading, x + pad, y + pad);
        line++;
      }
      ctx.font = `16px ${family}`;
      for (const r of rows) {
        const ty = y + pad + line * lineH;
        ctx.textAlign = 'left';
        ctx.fillText(r[0], x + pad, ty);
        if (r.length === 2) {
          ctx.textAlign = 'right';
          ctx.fillText(r[1], x + w - pad, ty);
        }
        line++;
      }
      ctx.restore();
    },
  };
}

/** A centred message in the chart area, for empty inputs. */
export function messagePlugin(message: string): Plugin {
  return {
    id: 'astranMessage',
    afterDraw(chart: Chart) {
      const { ctx, chartArea } = chart;
      ctx.save();
      ctx.fillStyle = '#555';
      ctx.font = `22px ${chartFontFamily(chart)}`;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText(message, (chartArea.left + chartArea.right) / 2, (chartArea.top + chartArea.bottom) / 2);
      ctx.restore();
    },
  };
}

/** The sans family chosen for all plots (quoted for a CSS font string). */
function chartFontFamily(_chart: Chart): string {
  return `"${ensureFonts().sans}"`;
}
