import { drawChart, PLOT_HEIGHT, PLOT_WIDTH } from './chartSetup.js';
import { niceCeil } from './colorScale.js';
import { errorBarsPlugin, messagePlugin, referenceLinePlugin, type ErrorBar } from './plugins.js';
import { nightToDate, addNights } from '../util/nights.js';

/** One night of a subscription's history: the latest finished analysis of that night. */
export interface TrendPoint {
  night: string;
  significance: number;
  excessRatePerMin: number;
  /** Integral flux in Crab units and its error, when the night has one. */
  fluxCrab?: number;
  fluxCrabError?: number;
}

export interface TrendInput {
  source: string;
  /** First and last night shown (inclusive); points outside are ignored. */
  fromNight: string;
  toNight: string;
  points: TrendPoint[];
  /** Subtitle, e.g. the cuts. */
  subtitle?: string;
}

const DAY_MS = 86_400_000;
const dayIndex = (night: string, from: string) => Math.round((nightToDate(night).getTime() - nightToDate(from).getTime()) / DAY_MS);

/**
 * The digest's trend: significance (left axis) and excess rate (right axis) per night over the window, drawn like the
 * other plots (chart.js on @napi-rs/canvas, same size, fonts and white background). Nights without a result are gaps.
 */
export function renderTrend(t: TrendInput): Buffer {
  const pts = t.points.filter((p) => p.night >= t.fromNight && p.night <= t.toNight).sort((a, b) => a.night.localeCompare(b.night));
  const span = dayIndex(t.toNight, t.fromNight);
  const byDay = new Map(pts.map((p) => [dayIndex(p.night, t.fromNight), p]));
  // Every night of the window, NaN where there is no result: the lines break there instead of bridging the gap.
  const series = (f: (p: TrendPoint) => number) =>
    Array.from({ length: span + 1 }, (_, x) => ({ x, y: byDay.has(x) && Number.isFinite(f(byDay.get(x)!)) ? f(byDay.get(x)!) : NaN }));
  const sigAll = series((p) => p.significance);
  const rateAll = series((p) => p.excessRatePerMin);
  const fluxAll = series((p) => p.fluxCrab ?? NaN);
  const sig = sigAll.filter((d) => Number.isFinite(d.y));
  const rate = rateAll.filter((d) => Number.isFinite(d.y));
  const flux = fluxAll.filter((d) => Number.isFinite(d.y));
  // One bar per point of the flux dataset (every night of the window; NaN where there is none).
  const fluxBars: ErrorBar[] = Array.from({ length: span + 1 }, (_, x) => {
    const p = byDay.get(x);
    const ok = p?.fluxCrab !== undefined && p.fluxCrabError !== undefined && Number.isFinite(p.fluxCrab) && Number.isFinite(p.fluxCrabError);
    return ok ? { low: p!.fluxCrab! - p!.fluxCrabError!, high: p!.fluxCrab! + p!.fluxCrabError! } : { low: NaN, high: NaN };
  });
  const finiteBars = fluxBars.filter((b) => Number.isFinite(b.low));
  const fluxMax = niceCeil(Math.max(0.1, ...finiteBars.map((b) => b.high), ...flux.map((d) => d.y)) * 2.2);
  const fluxMin = Math.min(0, ...finiteBars.map((b) => b.low)) * 2.2;
  // Different headroom on the two axes so a night's two markers do not sit on top of each other.
  const sigMax = niceCeil(Math.max(6, ...sig.map((d) => d.y)) * 1.1);
  const sigMin = Math.min(0, ...sig.map((d) => d.y)) * 1.1;
  const rateMax = niceCeil(Math.max(1, ...rate.map((d) => d.y)) * 1.6);
  const rateMin = Math.min(0, ...rate.map((d) => d.y)) * 1.6;
  const step = span > 40 ? 7 : span > 14 ? 3 : 1;
  // Ticks counted back from the last night, so the newest night is always labelled.
  const ticks: { value: number }[] = [];
  for (let i = span; i >= 0; i -= step) ticks.unshift({ value: i });
  const label = (i: number) => {
    const n = addNights(t.fromNight, Math.round(i));
    return `${n.slice(4, 6)}-${n.slice(6, 8)}`;
  };
  return drawChart(
    {
      type: 'scatter',
      data: {
        datasets: [
          { label: 'Significance [σ]', data: sigAll, yAxisID: 'y', borderColor: '#1f4e96', backgroundColor: '#1f4e96', showLine: true, borderWidth: 2, pointRadius: 6 },
          {
            label: 'Excess rate [1/min]',
            data: rateAll,
            yAxisID: 'y1',
            borderColor: '#d35400',
            backgroundColor: '#ffffff',
            showLine: true,
            borderWidth: 2,
            borderDash: [6, 4],
            pointRadius: 8,
            pointBorderWidth: 3,
            pointStyle: 'rectRot',
          },
          ...(flux.length
            ? [
                {
                  label: 'Flux [Crab units]',
                  data: fluxAll,
                  yAxisID: 'y2',
                  borderColor: '#1e8449',
                  backgroundColor: '#1e8449',
                  showLine: true,
                  borderWidth: 2,
                  borderDash: [2, 3],
                  pointRadius: 6,
                  pointStyle: 'triangle' as const,
                },
              ]
            : []),
        ],
      },
      options: {
        layout: { padding: { left: 10, right: 20, top: 10, bottom: 10 } },
        plugins: {
          title: {
            display: true,
            text: [`${t.source} — nightly trend, ${t.fromNight}–${t.toNight}`, ...(t.subtitle ? [t.subtitle] : [])],
            font: { size: 22, weight: 'bold' },
          },
          legend: { display: true, position: 'top', labels: { font: { size: 16 }, usePointStyle: true, boxHeight: 12 } },
          tooltip: { enabled: false },
        },
        scales: {
          x: {
            type: 'linear',
            min: -0.7,
            max: span + 0.7,
            title: { display: true, text: 'Night (month-day, UTC evening)', font: { size: 18 } },
            afterBuildTicks: (axis) => {
              axis.ticks = ticks.map((t) => ({ ...t }));
            },
            ticks: { font: { size: 14 }, callback: (v) => label(Number(v)) },
          },
          y: { type: 'linear', position: 'left', min: sigMin, max: sigMax, title: { display: true, text: 'Li & Ma significance [σ]', font: { size: 18 }, color: '#1f4e96' }, ticks: { font: { size: 16 } } },
          y1: {
            type: 'linear',
            position: 'right',
            min: rateMin,
            max: rateMax,
            grid: { drawOnChartArea: false },
            title: { display: true, text: 'Excess rate [events/min]', font: { size: 18 }, color: '#d35400' },
            ticks: { font: { size: 16 } },
          },
          ...(flux.length
            ? {
                y2: {
                  type: 'linear' as const,
                  position: 'right' as const,
                  min: fluxMin,
                  max: fluxMax,
                  grid: { drawOnChartArea: false },
                  title: { display: true, text: 'Flux [Crab units]', font: { size: 18 }, color: '#1e8449' },
                  ticks: { font: { size: 16 } },
                },
              }
            : {}),
        },
      },
      plugins: [
        referenceLinePlugin('astranTrendFiveSigma', 'y', 5, '#c0392b', '5σ'),
        ...(finiteBars.length ? [errorBarsPlugin('y', 2, fluxBars, '#1e8449')] : []),
        ...(pts.length === 0 ? [messagePlugin('No analysed nights in this window')] : []),
      ],
    },
    PLOT_WIDTH,
    PLOT_HEIGHT,
  );
}
