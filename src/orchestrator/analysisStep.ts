import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { AstranConfig } from '../config/schema.js';
import { analyse } from '../analysis/analyse.js';
import { DEFAULT_ANALYSIS_OPTIONS, type AnalysisOptions, type AnalysisResult, type FluxHistoryPoint } from '../analysis/types.js';
import { renderAll } from '../plots/renderAll.js';
import { formatRunsTable } from '../plots/formatRunsTable.js';
import { fluxSummaryLine } from '../analysis/flux/fluxSentence.js';
import type { AnalysisStep } from './JobRunner.js';
import { fmtDuration, fmtNights } from './format.js';
import type { JobRecord } from '../core/JobStore.js';

/** The analysis options of a job: request values over config defaults over engine defaults. */
export function analysisOptions(config: AstranConfig, job: JobRecord, source: { name: string; ra: number; dec: number; index?: number }): AnalysisOptions {
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

/** The final thread message: headline numbers, cuts, per-run table, and the images. */
export function summaryText(job: JobRecord, r: AnalysisResult, attribution?: string): string {
  const t = r.total;
  const p = job.params;
  const o = r.options;
  const energy = o.emin !== undefined || o.emax !== undefined ? `${o.emin ?? 0}–${o.emax ?? '∞'} TeV` : 'all energies';
  const lines = [
    `✅ *${job.id}* done · ${r.source.name} · night ${fmtNights(p.nightFrom, p.nightTo)} · ${t.n_runs} run(s) · ${fmtDuration(t.livetime_s)} livetime`,
    `*${t.significance.toFixed(1)}σ* (Li & Ma) · excess ${t.excess.toFixed(1)} · N_on ${t.n_on}, N_off ${t.n_off}, α = ${t.alpha.toFixed(3)} · ${t.excess_rate_per_min.toFixed(2)} excess/min`,
    ...[fluxSummaryLine(t)].filter((x): x is string => x !== null),
    `Cuts: θ² < ${o.theta2Cut} deg²${o.useRadMax ? ' (RAD_MAX where present)' : ''}, ${o.offRegions} OFF region(s), ${energy}.`,
    '```',
    formatRunsTable(r),
    '```',
  ];
  if (r.warnings.length) lines.push(...r.warnings.map((w) => `⚠️ ${w}`));
  if (attribution) lines.push(`_${attribution}_`);
  return lines.join('\n');
}

/**
 * The default analysis step: the TypeScript engine, chart.js plots, results.json next to the images. `history` gives
 * earlier nights' fluxes of the same source and cuts for the light curve (see fluxHistory.ts).
 */
export function createAnalysisStep(config: AstranConfig, attribution?: string, history?: (job: JobRecord, index: number) => FluxHistoryPoint[]): AnalysisStep {
  return async (job, source, files, outDir) => {
    const result = await analyse(files, analysisOptions(config, job, source));
    if (history && result.total.flux) result.flux_history = history(job, result.total.flux.index);
    const images = await renderAll(result, outDir);
    const summary = {
      total: result.total,
      runs: result.runs.map(({ obs_id, night, livetime_s, n_events, n_on, n_off, alpha, excess, significance, flux }) => ({ obs_id, night, livetime_s, n_events, n_on, n_off, alpha, excess, significance, flux })),
      ...(result.nights ? { nights: result.nights } : {}),
      images: images.map((f) => basename(f)),
      outDir,
    };
    // results.json keeps the map's description, not its pixels (those are in skymap.png).
    const mapMeta = { ...result.skymap, counts: undefined, excess: undefined, significance: undefined };
    writeFileSync(join(outDir, 'results.json'), JSON.stringify({ ...result, skymap: mapMeta }, null, 1));
    return {
      summary,
      message: {
        text: summaryText(job, result, attribution),
        files: images.map((f) => ({ name: basename(f), contentType: 'image/png', data: readFileSync(f), title: basename(f, '.png') })),
      },
    };
  };
}
