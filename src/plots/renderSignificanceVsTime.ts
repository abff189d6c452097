import type { AnalysisResult, CumulativePoint } from '../analysis/types.js';
import { drawChart, PLOT_HEIGHT, PLOT_WIDTH } from './chartSetup.js';
import { niceCeil } from './colorScale.js';
import { plotTitle, sigma } from './format.js';
import { PlotError } from './PlotError.js';
import { messagePlugin, referenceLinePlugin } from './plugins.js';

/** Samples of the √t reference curve. */
const SQRT_SAMPLES = 60;

function checkCumulative(points: readonly CumulativePoint[]): void {
  let prev = 0;
  for (const p of points) {
    // Cumulative livetime must not decrease; NaN significance is allowed (drawn as a gap).
    if (!Number.isFinite(p.livetime_s) || p.livetime_s < prev) throw new PlotError('Cumulative livetime is not increasing');
    prev = p.livetime_s;
  }
}

/**
 * √t scaling through the last finite point: S(t) = S_last·√(t/t_last), the expectation for a steady
 * source with background-dominated statistics. Null when there is no usable last point.
 */
export function sqrtReference(points: readonly CumulativePoint[], tMaxH: number): { x: number; y: number }[] | null {
  const last = [...points].reverse().find((p) => Number.isFinite(p.significance) && p.livetime_s > 0);
  if (!last) return null;
  const tLast = last.livetime_s / 3600;
  return Array.from({ length: SQRT_SAMPLES + 1 }, (_, i) => {
    const x = (i / SQRT_SAMPLES) * tMaxH;
    return { x, y: last.significance * Math.sqrt(x / tLast) };
  });
}

/** Cumulative significance vs cumulative livetime, with √t reference and the 5σ line. */
export function renderSignificanceVsTime(result: AnalysisResult): Buffer {
  const pts = result.cumulative;
  checkCumulative(pts);
  const data = pts.map((p) => ({ x: p.livetime_s / 3600, y: Number.isFinite(p.significance) ? p.significance : NaN }));
  const finiteY = data.filter((d) => Number.isFinite(d.y)).map((d) => d.y);
  const tMax = niceCeil(Math.max(0.1, ...data.map((d) => d.x)) * 1.03);
  const ref = sqrtReference(pts, tMax);
  const yMax = Math.max(6, ...finiteY, ...(ref ?? []).map((r) => r.y)) * 1.05;
  const yMin = Math.min(0, ...finiteY, ...(ref ?? []).map((r) => r.y)) * 1.1;
  const final = [...pts].reverse().find((p) => Number.isFinite(p.significance));
  const noData = pts.length === 0;
  const noSig = !noData && finiteY.length === 0;

  return drawChart(
    {
      type: 'scatter',
      data: {
        datasets: [
          {
            label: `Cumulative significance${final ? ` (final ${sigma(final.significance)})` : ''}`,
            data,
            borderColor: '#1f4e96',
            backgroundColor: '#1f4e96',
            showLine: true,
            borderWidth: 2,
            pointRadius: 5,
            order: 0,
          },
          ...(ref
            ? [
                {
                  type: 'line' as const,
                  label: '∝ √t (through last point)',
                  data: ref,
                  borderColor: '#888888',
                  backgroundColor: '#888888',
                  borderWidth: 2,
                  borderDash: [4, 4],
                  pointRadius: 0,
                  pointStyle: 'line' as const,
                  order: 1,
                },
              ]
            : []),
        ],
      },
      options: {
        layout: { padding: { left: 10, right: 40, top: 10, bottom: 10 } },
        plugins: {
          title: { display: true, text: plotTitle(result, 'significance vs. livetime'), font: { size: 22, weight: 'bold' } },
          legend: { display: true, position: 'top', labels: { font: { size: 16 }, usePointStyle: true, boxHeight: 12 } },
          tooltip: { enabled: false },
        },
        scales: {
          x: {
            type: 'linear',
            min: 0,
            max: tMax,
            title: { display: true, text: 'Cumulative livetime [h]', font: { size: 18 } },
            ticks: { font: { size: 16 } },
          },
          y: {
            type: 'linear',
            min: yMin,
            suggestedMax: yMax,
            title: { display: true, text: 'Li & Ma significance [σ]', font: { size: 18 } },
            ticks: { font: { size: 16 } },
          },
        },
      },
      plugins: [
        referenceLinePlugin('astranFiveSigma', 'y', 5, '#c0392b', '5σ'),
        ...(noData ? [messagePlugin('No runs analysed')] : noSig ? [messagePlugin('Significance undefined')] : []),
      ],
    },
    PLOT_WIDTH,
    PLOT_HEIGHT,
  );
}
