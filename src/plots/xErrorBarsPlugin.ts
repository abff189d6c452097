import type { Chart, Plugin } from 'chart.js';

/** Horizontal bar of one point, in data units (e.g. a run's start and end, or an energy bin). */
export interface XRange {
  low: number;
  high: number;
}

/** Draw horizontal bars (with small end ticks) through the points of one dataset. */
export function xErrorBarsPlugin(datasetIndex: number, ranges: readonly (XRange | null)[], color = '#111'): Plugin {
  return {
    id: `astranXBars${datasetIndex}`,
    beforeDatasetsDraw(chart: Chart) {
      const meta = chart.getDatasetMeta(datasetIndex);
      const xScale = chart.scales[meta.xAxisID ?? 'x'];
      const { ctx, chartArea } = chart;
      ctx.save();
      ctx.beginPath();
      ctx.rect(chartArea.left, chartArea.top, chartArea.width, chartArea.height);
      ctx.clip();
      ctx.strokeStyle = color;
      ctx.lineWidth = 1.5;
      meta.data.forEach((pt, i) => {
        const r = ranges[i];
        if (!r || !Number.isFinite(r.low) || !Number.isFinite(r.high)) return;
        const x0 = xScale.getPixelForValue(r.low);
        const x1 = xScale.getPixelForValue(r.high);
        ctx.beginPath();
        ctx.moveTo(x0, pt.y);
        ctx.lineTo(x1, pt.y);
        ctx.moveTo(x0, pt.y - 3);
        ctx.lineTo(x0, pt.y + 3);
        ctx.moveTo(x1, pt.y - 3);
        ctx.lineTo(x1, pt.y + 3);
        ctx.stroke();
      });
      ctx.restore();
    },
  };
}
