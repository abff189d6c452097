import type { CommandSpec } from '../src/dispatch/CommandSpec.js';
import type { LaunchParams } from '../src/core/JobStore.js';
import type { CommandContext, LaunchedBy, RunInfo } from '../src/core/services.js';
import type { SourceEntry } from '../src/config/SourceCatalog.js';
import { boolArg, intArg, numberArg, runListArg, textArg } from '../src/dispatch/validation/argSchemas.js';
import { quoteValue } from '../src/dispatch/validation/checkArgs.js';
import { parseNightRange } from '../src/dispatch/parsing/dates.js';
import { nightSpan, yesterdayNight } from '../src/util/nights.js';
import { type Problem } from '../src/dispatch/validation/Problem.js';
import { TARGET_ARGS, resolveTarget } from '../src/dispatch/validation/targetArgs.js';
import { decLineText } from '../src/pipeline/decLine.js';

export interface LaunchArgs {
  params: LaunchParams;
  runs: RunInfo[];
  /** Resolved once here; the orchestrator reuses it instead of resolving the name again. */
  source: SourceEntry;
  /** The launcher's person and the Slurm account/partition/QoS the job is charged to. */
  by: LaunchedBy;
}

const OPTIONAL_KEYS = ['theta2_cut', 'off_regions', 'emin', 'emax', 'dry_run', 'force'] as const;

export const launch: CommandSpec<LaunchArgs> = {
  name: 'launch',
  summary: 'Analyse the runs of a source in a night (or a range of nights): DL1 → DL2 → DL3 → θ², significance, skymap.',
  usage: 'launch source=NAME|ra=DEG dec=DEG [name=…] date=YYYYMMDD [runs=…] [theta2_cut=…] [off_regions=…] [emin=…] [emax=…] [dry_run=yes] [force=yes]',
  examples: ['launch source=Crab date=yesterday', 'launch source="PKS 2155-304" date=20231201..20231207 theta2_cut=0.03', 'launch source=Crab date=2023-12-07 runs=1801,1802 dry_run=yes', 'launch ra=288.76 dec=19.77 name=GRB_221009A date=20221009'],
  args: [
    {
      name: 'source',
      requiredUnless: ['ra', 'dec', 'name'],
      description: 'Source name or alias from `/astran sources` (or give ra= and dec= for a target of opportunity).',
      example: 'Crab',
      schema: textArg(),
    },
    ...TARGET_ARGS,
    {
      name: 'date',
      required: true,
      description: 'Night (named by the evening it began, UTC): YYYYMMDD, YYYY-MM-DD, `yesterday`, or a range A..B of at most 31 nights.',
      example: (now) => yesterdayNight(now),
      schema: textArg(40),
    },
    { name: 'runs', description: 'Only these runs (comma-separated run numbers).', example: '1801,1802', schema: runListArg() },
    { name: 'theta2_cut', description: 'ON-region θ² cut in deg², 0 < x ≤ 0.5 (default 0.02).', example: '0.03', schema: numberArg({ gt: 0, max: 0.5, unit: 'deg²' }) },
    { name: 'off_regions', description: 'Number of wobble OFF regions, 1–5 (default 3).', example: '3', schema: intArg(1, 5) },
    { name: 'emin', description: 'Minimum reconstructed energy in TeV.', example: '0.1', schema: numberArg({ gt: 0, max: 1000, unit: 'TeV' }) },
    { name: 'emax', description: 'Maximum reconstructed energy in TeV (above emin).', example: '10', schema: numberArg({ gt: 0, max: 1000, unit: 'TeV' }) },
    { name: 'dry_run', flag: true, description: 'Show what would run without running it (yes/no).', example: 'yes', schema: boolArg() },
    { name: 'force', flag: true, description: 'Redo products that already exist (yes/no).', example: 'yes', schema: boolArg() },
  ],
  permission: 'launcher',
  sideEffects: 'creates a job, opens its thread and submits pipeline stages to the cluster',

  // Every problem in one reply: the domain checks run on whatever parameters passed their schemas.
  checkPartial: true,

  async check(ctx, parsed, values) {
    const now = ctx.services.now();
    const problems: Problem[] = [];

    // Whose Slurm account pays: refused here, before the catalogue is even read, when there is none to charge.
    const charge = ctx.services.people.chargeFor(ctx.person);
    if (!charge.ok) return { ok: false, problems: [{ message: charge.message, fix: charge.fix }] };
    const by: LaunchedBy = { owner: ctx.person ? { person: ctx.person.id, name: ctx.person.name } : null, charge: charge.charge };

    // A known source, or a target of opportunity by its coordinates (shared with other commands taking a target).
    const resolved = resolveTarget(ctx.services.sources, parsed, values);
    problems.push(...resolved.problems);
    const source: SourceEntry | undefined = resolved.target?.source;

    let range: { from: string; to: string } | undefined;
    if (typeof parsed.date === 'string') {
      const r = parseNightRange(parsed.date, now, ctx.services.maxNights);
      if (r.ok) range = r;
      else problems.push(...r.problems);
    }

    const emin = parsed.emin as number | undefined;
    const emax = parsed.emax as number | undefined;
    if (emin !== undefined && emax !== undefined && emin >= emax) {
      problems.push({ message: `emin (${emin} TeV) must be below emax (${emax} TeV).`, fix: 'Swap them or widen the range.' });
    }

    let runs: RunInfo[] = [];
    if (source && range) {
      const found = await ctx.services.nights.runs(source, range.from, range.to);
      if (found.length === 0) problems.push(await noRunsProblem(ctx, source, range, values));
      else if (Array.isArray(parsed.runs)) {
        const wanted = parsed.runs as number[];
        const have = new Set(found.map((r) => r.runId));
        const absent = wanted.filter((id) => !have.has(id));
        if (absent.length) {
          const when = range.from === range.to ? `on ${range.from}` : `in ${range.from}..${range.to}`;
          const list = [...have].sort((a, b) => a - b);
          problems.push({
            message: `${absent.length === 1 ? 'Run' : 'Runs'} ${absent.slice(0, 10).join(', ')} ${absent.length === 1 ? 'is not a run' : 'are not runs'} of ${source.name} ${when}.`,
            fix: `Its runs ${when}: ${list.slice(0, 20).join(', ')}${list.length > 20 ? ', …' : ''}.`,
          });
        }
        runs = found.filter((r) => wanted.includes(r.runId));
      } else runs = found;
    }

    // Each run's RF models and IRFs: the Monte Carlo declination line nearest its pointing (as lstosa chooses them).
    let decLines: LaunchParams['runDecLines'];
    if (runs.length && !problems.length && ctx.services.decLines) {
      const picked = await ctx.services.decLines.pick(runs);
      if (picked.ok) decLines = picked.lines;
      else problems.push(...picked.problems);
    }

    // A missing or invalid source or date was reported by the central checks.
    if (problems.length || !source || !range) return { ok: false, problems };
    const params: LaunchParams = { source: source.name, nightFrom: range.from, nightTo: range.to };
    if (resolved.target?.too) params.target = { ra: source.ra, dec: source.dec };
    if (decLines) params.runDecLines = decLines;
    if (parsed.runs) params.runs = parsed.runs as number[];
    // Each run's own night: in a range, path templates need it.
    params.runNights = Object.fromEntries(runs.map((r) => [String(r.runId), r.night]));
    for (const k of OPTIONAL_KEYS) if (parsed[k] !== undefined) (params as unknown as Record<string, unknown>)[k] = parsed[k];
    return { ok: true, args: { params, runs, source, by } };
  },

  async run(ctx, { params, runs, source, by }) {
    const job = await ctx.services.jobs.launch(params, runs, ctx.msg, source, by);
    const nights = params.nightFrom === params.nightTo ? `night ${params.nightFrom}` : `nights ${params.nightFrom}..${params.nightTo}`;
    const ids = runs.map((r) => r.runId);
    const runText = `${ids.length} run${ids.length === 1 ? '' : 's'} (${ids.slice(0, 8).join(', ')}${ids.length > 8 ? ', …' : ''})`;
    const flags = [params.dry_run ? 'dry run' : '', params.force ? 'redoing existing products' : ''].filter(Boolean);
    const lines = decLineText(params.runDecLines);
    return {
      text: `Launched *${job.id}*: ${params.source}, ${nights}, ${runText}${lines ? ` · ${lines}` : ''}${flags.length ? ` — ${flags.join(', ')}` : ''}. Progress goes to the job's thread; \`/astran status ${job.id}\` any time.`,
    };
  },
};

