/** Integral of a power law φ0·(E/E0)^−Γ from eMin to eMax (TeV), as gammapy's `PowerLawSpectralModel.evaluate_integral`. */
export function powerLawIntegral(amplitude: number, index: number, eMin: number, eMax: number, reference = 1): number {
  const val = 1 - index;
  if (Math.abs(val) <= 1e-8) return amplitude * reference * Math.log(eMax / eMin);
  return ((amplitude * reference) / val) * (Math.pow(eMax / reference, val) - Math.pow(eMin / reference, val));
}

/** gammapy `create_crab_spectral_model("hegra")`: power law, 2.83e-11 cm⁻² s⁻¹ TeV⁻¹ at 1 TeV, Γ = 2.62. */
export const CRAB_HEGRA = { amplitude: 2.83e-11, index: 2.62, reference: 1 } as const;

/** Integral flux of the HEGRA Crab between eMin and eMax (TeV), cm⁻² s⁻¹. */
export function crabIntegral(eMin: number, eMax: number): number {
  return powerLawIntegral(CRAB_HEGRA.amplitude, CRAB_HEGRA.index, eMin, eMax, CRAB_HEGRA.reference);
}
