/** The integral flux of a run, a night or a whole job, as it appears in the analysis JSON (`flux`). */
export interface FluxResult {
  e_min_tev: number;
  e_max_tev: number;
  /** Assumed power-law index Γ (fixed in the fit). */
  index: number;
  /** Integral flux e_min..e_max, cm⁻² s⁻¹, and its 1σ error. */
  value_cm2s: number;
  error_cm2s: number;
  /** Ratio to the HEGRA Crab (gammapy create_crab_spectral_model("hegra")) over the same range; its error. */
  crab_units: number;
  crab_units_error: number;
  /** Lower edge of the first safe reconstructed-energy bin (the lowest over the runs for a night or the total). */
  safe_emin_tev: number | null;
}
