/**
 * High-level DL3 analysis: per-run and stacked ON/OFF (wobble OFF regions, Li & Ma), θ² histogram
 * (gammapy make_theta_squared_table), counts map with ring-background excess/significance, diagnostics.
 */
import { basename } from 'node:path';
import { wobbleOffCenters, separationDeg } from './geometry.js';
import { histEdges } from './histEdges.js';
import { newAccumulator, runKernel, type KernelConfig } from './kernel.js';
import { liMaSignificance, stackedAlpha } from './lima.js';
import { ringBackground } from './ringBackground.js';
import { radMaxLookup, type RunData } from './RunData.js';
import { streamRun } from './streamRun.js';
import type { AnalysisOptions, AnalysisResult, CumulativePoint, RunResult, SkyMap, TotalResult } from './types.js';
import { FitsError } from '../fits/FitsError.js';
import { hasIrfs, openRunFile, readRunIrfs } from './irf/readRunIrfs.js';
import { IrfError } from './irf/IrfError.js';
import { makeSpectrumDataset, type SpectrumDataset } from './flux/spectrumDataset.js';
import { summariseFlux } from './flux/summariseFlux.js';

/** A run to analyse: a DL3 file path, optionally with the zenith angle known from the obs-index. */
export type AnalysisInput = string | { file: string; zenith?: number | null };

export const RING_DEFAULTS = { ringInnerDeg: 0.5, ringOuterDeg: 0.8, exclusionRadiusDeg: 0.3 } as const;

