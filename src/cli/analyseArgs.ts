/**
 * The strict parser of `astran analyse` arguments. Hand-written instead of a zod schema on purpose: loading zod costs
 * about 35 ms of the command's ~100 ms, and this grammar is small. Every flag has one parser in FLAGS; a value that
 * does not parse, an unknown or repeated flag, and a missing value are usage errors with a specific message.
 */
import { parseNightRange } from '../analysis/DataStore.js';

export class UsageError extends Error {}

export interface AnalyseArgs {
  paths: string[];
  source?: string;
  ra?: number;
  dec?: number;
  date?: { from: string; to: string };
  runs?: number[];
  radius?: number;
  'theta2-cut'?: number;
  'off-regions'?: number;
  emin?: number;
  emax?: number;
  /** Power-law index Γ assumed for the flux. */
  index?: number;
  out?: string;
  'rad-max': boolean;
  /** Skip the flux (IRFs and fit). */
  'no-flux': boolean;
  json: boolean;
  'no-plots': boolean;
  help: boolean;
}

type ValueFlag = Exclude<keyof AnalyseArgs, 'paths' | BoolFlag>;
type BoolFlag = 'rad-max' | 'no-flux' | 'json' | 'no-plots' | 'help';

/** A parser returns the value, or a string: the message of the problem. */
type Parse<T> = (text: string) => T | { problem: string };

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function number(flag: string, ok: (x: number) => boolean, range: string): Parse<number> {
  return (t) => {
    const s = t.trim();
    if (!NUMBER.test(s)) return { problem: `--${flag} must be a number` };
    const x = Number(s);
    return ok(x) ? x : { problem: `--${flag} ${range}` };
  };
}

/** Bounded `(lo, hi]`-style checks with the messages users see. */
function positive(flag: string, max: number, maxText: string): Parse<number> {
  return (t) => {
    const x = number(flag, () => true, '')(t);
    if (typeof x !== 'number') return x;
    if (!(x > 0)) return { problem: `--${flag} must be > 0${flag === 'emin' || flag === 'emax' ? ' TeV' : ''}` };
    if (!(x <= max)) return { problem: `--${flag} must be ≤ ${maxText}` };
    return x;
  };
}

const FLAGS: { [K in ValueFlag]-?: Parse<NonNullable<AnalyseArgs[K]>> } = {
  source: (t) => {
    const s = t.trim();
    if (s.length < 1) return { problem: '--source needs a name' };
    if (s.length > 80) return { problem: '--source is too long' };
    return s;
  },
  ra: number('ra', (x) => x >= 0 && x < 360, 'must be in [0, 360)'),
  dec: number('dec', (x) => x >= -90 && x <= 90, 'must be in [-90, 90]'),
  date: (t) => parseNightRange(t) ?? { problem: '--date must be YYYYMMDD or YYYYMMDD..YYYYMMDD (a valid date, first ≤ last)' },
  runs: (t) =>
    /^\s*\d{1,9}(\s*,\s*\d{1,9})*\s*$/.test(t)
      ? t.split(',').map((x) => Number(x.trim()))
      : { problem: '--runs must be a comma-separated list of run numbers, e.g. 23523,23526' },
  radius: positive('radius', 10, '10 deg'),
  'theta2-cut': positive('theta2-cut', 1, '1 deg²'),
  'off-regions': (t) => (/^[1-5]$/.test(t) ? Number(t) : { problem: '--off-regions must be an integer from 1 to 5' }),
  emin: positive('emin', 1000, '1000 TeV'),
  emax: positive('emax', 1000, '1000 TeV'),
  index: number('index', (x) => x >= 1 && x <= 6, 'must be between 1 and 6'),
  out: (t) => (t.length >= 1 ? t : { problem: '--out needs a folder' }),
};

const BOOL_FLAGS: readonly BoolFlag[] = ['rad-max', 'no-flux', 'json', 'no-plots', 'help'];

function isValueFlag(name: string): name is ValueFlag {
  return Object.prototype.hasOwnProperty.call(FLAGS, name);
}

/**
 * Split argv into flags (`--x v` or `--x=v`) and positional paths, parse every value, then check the rules between
 * flags. All problems are reported at once, joined by "; ".
 */
export function parseAnalyseArgs(argv: string[]): AnalyseArgs {
  const args: AnalyseArgs = { paths: [], 'rad-max': false, 'no-flux': false, json: false, 'no-plots': false, help: false };
  const seen = new Set<string>();
  const texts: [ValueFlag, string][] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      args.paths.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--')) {
      if (a === '-h') args.help = true;
      else if (a.startsWith('-') && a.length > 1) throw new UsageError(`unknown option ${a}`);
      else args.paths.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (seen.has(name) || (name === 'help' && args.help)) throw new UsageError(`--${name} given twice`);
    seen.add(name);
    if ((BOOL_FLAGS as readonly string[]).includes(name)) {
      if (eq > 0) throw new UsageError(`--${name} takes no value`);
      args[name as BoolFlag] = true;
    } else if (isValueFlag(name)) {
      const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined || (eq < 0 && v.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
      texts.push([name, v]);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  if (args.help) return { paths: [], 'rad-max': false, 'no-flux': false, json: false, 'no-plots': false, help: true };
  const problems: string[] = [];
  if (args.paths.length === 0) problems.push('give at least one DL3 directory or file');
  if (args.paths.some((p) => p.length === 0)) problems.push('a path is empty');
  for (const [name, text] of texts) {
    const v = (FLAGS[name] as Parse<unknown>)(text);
    if (v !== null && typeof v === 'object' && 'problem' in v) problems.push((v as { problem: string }).problem);
    else (args as unknown as Record<string, unknown>)[name] = v;
  }
  if (problems.length === 0) {
    if ((args.ra === undefined) !== (args.dec === undefined)) problems.push('--ra and --dec go together');
    if (args.source !== undefined && args.ra !== undefined) problems.push('give either --source or --ra/--dec, not both');
    if (args.emin !== undefined && args.emax !== undefined && !(args.emin < args.emax)) problems.push('--emin must be below --emax');
  }
  if (problems.length) throw new UsageError(problems.join('; '));
  return args;
}
