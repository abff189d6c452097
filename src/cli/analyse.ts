/**
 * `astran analyse <DL3 dir or files...> [options]`: run the DL3 analysis locally and print a summary or JSON.
 * Exit codes: 0 ok, 1 analysis failed (unreadable file, no runs), 2 invalid usage.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { repoRoot } from '../util/repoRoot.js';
import { z } from 'zod';
import { AnalysisAccumulator } from '../analysis/analyse.js';
import { listObservations, openDataStore, parseNightRange, storeFromFiles, type ObservationInfo } from '../analysis/DataStore.js';
import { readRun, type RunData } from '../analysis/RunData.js';
import { SourceCatalog } from '../config/SourceCatalog.js';
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
       [--off-regions N] [--emin TEV] [--emax TEV] [--rad-max] [--index GAMMA] [--out DIR] [--json] [--no-plots]`;

const VALUE_FLAGS = ['source', 'ra', 'dec', 'date', 'runs', 'radius', 'theta2-cut', 'off-regions', 'emin', 'emax', 'index', 'out'] as const;
const BOOL_FLAGS = ['rad-max', 'json', 'no-plots', 'help'] as const;

class UsageError extends Error {}

const numberText = (flag: string) =>
  z
    .string()
    .trim()
    .regex(/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/, { message: `--${flag} must be a number` })
    .transform(Number);

const ArgsSchema = z
  .object({
    paths: z.array(z.string().min(1)).min(1, { message: 'give at least one DL3 directory or file' }),
    source: z.string().trim().min(1, { message: '--source needs a name' }).max(80, { message: '--source is too long' }).optional(),
    ra: numberText('ra').pipe(z.number().min(0, { message: '--ra must be in [0, 360)' }).lt(360, { message: '--ra must be in [0, 360)' })).optional(),
    dec: numberText('dec').pipe(z.number().min(-90, { message: '--dec must be in [-90, 90]' }).max(90, { message: '--dec must be in [-90, 90]' })).optional(),
    date: z
      .string()
      .transform((s, ctx) => {
        const r = parseNightRange(s);
        if (!r) {
          ctx.addIssue({ code: 'custom', message: '--date must be YYYYMMDD or YYYYMMDD..YYYYMMDD (a valid date, first ≤ last)' });
          return z.NEVER;
        }
        return r;
      })
      .optional(),
    runs: z
      .string()
      .regex(/^\s*\d{1,9}(\s*,\s*\d{1,9})*\s*$/, { message: '--runs must be a comma-separated list of run numbers, e.g. 23523,23526' })
      .transform((s) => s.split(',').map((x) => Number(x.trim())))
      .optional(),
    radius: numberText('radius').pipe(z.number().gt(0, { message: '--radius must be > 0' }).max(10, { message: '--radius must be ≤ 10 deg' })).optional(),
    'theta2-cut': numberText('theta2-cut').pipe(z.number().gt(0, { message: '--theta2-cut must be > 0' }).max(1, { message: '--theta2-cut must be ≤ 1 deg²' })).optional(),
    'off-regions': z
      .string()
      .regex(/^[1-5]$/, { message: '--off-regions must be an integer from 1 to 5' })
      .transform(Number)
      .optional(),
    emin: numberText('emin').pipe(z.number().gt(0, { message: '--emin must be > 0 TeV' }).max(1000, { message: '--emin must be ≤ 1000 TeV' })).optional(),
    emax: numberText('emax').pipe(z.number().gt(0, { message: '--emax must be > 0 TeV' }).max(1000, { message: '--emax must be ≤ 1000 TeV' })).optional(),
    index: numberText('index').pipe(z.number().min(1, { message: '--index must be between 1 and 6' }).max(6, { message: '--index must be between 1 and 6' })).optional(),
    out: z.string().min(1).optional(),
    'rad-max': z.boolean().default(false),
    json: z.boolean().default(false),
    'no-plots': z.boolean().default(false),
    help: z.boolean().default(false),
  })
  .strict()
  .superRefine((a, ctx) => {
    if ((a.ra === undefined) !== (a.dec === undefined)) ctx.addIssue({ code: 'custom', message: '--ra and --dec go together' });
    if (a.source !== undefined && a.ra !== undefined) ctx.addIssue({ code: 'custom', message: 'give either --source or --ra/--dec, not both' });
    if (a.emin !== undefined && a.emax !== undefined && !(a.emin < a.emax)) ctx.addIssue({ code: 'custom', message: '--emin must be below --emax' });
  });

type Args = z.infer<typeof ArgsSchema>;

/** Split argv into flags (`--x v` or `--x=v`) and positional paths; unknown or repeated flags are usage errors. */
function tokenize(argv: string[]): Record<string, unknown> {
  const raw: Record<string, unknown> = { paths: [] as string[] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      (raw.paths as string[]).push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--')) {
      if (a.startsWith('-') && a.length > 1 && a !== '-h') throw new UsageError(`unknown option ${a}`);
      if (a === '-h') raw.help = true;
      else (raw.paths as string[]).push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (name in raw) throw new UsageError(`--${name} given twice`);
    if ((BOOL_FLAGS as readonly string[]).includes(name)) {
      if (eq > 0) throw new UsageError(`--${name} takes no value`);
      raw[name] = true;
    } else if ((VALUE_FLAGS as readonly string[]).includes(name)) {
      const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined || (eq < 0 && v.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
      raw[name] = v;
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return raw;
}

export function parseAnalyseArgs(argv: string[]): Args {
  const raw = tokenize(argv);
  if (raw.help) return { paths: [], help: true, 'rad-max': false, json: false, 'no-plots': false } as Args;
  const r = ArgsSchema.safeParse(raw);
  if (!r.success) throw new UsageError(r.error.issues.map((i) => i.message).join('; '));
  return r.data;
}

/** config/sources.yaml of this checkout (src/cli → repo root). */
export function defaultSourcesPath(): string {
  return resolve(repoRoot(), 'config', 'sources.yaml');
}

interface Selected {
  obs: ObservationInfo[];
  warnings: string[];
}

function selectObservations(args: Args, cwd: string, position: { ra: number; dec: number } | undefined): Selected {
  const warnings: string[] = [];
  const all: ObservationInfo[] = [];
  for (const p of args.paths) {
    const abs = resolve(cwd, p);
    if (!existsSync(abs)) throw new FitsError(basename(p), 'no such file or directory');
    if (statSync(abs).isDirectory()) {
      const store = openDataStore(abs);
      // A folder holds many targets: select by position unless run ids were named.
      const filter = { position: args.runs ? undefined : position, radiusDeg: args.radius ?? 3, runs: args.runs, nightFrom: args.date?.from, nightTo: args.date?.to };
      all.push(...listObservations(store, filter));
    } else {
      all.push(...listObservations(storeFromFiles([abs]), { runs: args.runs, nightFrom: args.date?.from, nightTo: args.date?.to }));
    }
  }
  const seen = new Set<number>();
  const obs: ObservationInfo[] = [];
  const missing: number[] = [];
  for (const o of all) {
    if (seen.has(o.obsId)) continue;
    seen.add(o.obsId);
    if (o.file === null) missing.push(o.obsId);
    else obs.push(o);
  }
  if (missing.length) {
    const shown = missing.slice(0, 10).join(', ') + (missing.length > 10 ? `, … (${missing.length} in all)` : '');
    warnings.push(`skipped ${missing.length} run(s) listed in the index whose file is absent: ${shown}`);
  }
  if (args.runs) {
    const absent = args.runs.filter((r) => !seen.has(r));
    if (absent.length) warnings.push(`run(s) not found: ${absent.join(', ')}`);
  }
  return { obs, warnings };
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
      const catalog = SourceCatalog.fromFile(defaultSourcesPath());
      const s = catalog.resolve(args.source);
      if (!s) {
        const sug = catalog.suggest(args.source);
        err(`unknown source "${args.source}"${sug.length ? ` (did you mean ${sug.map((x) => `"${x}"`).join(', ')}?)` : ''}; give --ra/--dec for a position not in the source list`);
        return 2;
      }
      position = { ra: s.ra, dec: s.dec };
      sourceName = s.name;
      fluxIndex ??= s.index;
    } else if (args.ra !== undefined && args.dec !== undefined) {
      position = { ra: args.ra, dec: args.dec };
      sourceName = `RA ${args.ra.toFixed(3)} Dec ${args.dec.toFixed(3)}`;
    }
    const sel = selectObservations(args, io.cwd, position);
    for (const w of sel.warnings) err(`warning: ${w}`);
    if (sel.obs.length === 0) {
      err('no runs match the selection');
      return 1;
    }
    const makeOptions = (source: { ra: number; dec: number }, name: string): AnalysisOptions => ({
      ...DEFAULT_ANALYSIS_OPTIONS,
      source,
      sourceName: name,
      theta2Cut: args['theta2-cut'] ?? DEFAULT_ANALYSIS_OPTIONS.theta2Cut,
      offRegions: args['off-regions'] ?? DEFAULT_ANALYSIS_OPTIONS.offRegions,
      useRadMax: args['rad-max'],
      ...(fluxIndex !== undefined ? { fluxIndex } : {}),
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
    for (const o of sel.obs) {
      const run = readRun(o.file!, { radMax: args['rad-max'] });
      if (!acc) {
        if (run.raObj === null || run.decObj === null) return noTarget();
        target = { object: run.object, raObj: run.raObj, decObj: run.decObj };
        acc = new AnalysisAccumulator(makeOptions({ ra: run.raObj, dec: run.decObj }, run.object ?? 'target'));
      } else if (target && !(run.object === target.object && run.raObj === target.raObj && run.decObj === target.decObj)) {
        return noTarget();
      }
      acc.add(run, o.zenith);
    }
    const result = acc!.finish();
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
