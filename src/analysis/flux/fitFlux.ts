import { fitAmplitude, type FitBin } from './fitAmplitude.js';
import type { FluxResult } from './FluxResult.js';
import { TRUE_EDGES_TEV } from './energyAxes.js';
import { crabIntegral, powerLawIntegral } from './powerLaw.js';
import type { SpectrumDataset } from './spectrumDataset.js';

export const FLUX_E_MIN_TEV = 1;
export const FLUX_E_MAX_TEV = 100;
const M2_TO_CM2 = 1e4;

/** Predicted signal counts per reco bin for amplitude 1 cm⁻² s⁻¹ TeV⁻¹ (power law Γ, reference 1 TeV). */
export function signalPerAmplitude(ds: SpectrumDataset, index: number): Float64Array {
  const nT = TRUE_EDGES_TEV.length - 1;
  const nR = ds.counts.length;
  const out = new Float64Array(nR);
  for (let i = 0; i < nT; i++) {
    const f = powerLawIntegral(1, index, TRUE_EDGES_TEV[i], TRUE_EDGES_TEV[i + 1]) * ds.exposure[i] * M2_TO_CM2;
    if (f === 0) continue;
    for (let j = 0; j < nR; j++) out[j] += f * ds.kernel[i * nR + j];
  }
  return out;
}

/** The bins of a joint fit: every run's safe bins. */
export function fitBins(datasets: readonly SpectrumDataset[], index: number): FitBin[] {
  const bins: FitBin[] = [];
  for (const ds of datasets) {
    const s = signalPerAmplitude(ds, index);
    ds.mask.forEach((safe, j) => {
      if (safe) bins.push({ nOn: ds.counts[j], nOff: ds.countsOff[j], alpha: ds.alpha, perAmplitude: s[j] });
    });
  }
  return bins;
}

/**
 * Integral flux from a joint WStat fit of the amplitude of a power law with fixed index over the datasets' safe
 * bins (gammapy: Fit of Datasets of SpectrumDatasetOnOff, then model.integral / integral_error). Null when the
 * datasets have no safe bin with exposure.
 */
export function fitFlux(datasets: readonly SpectrumDataset[], index: number, eMin = FLUX_E_MIN_TEV, eMax = FLUX_E_MAX_TEV): (FluxResult & { amplitude: number; amplitude_error: number; stat: number }) | null {
  const fit = fitAmplitude(fitBins(datasets, index));
  if (!fit) return null;
  const unit = powerLawIntegral(1, index, eMin, eMax);
  const crab = crabIntegral(eMin, eMax);
  const value = fit.amplitude * unit;
  const error = fit.error * Math.abs(unit);
  const emins = datasets.map((d) => d.safeEminTeV).filter((x): x is number => x !== null);
  return {
    e_min_tev: eMin,
    e_max_tev: eMax,
    index,
    value_cm2s: value,
    error_cm2s: error,
    crab_units: value / crab,
    crab_units_error: error / crab,
    safe_emin_tev: emins.length ? Math.min(...emins) : null,
    amplitude: fit.amplitude,
    amplitude_error: fit.error,
    stat: fit.stat,
  };
}
