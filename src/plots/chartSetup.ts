import { createCanvas } from '@napi-rs/canvas';
import {
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Title,
  type ChartConfiguration,
  type ChartType,
  type Plugin,
} from 'chart.js';
import { ensureFonts, type PlotFonts } from './fonts.js';

/** Size of the chart images: what Slack/Mattermost previews show well. */
export const PLOT_WIDTH = 1200;
export const PLOT_HEIGHT = 800;

let registered = false;

/** Register only the chart.js parts the plots use (tree-shaken ESM build), once, and set font defaults. */
export function setupCharts(): PlotFonts {
  const fonts = ensureFonts();
  if (!registered) {
    Chart.register(ScatterController, LineController, LineElement, PointElement, LinearScale, Title, Legend, Filler);
    registered = true;
  }
  Chart.defaults.font.family = fonts.sans;
  Chart.defaults.font.size = 16;
  Chart.defaults.color = '#222';
  return fonts;
}

/** chart.js clears the canvas to transparent before drawing; paint white underneath everything. */
export const whiteBackground: Plugin = {
  id: 'astranWhiteBackground',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

/**
 * Draw a chart synchronously on a fresh @napi-rs/canvas and return it as PNG. With animation and
 * responsive off, chart.js renders inside the constructor on Node's basic platform. The PNG is
 * encoded before destroy() because destroy clears the canvas.
 */
export function drawChart<T extends ChartType>(config: ChartConfiguration<T>, width = PLOT_WIDTH, height = PLOT_HEIGHT): Buffer {
  setupCharts();
  const canvas = createCanvas(width, height);
  const options = { ...(config.options ?? {}), responsive: false, animation: false, devicePixelRatio: 1 };
  const chart = new Chart(canvas as unknown as HTMLCanvasElement, {
    ...config,
    options,
    plugins: [whiteBackground, ...(config.plugins ?? [])],
  } as ChartConfiguration<T>);
  try {
    return canvas.toBuffer('image/png');
  } finally {
    chart.destroy();
  }
}
