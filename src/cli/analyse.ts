/**
 * `astran analyse <DL3 dir or files...> [options]`: run the DL3 analysis locally and print a summary or JSON.
 * Exit codes: 0 ok, 1 analysis failed (unreadable file, no runs), 2 invalid usage.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { repoRoot } from '../util/repoRoot.js';
import { AnalysisAccumulator } from '../analysis/analyse.js';
import { listObservations, openDataStore } from '../analysis/DataStore.js';
import type { RunData, RunHeader } from '../analysis/RunData.js';
import { streamRun } from '../analysis/streamRun.js';
import { parseAnalyseArgs, UsageError, type AnalyseArgs as Args } from './analyseArgs.js';
import { lookUpSource } from './sourceLookup.js';
import { DEFAULT_ANALYSIS_OPTIONS, type AnalysisOptions, type AnalysisResult } from '../analysis/types.js';
import { FitsError } from '../fits/FitsError.js';
import { fluxSummaryLine } from '../analysis/flux/fluxSentence.js';

export interface AnalyseIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface AnalyseDeps {
  renderPlots?: (result: AnalysisResult, outDir: string) => Promise<string[]>;
}

const USAGE = `usage: astran analyse <DL3 dir or files...> [--source NAME | --ra DEG --dec DEG]
       [--date YYYYMMDD[..YYYYMMDD]] [--runs ID,...] [--radius DEG] [--theta2-cut DEG2]
       [--off-regions N] [--emin TEV] [--emax TEV] [--rad-max] [--index GAMMA] [--no-flux] [--out DIR] [--json] [--no-plots]`;

/** config/sources.yaml of this checkout (src/cli → repo root). */
export function defaultSourcesPath(): string {
  return resolve(repoRoot(), 'config', 'sources.yaml');
}

/** A run to read: from a folder's index or header scan (selected already), or a file named on the command line. */
interface Candidate {
  file: string;
  /** Known for indexed runs: skip a second copy without reading it. */
  obsId?: number;
  zenith?: number | null;
}

interface Selected {
  candidates: Candidate[];
  warnings: string[];
}

/**
 * Folders are listed (index or header scan) and filtered here. Files named on the command line are not read here:
 * their headers are judged while they are streamed for the analysis, so each file is read once.
 */
function selectObservations(args: Args, cwd: string, position: { ra: number; dec: number } | undefined): Selected {
  const warnings: string[] = [];
  const candidates: Candidate[] = [];
  const missing = new Set<number>();
  for (const p of args.paths) {
    const abs = resolve(cwd, p);
    if (!existsSync(abs)) throw new FitsError(basename(p), 'no such file or directory');
    if (statSync(abs).isDirectory()) {
      const store = openDataStore(abs);
      // A folder holds many targets: select by position unless run ids were named.
      const filter = { position: args.runs ? undefined : position, radiusDeg: args.radius ?? 3, runs: args.runs, nightFrom: args.date?.from, nightTo: args.date?.to };
      for (const o of listObservations(store, filter)) {
        if (o.file === null) missing.add(o.obsId);
        else candidates.push({ file: o.file, obsId: o.obsId, zenith: o.zenith });
      }
    } else {
      candidates.push({ file: abs });
    }
  }
  if (missing.size) {
    const ids = [...missing];
    const shown = ids.slice(0, 10).join(', ') + (ids.length > 10 ? `, … (${ids.length} in all)` : '');
    warnings.push(`skipped ${ids.length} run(s) listed in the index whose file is absent: ${shown}`);
  }
  return { candidates, warnings };
}

function fmt(x: number | null, d: number): string {
  return x === null || !Number.isFinite(x) ? '-' : x.toFixed(d);
}

