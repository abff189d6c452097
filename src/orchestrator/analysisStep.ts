import { writeFile, rename } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { AnalysisConfig } from '../analysis/config.js';
import { analyse } from '../analysis/analyse.js';
import { DEFAULT_ANALYSIS_OPTIONS, type AnalysisOptions, type FluxHistoryPoint } from '../analysis/types.js';
import { renderPlots } from '../plots/renderAll.js';
import { PlotError } from '../plots/PlotError.js';
import type { AnalysisStep } from './JobAnalysis.js';
import type { JobRecord } from '../core/JobStore.js';
import { newErrorId } from '../core/errors.js';
import { AbortedError } from '../util/sleep.js';
import type { Logger } from '../log.js';
import { plotFailed, summaryText } from './wording.js';

export { summaryText } from './wording.js';

/** The analysis options of a job: request values over config defaults over engine defaults. */
export function analysisOptions(config: { analysis: AnalysisConfig }, job: JobRecord, source: { name: string; ra: number; dec: number; index?: number }): AnalysisOptions {
  const p = job.params;
  return {
    ...DEFAULT_ANALYSIS_OPTIONS,
    source: { ra: source.ra, dec: source.dec },
    sourceName: source.name,
    theta2Cut: p.theta2_cut ?? config.analysis.theta2_cut,
    offRegions: p.off_regions ?? config.analysis.off_regions,
    useRadMax: config.analysis.use_rad_max,
    emin: p.emin,
    emax: p.emax,
    mapWidthDeg: config.analysis.map_width_deg,
    mapBinszDeg: config.analysis.map_binsz_deg,
    fluxIndex: source.index ?? config.analysis.flux_index,
  };
}

const stopIfAborted = (signal: AbortSignal) => {
  if (signal.aborted) throw new AbortedError();
};

export interface AnalysisStepOptions {
  /** Earlier nights' fluxes of the same source and cuts, for the light curve (see fluxHistory.ts). */
  history?: (job: JobRecord, index: number) => FluxHistoryPoint[];
  log?: Logger;
  /** The plot renderer (tests swap it to make a plot fail). */
  render?: typeof renderPlots;
}

/**
 * The default analysis step: the TypeScript engine, then the plots rendered in memory and posted as buffers (copies are
 * kept in the job's results folder, with results.json). The abort signal (cancel, shutdown) is honoured between the
 * engine and each plot. A plot that cannot be drawn costs that plot, not the job: the summary says which and why.
 */
export function createAnalysisStep(config: { analysis: AnalysisConfig }, attribution?: string, opts: AnalysisStepOptions = {}): AnalysisStep {
  const { history, log, render = renderPlots } = opts;
  return async (job, source, files, outDir, signal) => {
    stopIfAborted(signal);
    const result = await analyse(files, analysisOptions(config, job, source));
    if (history && result.total.flux) result.flux_history = history(job, result.total.flux.index);
    stopIfAborted(signal);
    const { plots, failures } = render(result, () => stopIfAborted(signal));
    const problems = failures.map((f) => {
      const id = newErrorId();
      log?.error({ err: f.error, job: job.id, file: f.file, errorId: id }, 'plot failed');
      return plotFailed(f.file, f.error instanceof PlotError ? f.error.message : 'an internal error', id);
    });
    // Archive copies for the results folder; written under a temporary name, renamed, so no reader sees half a PNG.
    for (const p of plots) {
      const path = join(outDir, p.file);
      await writeFile(`${path}.tmp-${process.pid}`, p.png);
      await rename(`${path}.tmp-${process.pid}`, path);
    }
    const summary = {
      total: result.total,
      runs: result.runs.map(({ obs_id, night, livetime_s, n_events, n_on, n_off, alpha, excess, significance, flux }) => ({ obs_id, night, livetime_s, n_events, n_on, n_off, alpha, excess, significance, flux })),
      ...(result.nights ? { nights: result.nights } : {}),
      ...(job.params.runDecLines ? { dec_lines: job.params.runDecLines } : {}),
      images: plots.map((p) => p.file),
      ...(failures.length ? { plot_failures: failures.map((f) => f.file) } : {}),
      outDir,
    };
    // results.json keeps the map's description, not its pixels (those are in skymap.png).
    const mapMeta = { ...result.skymap, counts: undefined, excess: undefined, significance: undefined };
    // Which Monte Carlo declination line (RF models + IRFs) each run was processed with.
    const decLines = job.params.runDecLines ? { dec_lines: job.params.runDecLines } : {};
    await writeFile(join(outDir, 'results.json'), JSON.stringify({ ...result, ...decLines, skymap: mapMeta }, null, 1));
    return {
      summary,
      message: {
        text: summaryText(job, result, attribution, problems),
        files: plots.map((p) => ({ name: p.file, contentType: 'image/png', data: p.png, title: basename(p.file, '.png') })),
      },
    };
  };
}