function median(a: ArrayLike<number>): number {
  const s = Array.from(a).filter(Number.isFinite).sort((x, y) => x - y);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function excessRatePerMin(excess: number, livetime: number): number {
  return livetime > 0 ? excess / (livetime / 60) : 0;
}

/**
 * Incremental analysis: add runs one at a time (their event arrays can be dropped afterwards), then finish().
 * Per-run rows, diagnostics and the cumulative curve come out in start-time order whatever the order of addition.
 */
export class AnalysisAccumulator {
  private readonly warnings: string[] = [];
  private readonly radius: number;
  private readonly edges: Float64Array;
  private readonly nPix: number;
  private readonly theta2On: Float64Array;
  private readonly theta2Off: Float64Array;
  private readonly counts: Float64Array;
  private readonly runs: { row: RunResult; startMs: number }[] = [];
  private radMaxMissing = 0;
  /** Flux: datasets of the runs whose IRFs were read; runs without any IRF HDU; runs whose IRFs failed. */
  private readonly datasets: SpectrumDataset[] = [];
  private readonly withoutIrfs: number[] = [];
  private readonly fluxWarnings: string[] = [];

  constructor(readonly options: AnalysisOptions) {
    if (!(options.offRegions >= 1 && options.offRegions <= 5 && Number.isInteger(options.offRegions))) throw new RangeError('offRegions must be an integer 1..5');
    if (!(options.theta2Cut > 0)) throw new RangeError('theta2Cut must be positive');
    this.radius = Math.sqrt(options.theta2Cut);
    this.edges = histEdges(0, options.theta2Max, options.theta2Bins);
    this.nPix = Math.max(1, Math.round(options.mapWidthDeg / options.mapBinszDeg));
    this.theta2On = new Float64Array(options.theta2Bins);
    this.theta2Off = new Float64Array(options.theta2Bins);
    this.counts = new Float64Array(this.nPix * this.nPix);
  }

  add(run: RunData, zenith?: number | null): void {
    const { options, radius } = this;
    const source = options.source;
    const offCenters = wobbleOffCenters(run.pointing, source, options.offRegions);
    const mirror = wobbleOffCenters(run.pointing, source, 1)[0];
    const wobble = separationDeg(run.pointing.ra, run.pointing.dec, source.ra, source.dec);
    if (wobble < radius) this.warnings.push(`run ${run.obsId}: the source is only ${wobble.toFixed(3)}° from the pointing, the ON and OFF regions overlap`);
    const map = { nx: this.nPix, ny: this.nPix, binszDeg: options.mapBinszDeg };
    const cfg: KernelConfig = { source, pointing: run.pointing, offCenters, mirror, radiusDeg: radius, emin: options.emin, emax: options.emax, theta2Edges: this.edges, map };
    let onRadius = radius;
    if (options.useRadMax) {
      if (run.radMax && run.energy) {
        cfg.radiusForEnergy = radMaxLookup(run.radMax, wobble);
        const nE = run.radMax.energyLo.length;
        let it = 0;
        for (let j = 0; j < run.radMax.thetaLo.length; j++) if (wobble >= run.radMax.thetaLo[j]) it = j;
        const row = run.radMax.radMax.subarray(it * nE, it * nE + nE);
        onRadius = median(row);
        cfg.maxRadiusDeg = Math.max(...Array.from(row).filter(Number.isFinite));
      } else this.radMaxMissing++;
    }
    const acc = newAccumulator(cfg);
    runKernel({ ra: run.ra, dec: run.dec, energy: run.energy ?? undefined }, cfg, acc);
    for (let i = 0; i < this.theta2On.length; i++) {
      this.theta2On[i] += acc.theta2On[i];
      this.theta2Off[i] += acc.theta2Off[i];
    }
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += acc.counts[i];
    const alpha = 1 / options.offRegions;
    const excess = acc.nOn - alpha * acc.nOff;
    const row: RunResult = {
      obs_id: run.obsId,
      start: run.start ? run.start.toISOString() : '',
      night: run.night ?? '',
      livetime_s: run.livetime,
      zenith_deg: zenith ?? run.zenith,
      n_events: acc.nEvents,
      n_on: acc.nOn,
      n_off: acc.nOff,
      alpha,
      excess,
      significance: liMaSignificance(acc.nOn, acc.nOff, alpha),
      event_rate_hz: run.livetime > 0 ? acc.nEvents / run.livetime : 0,
      excess_rate_per_min: excessRatePerMin(excess, run.livetime),
      pointing: run.pointing,
      wobble_offset_deg: wobble,
      on_radius_deg: onRadius,
      file: basename(run.file),
    };
    this.runs.push({ row, startMs: run.start?.getTime() ?? Infinity });
    if (options.flux !== false) this.addFlux(run);
  }

  /**
   * The run's spectrum dataset for the flux, from the IRFs in its file (read separately: the events reading stops
   * before them). A file with no IRF HDU at all is noted; a missing or unreadable IRF HDU becomes a warning naming
   * the run and the HDU. Neither stops the counts analysis.
   */
  private addFlux(run: RunData): void {
    const { options } = this;
    if (!run.energy) return;
    let f;
    try {
      f = openRunFile(run.file);
      let any: boolean;
      try {
        any = hasIrfs(f);
      } catch (e) {
        if (!(e instanceof FitsError)) throw e;
        any = true; // damaged before any IRF could be found: reported below as an AEFF_2D problem
      }
      if (!any) {
        this.withoutIrfs.push(run.obsId);
        return;
      }
      const irfs = readRunIrfs(f);
      this.datasets.push(makeSpectrumDataset(run, irfs, { source: options.source, theta2Cut: options.theta2Cut, offRegions: options.offRegions }));
    } catch (e) {
      if (e instanceof IrfError) this.fluxWarnings.push(`run ${run.obsId}: no flux: ${e.hdu === 'file' ? 'the IRFs' : `the ${e.hdu} HDU`} of ${e.file} cannot be used (${e.problem})`);
      else if (e instanceof FitsError) this.fluxWarnings.push(`run ${run.obsId}: no flux: the IRFs of ${e.file} cannot be read (${e.problem})`);
      else if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // runs built in memory (tests, benchmarks)
      else throw e;
    }
  }

  finish(): AnalysisResult {
    const { options, radius, counts, nPix } = this;
    const source = options.source;
    const warnings = [...this.warnings];
    if (this.radMaxMissing > 0) warnings.push(`RAD_MAX was asked for but ${this.radMaxMissing} run(s) have no RAD_MAX HDU: the global θ² cut ${options.theta2Cut} deg² was used for them`);
    // Diagnostics and cumulative significance are in time order.
    const runs = [...this.runs].sort((a, b) => a.startMs - b.startMs || a.row.obs_id - b.row.obs_id).map((r) => r.row);
    // Stacking and the cumulative curve.
    const cumulative: CumulativePoint[] = [];
    let nOn = 0, nOff = 0, live = 0, nEv = 0;
    const parts: { alpha: number; nOff: number }[] = [];
    for (const r of runs) {
      nOn += r.n_on;
      nOff += r.n_off;
      live += r.livetime_s;
      nEv += r.n_events;
      parts.push({ alpha: r.alpha, nOff: r.n_off });
      const a = stackedAlpha(parts);
      cumulative.push({ obs_id: r.obs_id, livetime_s: live, significance: liMaSignificance(nOn, nOff, a), excess: nOn - a * nOff });
    }
    const alphaTot = stackedAlpha(parts);
    const excessTot = nOn - alphaTot * nOff;
    const total: TotalResult = {
      n_runs: runs.length,
      livetime_s: live,
      n_events: nEv,
      n_on: nOn,
      n_off: nOff,
      alpha: alphaTot,
      excess: excessTot,
      significance: runs.length ? liMaSignificance(nOn, nOff, alphaTot) : 0,
      excess_rate_per_min: excessRatePerMin(excessTot, live),
    };

    let fluxPart: Pick<AnalysisResult, 'nights' | 'spectrum'> = {};
    const fluxTried = this.datasets.length > 0 || this.fluxWarnings.length > 0;
    if (fluxTried) {
      const fs = summariseFlux(this.datasets, options.fluxIndex ?? 2.5);
      for (const r of runs) r.flux = fs.perRun.get(r.obs_id) ?? null;
      total.flux = fs.total;
      fluxPart = { ...(fs.nights ? { nights: fs.nights } : {}), ...(fs.spectrum ? { spectrum: fs.spectrum } : {}) };
      warnings.push(...this.fluxWarnings, ...fs.warnings);
      if (this.withoutIrfs.length) warnings.push(`no flux for run(s) ${this.withoutIrfs.join(', ')}: their files carry no IRFs (no AEFF_2D HDU)`);
    }

    const ring = {
      innerDeg: options.ringInnerDeg ?? RING_DEFAULTS.ringInnerDeg,
      outerDeg: options.ringOuterDeg ?? RING_DEFAULTS.ringOuterDeg,
      exclusionRadiusDeg: options.exclusionRadiusDeg ?? RING_DEFAULTS.exclusionRadiusDeg,
    };
    let sum = 0, max = 0;
    for (let i = 0; i < counts.length; i++) {
      sum += counts[i];
      if (counts[i] > max) max = counts[i];
    }
    const mapCounts = Float64Array.from(counts);
    // The ring-background excess and significance maps are made on first read: only plots use them, so
    // `astran analyse --no-plots` and the JSON outputs never pay for them.
    let rb: { excess: Float64Array; significance: Float64Array } | undefined;
    const background = () => (rb ??= ringBackground(mapCounts, { nx: nPix, ny: nPix, binszDeg: options.mapBinszDeg, correlationRadiusDeg: radius, ...ring }));
    const skymap: SkyMap = {
      nx: nPix,
      ny: nPix,
      binsz_deg: options.mapBinszDeg,
      center: { ra: source.ra, dec: source.dec },
      counts: mapCounts,
      get excess() {
        return background().excess;
      },
      get significance() {
        return background().significance;
      },
      method:
        `ring background, flat acceptance: ring ${ring.innerDeg}°–${ring.outerDeg}°, correlation radius ${radius.toFixed(3)}°, ` +
        `source exclusion ${ring.exclusionRadiusDeg}°`,
      sum,
      max,
    };
    return {
      source: { name: options.sourceName, ra: source.ra, dec: source.dec },
      options,
      runs,
      total,
      theta2: { edges_deg2: Array.from(this.edges), on: Array.from(this.theta2On), off: Array.from(this.theta2Off), alpha: 1 },
      skymap,
      cumulative,
      warnings,
      ...fluxPart,
    };
  }
}

/** Analyse already-loaded runs (tests and benchmarks that build event lists in memory). */
export function analyseRuns(loaded: { run: RunData; zenith?: number | null }[], options: AnalysisOptions): AnalysisResult {
  const acc = new AnalysisAccumulator(options);
  for (const { run, zenith } of loaded) acc.add(run, zenith);
  return acc.finish();
}

/**
 * Read the runs (DL3 files) and analyse them, one file at a time: only one run's events are in memory at once.
 * File errors are FitsError naming the file.
 */
export async function analyse(inputs: AnalysisInput[], options: AnalysisOptions): Promise<AnalysisResult> {
  const acc = new AnalysisAccumulator(options);
  for (const inp of inputs) {
    const file = typeof inp === 'string' ? inp : inp.file;
    const zenith = typeof inp === 'string' ? undefined : inp.zenith;
    // Streamed: the bot's event loop keeps running while a file is read and inflated.
    acc.add(await streamRun(file, { radMax: options.useRadMax }), zenith ?? undefined);
  }
  return acc.finish();
}
