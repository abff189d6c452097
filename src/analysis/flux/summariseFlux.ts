import type { FluxResult, NightFlux, SpectrumPoints } from '../types.js';
import { RECO_EDGES_TEV } from './energyAxes.js';
import { fitFlux, signalPerAmplitude } from './fitFlux.js';
import type { SpectrumDataset } from './spectrumDataset.js';

export interface FluxSummary {
  perRun: Map<number, FluxResult | null>;
  total: FluxResult | null;
  /** Only when the datasets span more than one night. */
  nights?: NightFlux[];
  spectrum?: SpectrumPoints;
  warnings: string[];
}

function strip(f: ReturnType<typeof fitFlux>): FluxResult | null {
  if (!f) return null;
  const { e_min_tev, e_max_tev, index, value_cm2s, error_cm2s, crab_units, crab_units_error, safe_emin_tev } = f;
  return { e_min_tev, e_max_tev, index, value_cm2s, error_cm2s, crab_units, crab_units_error, safe_emin_tev };
}

/**
 * Fluxes of a job: each run alone (the run-wise light curve), each night (joint fit over its runs, when there is
 * more than one night) and all runs jointly; plus the summed excess per reco-energy bin against the prediction of the
 * joint fit. Datasets come in any order; nights and runs are reported in time order.
 */
export function summariseFlux(datasets: readonly SpectrumDataset[], index: number): FluxSummary {
  const warnings: string[] = [];
  const perRun = new Map<number, FluxResult | null>();
  const sorted = [...datasets].sort((a, b) => (a.start?.getTime() ?? Infinity) - (b.start?.getTime() ?? Infinity) || a.obsId - b.obsId);
  for (const ds of sorted) {
    const f = strip(fitFlux([ds], index));
    if (!f) warnings.push(`run ${ds.obsId}: no flux (no safe energy bin with effective area)`);
    perRun.set(ds.obsId, f);
  }
  const totalFit = fitFlux(sorted, index);
  const total = strip(totalFit);
  const byNight = new Map<string, SpectrumDataset[]>();
  for (const ds of sorted) {
    const n = ds.night ?? '';
    byNight.set(n, [...(byNight.get(n) ?? []), ds]);
  }
  let nights: NightFlux[] | undefined;
  if (byNight.size > 1) {
    nights = [...byNight.entries()].map(([night, list]) => {
      const starts = list.map((d) => d.start?.getTime()).filter((t): t is number => t !== undefined);
      const stops = list.map((d) => (d.start ? d.start.getTime() + d.livetimeS * 1000 : undefined)).filter((t): t is number => t !== undefined);
      return {
        night,
        n_runs: list.length,
        livetime_s: list.reduce((s, d) => s + d.livetimeS, 0),
        start: starts.length ? new Date(Math.min(...starts)).toISOString() : '',
        stop: stops.length ? new Date(Math.max(...stops)).toISOString() : '',
        flux: strip(fitFlux(list, index)),
      };
    });
  }
  let spectrum: SpectrumPoints | undefined;
  if (totalFit && sorted.length) {
    const nR = RECO_EDGES_TEV.length - 1;
    const excess = new Array<number>(nR).fill(0);
    const variance = new Array<number>(nR).fill(0);
    const predicted = new Array<number>(nR).fill(0);
    const safe = new Array<boolean>(nR).fill(false);
    for (const ds of sorted) {
      const s = signalPerAmplitude(ds, index);
      for (let j = 0; j < nR; j++) {
        if (!ds.mask[j]) continue;
        safe[j] = true;
        excess[j] += ds.counts[j] - ds.alpha * ds.countsOff[j];
        variance[j] += ds.counts[j] + ds.alpha * ds.alpha * ds.countsOff[j];
        predicted[j] += totalFit.amplitude * s[j];
      }
    }
    spectrum = { e_edges_tev: Array.from(RECO_EDGES_TEV), excess, excess_error: variance.map(Math.sqrt), predicted, safe, index };
  }
  return { perRun, total, nights, spectrum, warnings };
}
