import { Chart, LogarithmicScale } from 'chart.js';
import type { AnalysisResult } from '../analysis/types.js';
import { drawChart, PLOT_HEIGHT, PLOT_WIDTH } from './chartSetup.js';
import { plotTitle } from './format.js';
import { PlotError } from './PlotError.js';
import { errorBarsPlugin, messagePlugin, type ErrorBar } from './plugins.js';

let registered = false;

/**
 * Counts spectrum: the excess (N_on − α·N_off, summed over runs) per reconstructed-energy bin in the safe range, with
 * ±1σ bars (√(N_on + α²·N_off)) and the bin widths, against the counts the fitted power law predicts through the
 * IRFs. A model that misses the points' slope means the assumed index does not suit the source.
 */
export function renderSpectrum(result: AnalysisResult): Buffer {
  const s = result.spectrum;
  if (!registered) {
    Chart.register(LogarithmicScale);
    registered = true;
  }
  const e = s?.e_edges_tev ?? [];
  const n = s ? s.excess.length : 0;
  if (s && (e.length !== n + 1 || s.predicted.length !== n || s.safe.length !== n)) throw new PlotError('the spectrum table is inconsistent');
  const centre = (j: number) => Math.sqrt(e[j] * e[j + 1]);
  const safeIdx = s ? [...Array(n).keys()].filter((j) => s.safe[j]) : [];
  const shown = safeIdx.filter((j) => s!.excess[j] > 0);
  const hidden = safeIdx.length - shown.length;
  const pts = shown.map((j) => ({ x: centre(j), y: s!.excess[j] }));
  const bars: ErrorBar[] = shown.map((j) => ({ low: Math.max(s!.excess[j] - s!.excess_error[j], 1e-3), high: s!.excess[j] + s!.excess_error[j] }));
  const model = safeIdx.flatMap((j) => [{ x: e[j], y: s!.predicted[j] }, { x: e[j + 1], y: s!.predicted[j] }]).filter((p) => p.y > 0);
  const ys = [...bars.flatMap((b) => [b.low, b.high]), ...model.map((p) => p.y)].filter((y) => y > 0);
  const yMax = ys.length ? Math.max(...ys) * 2 : 10;
  const yMin = ys.length ? Math.max(Math.min(...ys) / 2, 0.1) : 0.1;
  const xMin = safeIdx.length ? e[safeIdx[0]] / 1.3 : 0.1;
  const xMax = safeIdx.length ? e[safeIdx[safeIdx.length - 1] + 1] * 1.3 : 100;
  const f = result.total.flux;
  const modelLabel = f ? `Power law Γ = ${f.index}, fitted: ${f.crab_units.toFixed(2)} Crab units` : 'Power law';

  return drawChart(
    {
      type: 'scatter',
      data: {
        datasets: [
          { label: `Excess (safe bins${hidden ? `; ${hidden} with excess ≤ 0 not shown` : ''})`, data: pts, backgroundColor: '#111', borderColor: '#111', pointRadius: 5, order: 0 },
          { type: 'line', label: `${modelLabel} → predicted counts`, data: model, borderColor: '#c0392b', backgroundColor: '#c0392b', borderWidth: 2, pointRadius: 0, pointStyle: 'line', order: 1 },
        ],
      },
      options: {
        layout: { padding: { left: 10, right: 40, top: 10, bottom: 10 } },
        plugins: {
          title: { display: true, text: plotTitle(result, 'counts spectrum vs. model'), font: { size: 22, weight: 'bold' } },
          legend: { display: true, position: 'top', labels: { font: { size: 16 }, usePointStyle: true, boxHeight: 12 } },
          tooltip: { enabled: false },
        },
        scales: {
          x: {
            type: 'logarithmic',
            min: xMin,
            max: xMax,
            title: { display: true, text: 'Reconstructed energy [TeV]', font: { size: 18 } },
            ticks: { font: { size: 16 }, callback: (v) => { const x = Number(v); const l = Math.log10(x); return Math.abs(l - Math.round(l)) < 1e-9 || [2, 5].includes(Math.round(x / Math.pow(10, Math.floor(l)))) ? String(+x.toPrecision(2)) : ''; } },
          },
          y: {
            type: 'logarithmic',
            min: yMin,
            max: yMax,
            title: { display: true, text: 'Excess counts per bin', font: { size: 18 } },
            ticks: { font: { size: 16 }, callback: (v) => { const l = Math.log10(Number(v)); return Math.abs(l - Math.round(l)) < 1e-9 ? String(Number(v)) : ''; } },
          },
        },
      },
      plugins: [
        errorBarsPlugin('y', 0, bars),
        errorBarsPlugin('x', 0, shown.map((j) => ({ low: e[j], high: e[j + 1] }))),
        ...(safeIdx.length === 0 ? [messagePlugin('No flux fitted: no safe energy bins')] : []),
      ],
    },
    PLOT_WIDTH,
    PLOT_HEIGHT,
  );
}