/** "Crab Nebula was observed on 20231206 (3 runs) and 20231209 (2 runs)": the nearest nights with data. */
async function noRunsProblem(ctx: CommandContext, source: SourceEntry, range: { from: string; to: string }, values: Record<string, string>): Promise<Problem> {
  const when = range.from === range.to ? `on ${range.from}` : `from ${range.from} to ${range.to}`;
  const all = await ctx.services.nights.nights(source);
  if (all.length === 0) return { message: `There are no runs of ${source.name} ${when}.`, fix: `In fact no night has runs of ${source.name} yet.` };
  const dist = (n: string) => (n < range.from ? nightSpan(n, range.from) : n > range.to ? nightSpan(range.to, n) : 0);
  const near = [...all].sort((a, b) => dist(a.night) - dist(b.night) || a.night.localeCompare(b.night)).slice(0, 2);
  near.sort((a, b) => a.night.localeCompare(b.night));
  const listed = near.map((n) => `${n.night} (${n.runs} run${n.runs === 1 ? '' : 's'})`).join(' and ');
  const typed = values.source ?? source.name;
  const target = 'ra' in values ? `ra=${source.ra} dec=${source.dec}${'name' in values ? ` name=${quoteValue(source.name)}` : ''}` : `source=${quoteValue(typed.replace(/[`<>]/g, ''))}`;
  const example = `/astran launch ${target} date=${near[0].night}`;
  return { message: `There are no runs of ${source.name} ${when}.`, fix: `${source.name} was observed on ${listed}. Try: \`${example}\`` };
}

