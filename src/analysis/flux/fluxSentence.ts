import type { FluxResult } from './FluxResult.js';

/** "1.56 ± 0.06 Crab units above 1 TeV (Γ = 2.6 assumed)": the flux as the summaries state it. */
export function fluxSentence(f: FluxResult): string {
  return `${f.crab_units.toFixed(2)} ± ${f.crab_units_error.toFixed(2)} Crab units above ${f.e_min_tev} TeV (Γ = ${f.index} assumed)`;
}

/** The summary line of a job's flux: the sentence, "none" when no run had usable IRFs, empty without IRFs at all. */
export function fluxSummaryLine(total: { flux?: FluxResult | null }): string | null {
  if (total.flux === undefined) return null;
  return total.flux ? `Flux: ${fluxSentence(total.flux)}` : 'Flux: none (no run with usable IRFs and a safe energy range)';
}
