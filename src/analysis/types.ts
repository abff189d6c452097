/** Inputs and outputs of the high-level DL3 analysis engine (θ², Li & Ma, skymap, diagnostics, flux). */
import type { FluxResult } from './flux/FluxResult.js';

export type { FluxResult } from './flux/FluxResult.js';

export interface SkyPosition {
  ra: number; // deg, ICRS
  dec: number; // deg
}

export interface AnalysisOptions {
  /** Source position (ON region centre). */
  source: SkyPosition;
  /** Display name used in plot titles and summaries. */
  sourceName: string;
  /** Global θ² cut in deg² (default 0.02). */
  theta2Cut: number;
  /** Use the file's energy-dependent RAD_MAX instead of theta2Cut when present. */
  useRadMax: boolean;
  /** Number of wobble OFF positions, 1..5 (default 3); α = 1/n. */
  offRegions: number;
  /** Optional reconstructed-energy range in TeV. */
  emin?: number;
  emax?: number;
  /** θ² histogram: upper edge in deg² (default 0.4) and number of bins (default 40). */
  theta2Max: number;
  theta2Bins: number;
  /** Skymap: width in deg (default 2) and pixel size in deg (default 0.02). */
  mapWidthDeg: number;
  mapBinszDeg: number;
  /** Ring background of the excess/significance map: ring radii (deg, defaults 0.5 and 0.8). */
  ringInnerDeg?: number;
  ringOuterDeg?: number;
  /** Pixels within this distance of the source (deg, default 0.3) never count as ring background. */
  exclusionRadiusDeg?: number;
  /** Integral flux from the IRFs for runs whose files carry them (default true). */
  flux?: boolean;
  /** Power-law index Γ assumed for the flux (default 2.5). */
  fluxIndex?: number;
}

export const DEFAULT_ANALYSIS_OPTIONS: Omit<AnalysisOptions, 'source' | 'sourceName'> = {
  theta2Cut: 0.02,
  useRadMax: false,
  offRegions: 3,
  theta2Max: 0.4,
  theta2Bins: 40,
  mapWidthDeg: 2,
  mapBinszDeg: 0.02,
  flux: true,
  fluxIndex: 2.5,
};

export interface RunResult {
  obs_id: number;
  /** ISO 8601 UTC start time of the run. */
  start: string;
  /** Night YYYYMMDD (UTC date of start − 12 h). */
  night: string;
  livetime_s: number;
  /** Zenith angle of the pointing in deg, when the file/index has it. */
  zenith_deg: number | null;
  n_events: number;
  n_on: number;
  n_off: number;
  alpha: number;
  excess: number;
  significance: number;
  /** Events per second after the energy cut (all events in the file). */
  event_rate_hz: number;
  excess_rate_per_min: number;
  /** Pointing position and wobble offset of the source from it (deg). */
  pointing: SkyPosition;
  wobble_offset_deg: number;
  /** Effective ON radius used (deg): sqrt(theta2Cut) or the RAD_MAX value (median if energy dependent). */
  on_radius_deg: number;
  file: string;
  /** Integral flux of this run alone; null when its IRFs are missing or unusable; absent when no file carries IRFs. */
  flux?: FluxResult | null;
}

export interface TotalResult {
  n_runs: number;
  livetime_s: number;
  n_events: number;
  n_on: number;
  n_off: number;
  alpha: number;
  excess: number;
  significance: number;
  excess_rate_per_min: number;
  /** Joint flux fit over every run with IRFs (absent when no file carries IRFs). */
  flux?: FluxResult | null;
}

/** The flux of one night (joint fit over its runs), given when the job spans more than one night. */
export interface NightFlux {
  night: string;
  n_runs: number;
  livetime_s: number;
  /** Start of the first and end of the last run (ISO), for the light curve's time bars. */
  start: string;
  stop: string;
  flux: FluxResult | null;
}

/** Excess per reconstructed-energy bin (safe bins, summed over runs) against the fitted model's prediction. */
export interface SpectrumPoints {
  e_edges_tev: number[];
  excess: number[];
  excess_error: number[];
  predicted: number[];
  safe: boolean[];
  index: number;
}

/** An earlier night of the same source and cuts, from the job store (for the light curve). */
export interface FluxHistoryPoint {
  night: string;
  crab_units: number;
  crab_units_error: number;
}

export interface Theta2Table {
  edges_deg2: number[];
  on: number[];
  /** OFF counts around the mirror (n = 1) position, as gammapy's make_theta_squared_table. */
  off: number[];
  /** α for the OFF histogram (1 for the single mirror position). */
  alpha: number;
}

export interface SkyMap {
  nx: number;
  ny: number;
  binsz_deg: number;
  /** Map centre (the source). */
  center: SkyPosition;
  /** Row-major counts, index = iy * nx + ix; ix grows towards decreasing RA (east left), iy with Dec. */
  counts: Float64Array | number[];
  /** Excess and Li & Ma significance per pixel from the background method (same layout). */
  excess: Float64Array | number[];
  significance: Float64Array | number[];
  /** Description of the background method, shown in docs and plots. */
  method: string;
  sum: number;
  max: number;
}

export interface CumulativePoint {
  obs_id: number;
  livetime_s: number;
  significance: number;
  excess: number;
}

export interface AnalysisResult {
  source: { name: string } & SkyPosition;
  options: AnalysisOptions;
  runs: RunResult[];
  total: TotalResult;
  theta2: Theta2Table;
  skymap: SkyMap;
  cumulative: CumulativePoint[];
  /** Human-readable warnings (e.g. RAD_MAX asked for but absent). */
  warnings: string[];
  /** Per-night fluxes when the job spans more than one night. */
  nights?: NightFlux[];
  /** Counts spectrum against the fitted model (when a flux was fitted). */
  spectrum?: SpectrumPoints;
  /** Earlier nights of the same source and cuts, when the caller has them (light curve). */
  flux_history?: FluxHistoryPoint[];
}
