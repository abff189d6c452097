import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnalysisResult } from '../analysis/types.js';
import { PlotError } from './PlotError.js';
import { renderRunsTable } from './renderRunsTable.js';
import { renderSignificanceVsTime } from './renderSignificanceVsTime.js';
import { renderSkymap } from './renderSkymap.js';
import { renderTheta2 } from './renderTheta2.js';
import { renderLightcurve } from './renderLightcurve.js';
import { renderSpectrum } from './renderSpectrum.js';

export { renderTheta2 } from './renderTheta2.js';
export { renderSkymap } from './renderSkymap.js';
export { renderSignificanceVsTime } from './renderSignificanceVsTime.js';
export { renderRunsTable } from './renderRunsTable.js';
export { renderLightcurve } from './renderLightcurve.js';
export { renderSpectrum } from './renderSpectrum.js';
export { formatRunsTable } from './formatRunsTable.js';
export { PlotError } from './PlotError.js';

/** File names of the plots, in the order they are posted. */
export const PLOT_FILES = {
  theta2: 'theta2.png',
  skymap: 'skymap.png',
  significanceVsTime: 'significance_vs_time.png',
  runs: 'runs.png',
} as const;

/** The flux plots, drawn after the others when the result has a flux (the runs' files carry IRFs). */
export const FLUX_PLOT_FILES = {
  lightcurve: 'lightcurve.png',
  spectrum: 'spectrum.png',
} as const;

const RENDERERS: [string, (r: AnalysisResult) => Buffer][] = [
  [PLOT_FILES.theta2, renderTheta2],
  [PLOT_FILES.skymap, renderSkymap],
  [PLOT_FILES.significanceVsTime, renderSignificanceVsTime],
  [PLOT_FILES.runs, renderRunsTable],
];

const FLUX_RENDERERS: [string, (r: AnalysisResult) => Buffer][] = [
  [FLUX_PLOT_FILES.lightcurve, renderLightcurve],
  [FLUX_PLOT_FILES.spectrum, renderSpectrum],
];

/** The plots of a result, in posting order: the four always, the flux plots when a flux was attempted. */
export function renderersFor(result: AnalysisResult): [string, (r: AnalysisResult) => Buffer][] {
  return result.total.flux !== undefined ? [...RENDERERS, ...FLUX_RENDERERS] : RENDERERS;
}

/** Thrown by renderAll when some plots failed; the others were still written. */
export class PlotsIncompleteError extends PlotError {
  constructor(
    readonly written: string[],
    readonly failures: { file: string; error: Error }[],
  ) {
    // Only PlotError messages are user-safe; others (e.g. file-system errors) may carry paths and stay in `failures` for the log.
    super(`Could not draw ${failures.map((f) => `${f.file} (${f.error instanceof PlotError ? f.error.message : 'internal error'})`).join(', ')}`);
  }
}

/** One rendered plot, in memory. */
export interface RenderedPlot {
  file: string;
  png: Buffer;
}

/**
 * Render every plot in memory, in posting order. A plot that cannot be drawn costs that plot only: it is listed in
 * `failures` (PlotError messages are user-safe). `beforeEach` runs before each plot (the job runner checks its abort
 * signal there).
 */
export function renderPlots(result: AnalysisResult, beforeEach: () => void = () => {}): { plots: RenderedPlot[]; failures: { file: string; error: Error }[] } {
  const plots: RenderedPlot[] = [];
  const failures: { file: string; error: Error }[] = [];
  for (const [file, render] of renderersFor(result)) {
    beforeEach();
    try {
      plots.push({ file, png: render(result) });
    } catch (e) {
      failures.push({ file, error: e instanceof Error ? e : new Error(String(e)) });
    }
  }
  return { plots, failures };
}

/**
 * Render every plot into outDir (created if missing) and return the written paths in posting order.
 * Each file is written under a temporary name and renamed, so a reader never sees half a PNG.
 */
export async function renderAll(result: AnalysisResult, outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  const failures: { file: string; error: Error }[] = [];
  for (const [file, render] of renderersFor(result)) {
    try {
      const png = render(result);
      const path = join(outDir, file);
      const tmp = `${path}.tmp-${process.pid}`;
      await writeFile(tmp, png);
      await rename(tmp, path);
      written.push(path);
    } catch (e) {
      failures.push({ file, error: e instanceof Error ? e : new Error(String(e)) });
    }
  }
  if (failures.length) throw new PlotsIncompleteError(written, failures);
  return written;
}
