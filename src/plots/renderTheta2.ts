import type { AnalysisResult, Theta2Table } from '../analysis/types.js';
import { drawChart, PLOT_HEIGHT, PLOT_WIDTH } from './chartSetup.js';
import { fixed, formatLivetime, plotTitle, sigma } from './format.js';
import { PlotError } from './PlotError.js';
import { errorBarsPlugin, infoBoxPlugin, messagePlugin, referenceLinePlugin, type ErrorBar, type InfoRow } from './plugins.js';

/** Width kept free right of the chart area for the info box. */
const INFO_PANEL = 300;

function checkTheta2(t: Theta2Table): void {
  const n = t.on.length;
  if (t.off.length !== n || (n > 0 && t.edges_deg2.length !== n + 1)) {
    throw new PlotError(`θ² table is inconsistent (${n} ON bins, ${t.off.length} OFF bins, ${t.edges_deg2.length} edges)`);
  }
  for (let i = 1; i < t.edges_deg2.length; i++) {
    if (!(t.edges_deg2[i] > t.edges_deg2[i - 1])) throw new PlotError('θ² bin edges are not increasing');
  }
}

/** θ² cut actually used: the run's ON radius (covers RAD_MAX) when known, else the global cut. */
export function theta2CutOf(result: AnalysisResult): number {
  const r = result.runs[0]?.on_radius_deg;
  return r !== undefined && Number.isFinite(r) && r > 0 ? r * r : result.options.theta2Cut;
}

/** θ² distribution: ON points with Poisson errors, α-scaled OFF histogram, cut line, and a summary box. */
export function renderTheta2(result: AnalysisResult): Buffer {
  const t = result.theta2;
  checkTheta2(t);
  const n = t.on.length;
  const edges = t.edges_deg2;
  const centres = t.on.map((_, i) => (edges[i] + edges[i + 1]) / 2);
  const offScaled = t.off.map((v) => v * t.alpha);
  // Step histogram: one point per left edge plus the last right edge, drawn with stepped 'before'... 'after'.
  const offSteps = n === 0 ? [] : [...offScaled.map((y, i) => ({ x: edges[i], y })), { x: edges[n], y: offScaled[n - 1] }];
  // Poisson 1σ: ±√N; an empty bin gets [0, 1] rather than a zero-length bar.
  const bars: ErrorBar[] = t.on.map((v) => ({ low: Math.max(0, v - Math.sqrt(v)), high: v > 0 ? v + Math.sqrt(v) : 1 }));
  const yTop = Math.max(1, ...bars.map((b) => b.high), ...offScaled) * 1.08;
  const cut = theta2CutOf(result);
  const total = result.total;
  const info: InfoRow[] = [
    ['N_on', String(total.n_on)],
    ['N_off', String(total.n_off)],
    ['α', fixed(total.alpha, 3)],
    ['Excess', fixed(total.excess, 1)],
    ['Significance', sigma(total.significance)],
    ['Livetime', formatLivetime(total.livetime_s)],
    ['Runs', String(total.n_runs)],
    ['θ² cut', `${fixed(cut, 3)} deg²`],
  ];

  return drawChart(
    {
      type: 'scatter',
      data: {
        datasets: [
          {
            label: 'ON',
            data: centres.map((x, i) => ({ x, y: t.on[i] })),
            backgroundColor: '#111',
            borderColor: '#111',
            pointRadius: 4,
            order: 0,
          },
          {
            type: 'line',
            label: t.alpha === 1 ? 'OFF' : `OFF × α (${fixed(t.alpha, 3)})`,
            data: offSteps,
            stepped: 'after',
            borderColor: '#3b6fb6',
            backgroundColor: 'rgba(59, 111, 182, 0.25)',
            borderWidth: 2,
            fill: 'origin',
            pointRadius: 0,
            pointStyle: 'rect',
            order: 1,
          },
        ],
      },
      options: {
        layout: { padding: { left: 10, right: INFO_PANEL, top: 10, bottom: 10 } },
        plugins: {
          title: { display: true, text: plotTitle(result, 'θ² distribution'), font: { size: 22, weight: 'bold' } },
          legend: { display: true, position: 'top', labels: { font: { size: 16 }, usePointStyle: true } },
          tooltip: { enabled: false },
        },
        scales: {
          x: {
            type: 'linear',
            min: edges[0] ?? 0,
            max: edges[n] ?? result.options.theta2Max,
            title: { display: true, text: 'θ² [deg²]', font: { size: 18 } },
            ticks: { font: { size: 16 } },
          },
          y: {
            type: 'linear',
            min: 0,
            suggestedMax: yTop,
            title: { display: true, text: 'Counts', font: { size: 18 } },
            ticks: { font: { size: 16 }, precision: 0 },
          },
        },
      },
      plugins: [
        errorBarsPlugin('y', 0, bars),
        referenceLinePlugin('astranTheta2Cut', 'x', cut, '#c0392b', 'θ² cut'),
        infoBoxPlugin(info, (c) => ({ x: c.chartArea.right + 36, y: c.chartArea.top }), 'Summary'),
        ...(n === 0 ? [messagePlugin('No θ² data')] : []),
      ],
    },
    PLOT_WIDTH,
    PLOT_HEIGHT,
  );
}
