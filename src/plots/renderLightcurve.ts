import type { AnalysisResult, FluxResult } from '../analysis/types.js';
import { drawChart, PLOT_HEIGHT, PLOT_WIDTH } from './chartSetup.js';
import { plotTitle } from './format.js';
import { PlotError } from './PlotError.js';
import { errorBarsPlugin, messagePlugin, referenceLinePlugin, type ErrorBar } from './plugins.js';

const DAY_MS = 86_400_000;

interface Point {
  x: number;
  y: number;
  err: number;
  range: ErrorBar | null;
}

/** Night YYYYMMDD → the UTC midnight after its evening (its middle), in ms. */
function nightMiddleMs(night: string): number {
  const t = Date.UTC(Number(night.slice(0, 4)), Number(night.slice(4, 6)) - 1, Number(night.slice(6, 8)));
  return t + DAY_MS;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** Weighted mean (1/σ²) of the points with a positive error. */
export function weightedMean(points: readonly { y: number; err: number }[]): number {
  let sw = 0, swy = 0;
  for (const p of points) {
    if (!(p.err > 0) || !Number.isFinite(p.y)) continue;
    const w = 1 / (p.err * p.err);
    sw += w;
    swy += w * p.y;
  }
  return sw > 0 ? swy / sw : NaN;
}

/**
 * Light curve in Crab units: one point per run (error bar = 1σ, horizontal bar = the run's start to start + livetime),
 * one point per night of this job when it spans several, one point per earlier night from the store when the result
 * carries them (horizontal bar = the night), and a dashed line at the source's mean (this job's joint fit, combined
 * 1/σ²-weighted with the earlier nights).
 */
export function renderLightcurve(result: AnalysisResult): Buffer {
  const runs: Point[] = [];
  for (const r of result.runs) {
    const f = r.flux;
    if (!f || !r.start) continue;
    const t0 = Date.parse(r.start);
    if (!Number.isFinite(t0)) throw new PlotError(`run ${r.obs_id} has no valid start time`);
    const t1 = t0 + r.livetime_s * 1000;
    runs.push({ x: (t0 + t1) / 2, y: f.crab_units, err: f.crab_units_error, range: { low: t0, high: t1 } });
  }
  const history: Point[] = (result.flux_history ?? [])
    .filter((h) => /^\d{8}$/.test(h.night) && Number.isFinite(h.crab_units))
    .map((h) => ({ x: nightMiddleMs(h.night), y: h.crab_units, err: h.crab_units_error, range: { low: nightMiddleMs(h.night) - DAY_MS / 4, high: nightMiddleMs(h.night) + DAY_MS / 4 } }));
  const nights: Point[] = (result.nights ?? [])
    .filter((n) => n.flux && Date.parse(n.start) > 0)
    .map((n) => {
      const t0 = Date.parse(n.start), t1 = Date.parse(n.stop);
      return { x: (t0 + t1) / 2, y: n.flux!.crab_units, err: n.flux!.crab_units_error, range: { low: t0, high: t1 } };
    });
  const all = [...runs, ...history];
  // The source's mean: this job's joint fit combined (1/σ²) with the earlier nights.
  const tf = result.total.flux;
  const mean = weightedMean([...(tf ? [{ y: tf.crab_units, err: tf.crab_units_error }] : []), ...history]);
  const xs = all.flatMap((p) => (p.range ? [p.range.low, p.range.high] : [p.x]));
  let xMin = Math.min(...xs), xMax = Math.max(...xs);
  if (!Number.isFinite(xMin)) {
    xMin = 0;
    xMax = 1;
  }
  const span = Math.max(xMax - xMin, 3_600_000);
  xMin -= span * 0.05;
  xMax += span * 0.05;
  const multiDay = xMax - xMin > 1.5 * DAY_MS;
  const ys = [...all, ...nights].flatMap((p) => [p.y - p.err, p.y + p.err]).filter(Number.isFinite);
  const yMax = Math.max(0.1, ...ys) * 1.1;
  const yMin = Math.min(0, ...ys) * 1.1;
  // Ticks on whole days (several nights) or on round minutes (one night).
  const stepMs = multiDay ? DAY_MS * Math.max(1, Math.ceil((xMax - xMin) / DAY_MS / 8)) : [5, 10, 15, 30, 60, 120, 180, 360].map((m) => m * 60_000).find((m) => (xMax - xMin) / m <= 8) ?? 6 * 3_600_000;
  const ticks: { value: number }[] = [];
  for (let t = Math.ceil(xMin / stepMs) * stepMs; t <= xMax; t += stepMs) ticks.push({ value: t });
  const bars = (pts: Point[]): ErrorBar[] => pts.map((p) => ({ low: p.y - p.err, high: p.y + p.err }));
  const index = result.total.flux?.index ?? result.options.fluxIndex;
  const first = new Date(xMin + span * 0.05);
  const xTitle = multiDay ? 'Date (UTC)' : `Time (UTC) on ${first.getUTCFullYear()}-${pad2(first.getUTCMonth() + 1)}-${pad2(first.getUTCDate())}`;
  const ePart = (f: FluxResult | null | undefined) => (f ? `${f.e_min_tev}–${f.e_max_tev} TeV` : '');

  return drawChart(
    {
      type: 'scatter',
      data: {
        datasets: [
          { label: 'Runs (this job)', data: runs.map(({ x, y }) => ({ x, y })), backgroundColor: '#1f4e96', borderColor: '#1f4e96', pointRadius: 6, order: 0 },
          { label: 'Earlier nights (store)', data: history.map(({ x, y }) => ({ x, y })), backgroundColor: '#888888', borderColor: '#888888', pointRadius: 6, pointStyle: 'rect', order: 1 },
          { label: 'Nights (this job)', data: nights.map(({ x, y }) => ({ x, y })), backgroundColor: 'rgba(0,0,0,0)', borderColor: '#e67e22', borderWidth: 2, pointRadius: 8, pointStyle: 'rectRot', order: 2 },
          {
            type: 'line',
            label: Number.isFinite(mean) ? `Mean ${mean.toFixed(2)} Crab units${history.length ? ' (this job and earlier nights, 1/σ² weighted)' : ' (joint fit)'}` : 'Mean',
            data: [],
            borderColor: '#c0392b',
            borderDash: [10, 6],
            borderWidth: 2,
            pointRadius: 0,
            pointStyle: 'line',
          },
        ],
      },
      options: {
        layout: { padding: { left: 10, right: 40, top: 10, bottom: 10 } },
        plugins: {
          title: { display: true, text: plotTitle(result, `light curve ${ePart(result.total.flux)}${index !== undefined ? `, Γ = ${index}` : ''}`), font: { size: 22, weight: 'bold' } },
          legend: { display: true, position: 'top', labels: { font: { size: 16 }, usePointStyle: true, boxHeight: 12, filter: (item) => [runs, history, nights, all][item.datasetIndex ?? 0].length > 0 } },
          tooltip: { enabled: false },
        },
        scales: {
          x: {
            type: 'linear',
            min: xMin,
            max: xMax,
            afterBuildTicks: (axis) => {
              axis.ticks = ticks;
            },
            title: { display: true, text: xTitle, font: { size: 18 } },
            ticks: {
              font: { size: 16 },
              callback: (v) => {
                const d = new Date(Number(v));
                return multiDay ? `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}` : `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
              },
            },
          },
          y: { type: 'linear', min: yMin, suggestedMax: yMax, title: { display: true, text: 'Integral flux [Crab units]', font: { size: 18 } }, ticks: { font: { size: 16 } } },
        },
      },
      plugins: [
        errorBarsPlugin('y', 0, bars(runs), '#1f4e96'),
        errorBarsPlugin('x', 0, runs.map((p) => p.range), '#1f4e96'),
        errorBarsPlugin('y', 1, bars(history), '#888888'),
        errorBarsPlugin('x', 1, history.map((p) => p.range), '#888888'),
        errorBarsPlugin('y', 2, bars(nights), '#e67e22'),
        errorBarsPlugin('x', 2, nights.map((p) => p.range), '#e67e22'),
        referenceLinePlugin('astranFluxMean', 'y', mean, '#c0392b'),
        ...(all.length === 0 ? [messagePlugin('No flux: no run with usable IRFs')] : []),
      ],
    },
    PLOT_WIDTH,
    PLOT_HEIGHT,
  );
}