function summaryText(r: AnalysisResult, images: string[]): string {
  const lines: string[] = [];
  lines.push(`Source: ${r.source.name} (RA ${r.source.ra.toFixed(4)}°, Dec ${r.source.dec.toFixed(4)}°)`);
  const o = r.options;
  const cut = o.useRadMax ? 'RAD_MAX' : `θ² < ${o.theta2Cut} deg²`;
  const e = o.emin !== undefined || o.emax !== undefined ? `, E in [${o.emin ?? 0}, ${o.emax ?? '∞'}) TeV` : '';
  lines.push(`Cuts: ${cut}, ${o.offRegions} OFF region(s)${e}`);
  lines.push('');
  const head = ['run', 'start (UTC)', 'live[min]', 'zen[°]', 'rate[Hz]', 'N_on', 'N_off', 'alpha', 'excess', 'sig[σ]'];
  const rows = r.runs.map((x) => [String(x.obs_id), x.start.slice(0, 19).replace('T', ' '), fmt(x.livetime_s / 60, 1), fmt(x.zenith_deg, 1), fmt(x.event_rate_hz, 2), String(x.n_on), String(x.n_off), fmt(x.alpha, 3), fmt(x.excess, 1), fmt(x.significance, 2)]);
  const t = r.total;
  rows.push(['total', `${t.n_runs} run(s)`, fmt(t.livetime_s / 60, 1), '', '', String(t.n_on), String(t.n_off), fmt(t.alpha, 3), fmt(t.excess, 1), fmt(t.significance, 2)]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  lines.push(line(head), line(w.map((n) => '-'.repeat(n))));
  for (const row of rows.slice(0, -1)) lines.push(line(row));
  lines.push(line(w.map((n) => '-'.repeat(n))), line(rows[rows.length - 1]));
  lines.push('');
  lines.push(`Excess rate: ${fmt(t.excess_rate_per_min, 2)} /min; counts map ${r.skymap.nx}×${r.skymap.ny} px of ${r.skymap.binsz_deg}°, ${r.skymap.sum} events`);
  const fl = fluxLines(r);
  if (fl.length) lines.push('', ...fl);
  for (const wn of r.warnings) lines.push(`warning: ${wn}`);
  for (const im of images) lines.push(`image: ${im}`);
  return lines.join('\n') + '\n';
}

/** Flux lines of the summary: the job's flux, then per night (when several) and per run, in Crab units. */
function fluxLines(r: AnalysisResult): string[] {
  const f = r.total.flux;
  if (f === undefined) return [];
  if (f === null) return ['Flux: none (no run with usable IRFs and a safe energy range)'];
  const out = [`${fluxSummaryLine(r.total)}; ${f.value_cm2s.toExponential(2)} ± ${f.error_cm2s.toExponential(1)} cm⁻² s⁻¹ (${f.e_min_tev}–${f.e_max_tev} TeV)`];
  for (const n of r.nights ?? []) out.push(`  night ${n.night}: ${n.flux ? `${cu(n.flux)} Crab units` : 'no flux'} (${n.n_runs} run(s))`);
  for (const x of r.runs) if (x.flux !== undefined) out.push(`  run ${x.obs_id}: ${x.flux ? `${cu(x.flux)} Crab units, safe from ${x.flux.safe_emin_tev?.toFixed(2) ?? '-'} TeV` : 'no flux'}`);
  return out;
}

function cu(f: NonNullable<AnalysisResult['total']['flux']>): string {
  return `${f.crab_units.toFixed(2)} ± ${f.crab_units_error.toFixed(2)}`;
}

/** The JSON document of `--json`: compact per-run/total numbers, θ² table, map summary (no pixel arrays). */
export function resultJson(r: AnalysisResult, images: string[]): unknown {
  return {
    source: r.source,
    options: r.options,
    runs: r.runs,
    total: r.total,
    theta2: r.theta2,
    counts_map: { nx: r.skymap.nx, ny: r.skymap.ny, binsz_deg: r.skymap.binsz_deg, center: r.skymap.center, sum: r.skymap.sum, max: r.skymap.max, method: r.skymap.method },
    cumulative: r.cumulative,
    ...(r.nights ? { nights: r.nights } : {}),
    ...(r.spectrum ? { spectrum: r.spectrum } : {}),
    warnings: r.warnings,
    images,
  };
}

export async function analyseCommand(argv: string[], io: AnalyseIo, deps: AnalyseDeps = {}): Promise<number> {
  const err = (s: string) => io.stderr.write(`astran analyse: ${s}\n`);
  let args: Args;
  try {
    args = parseAnalyseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      err(e.message);
      io.stderr.write(USAGE + '\n');
      return 2;
    }
    throw e;
  }
  if (args.help) {
    io.stdout.write(USAGE + '\n');
    return 0;
  }
  try {
    let position: { ra: number; dec: number } | undefined;
    let sourceName: string | undefined;
    // Γ for the flux: --index, else the source list's `index`, else the engine default (2.5).
    let fluxIndex = args.index;
    if (args.source !== undefined) {
      const found = await lookUpSource(defaultSourcesPath(), args.source);
      if (!found.found) {
        const sug = found.suggestions;
        err(`unknown source "${args.source}"${sug.length ? ` (did you mean ${sug.map((x) => `"${x}"`).join(', ')}?)` : ''}; give --ra/--dec for a position not in the source list`);
        return 2;
      }
      const s = found.found;
      position = { ra: s.ra, dec: s.dec };
      sourceName = s.name;
      fluxIndex ??= s.index;
    } else if (args.ra !== undefined && args.dec !== undefined) {
      position = { ra: args.ra, dec: args.dec };
      sourceName = `RA ${args.ra.toFixed(3)} Dec ${args.dec.toFixed(3)}`;
    }
    const sel = selectObservations(args, io.cwd, position);
    for (const w of sel.warnings) err(`warning: ${w}`);
    const makeOptions = (source: { ra: number; dec: number }, name: string): AnalysisOptions => ({
      ...DEFAULT_ANALYSIS_OPTIONS,
      source,
      sourceName: name,
      theta2Cut: args['theta2-cut'] ?? DEFAULT_ANALYSIS_OPTIONS.theta2Cut,
      offRegions: args['off-regions'] ?? DEFAULT_ANALYSIS_OPTIONS.offRegions,
      useRadMax: args['rad-max'],
      ...(fluxIndex !== undefined ? { fluxIndex } : {}),
      // The flux reads every run's IRFs and fits: skipped when not asked for.
      ...(args['no-flux'] ? { flux: false } : {}),
      ...(args.emin !== undefined ? { emin: args.emin } : {}),
      ...(args.emax !== undefined ? { emax: args.emax } : {}),
    });
    const noTarget = () => {
      err('the runs have different or no target positions (OBJECT/RA_OBJ/DEC_OBJ): give --source or --ra/--dec');
      return 2;
    };
    // One run in memory at a time. Without a given source, the first run's target is used and every
    // other run must have the same OBJECT/RA_OBJ/DEC_OBJ.
    let acc = position ? new AnalysisAccumulator(makeOptions(position, sourceName!)) : undefined;
    let target: Pick<RunData, 'object' | 'raObj' | 'decObj'> | undefined;
    const seen = new Set<number>();
    const wanted = args.runs ? new Set(args.runs) : undefined;
    // The filter of a named file: run ids and nights (as for folders), and each run only once.
    const accept = (h: RunHeader) =>
      !seen.has(h.obsId) &&
      (!wanted || wanted.has(h.obsId)) &&
      (!args.date || (h.night !== null && h.night >= args.date.from && h.night <= args.date.to));
    for (const o of sel.candidates) {
      if (o.obsId !== undefined && seen.has(o.obsId)) continue;
      const run = o.obsId !== undefined ? await streamRun(o.file, { radMax: args['rad-max'] }) : await streamRun(o.file, { radMax: args['rad-max'], accept });
      if (!run) continue;
      seen.add(run.obsId);
      if (!acc) {
        if (run.raObj === null || run.decObj === null) return noTarget();
        target = { object: run.object, raObj: run.raObj, decObj: run.decObj };
        acc = new AnalysisAccumulator(makeOptions({ ra: run.raObj, dec: run.decObj }, run.object ?? 'target'));
      } else if (target && !(run.object === target.object && run.raObj === target.raObj && run.decObj === target.decObj)) {
        return noTarget();
      }
      acc.add(run, o.zenith);
    }
    if (args.runs) {
      const absent = args.runs.filter((r) => !seen.has(r));
      if (absent.length) {
        sel.warnings.push(`run(s) not found: ${absent.join(', ')}`);
        err(`warning: run(s) not found: ${absent.join(', ')}`);
      }
    }
    if (!acc || seen.size === 0) {
      err('no runs match the selection');
      return 1;
    }
    const result = acc.finish();
    result.warnings.unshift(...sel.warnings);
    const outDir = resolve(io.cwd, args.out ?? '.');
    let images: string[] = [];
    if (args.out) {
      mkdirSync(outDir, { recursive: true });
      writeFileSync(join(outDir, 'analysis.json'), JSON.stringify(resultJson(result, []), null, 1) + '\n');
    }
    if (!args['no-plots'] && deps.renderPlots) {
      try {
        images = await deps.renderPlots(result, outDir);
      } catch (e) {
        // The numbers are still worth printing; say why there are no images (plot errors are written for users).
        const why = e instanceof Error && e.name === 'PlotError' ? e.message : 'internal error';
        result.warnings.push(`plots could not be made: ${why}`);
        err(`warning: plots could not be made: ${why}`);
      }
    }
    if (args.json) io.stdout.write(JSON.stringify(resultJson(result, images)) + '\n');
    else io.stdout.write(summaryText(result, images));
    return 0;
  } catch (e) {
    if (e instanceof FitsError) {
      err(`cannot read ${e.file}: ${e.problem}`);
      return 1;
    }
    if (e instanceof Error && e.name === 'ConfigError') {
      err(`configuration error: ${e.message.replace(/\/[^\s:]+\//g, '')}`);
      return 1;
    }
    throw e;
  }
}
