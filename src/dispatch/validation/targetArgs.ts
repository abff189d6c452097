/**
 * The target of a command: a source from the list (`source=`) or a target of opportunity given by coordinates
 * (`ra=`, `dec=`, optional `name=`). Shared by every command that takes a target (launch, subscribe).
 */
import { z } from 'zod';
import type { ArgSpec } from '../CommandSpec.js';
import type { Problem } from './Problem.js';
import { code } from './Problem.js';
import { textArg } from './argSchemas.js';
import { formatDidYouMean } from '../help/didYouMean.js';
import type { SourceEntry } from '../../core/types.js';
import type { SourceLookup } from '../../core/services.js';

const DEGREES = /^([+-]?(?:\d+\.?\d*|\.\d+))\s*(?:deg|d|°)?$/i;

/** Decimal degrees, optionally suffixed `deg`/`°`, within [min, max] (or [min, max) with `maxExclusive`). */
export function degreesArg(min: number, max: number, maxExclusive = false): z.ZodType<number, string> {
  return z.string().transform((s, ctx) => {
    const m = DEGREES.exec(s.trim());
    const n = m ? Number(m[1]) : NaN;
    if (!Number.isFinite(n) || n < min || (maxExclusive ? n >= max : n > max)) {
      ctx.addIssue({ code: 'custom', message: `must be decimal degrees from ${min} to ${maxExclusive ? `below ${max}` : max} (e.g. 83.633 or 83.633deg).` });
      return z.NEVER;
    }
    return n;
  });
}

/** A target name: letters, digits, space and + - . _ only (it becomes a folder name and a tool argument). */
export function targetNameArg(): z.ZodType<string, string> {
  return textArg(40).pipe(
    z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 +\-._]*$/, 'may contain only letters, digits, spaces and + - . _ (and must start with a letter or digit).'),
  ) as unknown as z.ZodType<string, string>;
}

export const TARGET_ARGS: ArgSpec[] = [
  { name: 'ra', description: 'Target of opportunity: right ascension (J2000) in decimal degrees, 0 ≤ ra < 360. Give with dec= instead of source=.', example: '83.633', schema: degreesArg(0, 360, true) },
  { name: 'dec', description: 'Target of opportunity: declination (J2000) in decimal degrees, −90 to 90.', example: '22.0145', schema: degreesArg(-90, 90) },
  { name: 'name', description: 'Target of opportunity: a name for it (letters, digits, spaces, + - . _; default from the coordinates).', example: 'GRB_221009A', schema: targetNameArg() },
];

/** "ToO J0534+2200": an IAU-style name from the coordinates (truncated, as IAU names are). */
export function defaultTargetName(ra: number, dec: number): string {
  const h = ra / 15;
  const hh = Math.floor(h);
  const mm = Math.floor((h - hh) * 60);
  const sign = dec < 0 ? '-' : '+';
  const a = Math.abs(dec);
  const dd = Math.floor(a);
  const dm = Math.floor((a - dd) * 60);
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `ToO J${p2(hh)}${p2(mm)}${sign}${p2(dd)}${p2(dm)}`;
}

export interface ResolvedTarget {
  /** The source entry (for a ToO: name and coordinates, no aliases). */
  source: SourceEntry;
  /** True for a target of opportunity (not in the source list). */
  too: boolean;
}

/**
 * Resolve `source=` or `ra=`/`dec=`/`name=` (already parsed by checkArgs) into a target, collecting problems.
 * `given: false` means none of them was typed (the caller reports `source` as missing). Problems of the values themselves
 * (a bad number) were reported by checkArgs already and are not repeated.
 */
export function resolveTarget(
  sources: SourceLookup,
  parsed: Record<string, unknown>,
  values: Record<string, string>,
): { target?: ResolvedTarget; problems: Problem[]; given: boolean } {
  const given = ['source', 'ra', 'dec', 'name'].some((k) => k in values);
  const r = resolve(sources, parsed, values);
  return { ...r, given };
}

function resolve(sources: SourceLookup, parsed: Record<string, unknown>, values: Record<string, string>): { target?: ResolvedTarget; problems: Problem[] } {
  const problems: Problem[] = [];
  const hasRa = 'ra' in values;
  const hasDec = 'dec' in values;
  const coords = hasRa || hasDec || 'name' in values;
  if ('source' in values && coords) {
    problems.push({ message: 'Give either source= (a known source) or ra= and dec= (a target of opportunity), not both.', fix: 'Drop one of them.' });
    return { problems };
  }
  if (typeof parsed.source === 'string') {
    const source = sources.resolve(parsed.source);
    if (source) return { target: { source, too: false }, problems };
    const near = sources.suggest(parsed.source);
    problems.push({
      message: `I don't know the source ${code(parsed.source)}.`,
      fix: near.length
        ? `${formatDidYouMean(near)} (\`/astran sources\` lists all; for a target of opportunity give ra= and dec=.)`
        : '`/astran sources` lists the known sources; for a target of opportunity give ra= and dec= (and optionally name=).',
    });
    return { problems };
  }
  if (!coords) return { problems };
  if (hasRa !== hasDec) {
    problems.push({ message: `A target of opportunity needs both ra= and dec= (${hasRa ? 'dec' : 'ra'} is missing).`, fix: 'Example: `ra=83.633 dec=22.0145 name=MyTarget`.' });
    return { problems };
  }
  if (!hasRa) {
    problems.push({ message: 'name= names a target of opportunity given by ra= and dec=.', fix: 'Add ra= and dec=, or use source= for a known source.' });
    return { problems };
  }
  const ra = parsed.ra;
  const dec = parsed.dec;
  const name = typeof parsed.name === 'string' ? parsed.name : undefined;
  if (typeof ra !== 'number' || typeof dec !== 'number' || ('name' in values && name === undefined)) return { problems }; // already reported
  const finalName = name ?? defaultTargetName(ra, dec);
  const known = sources.resolve(finalName);
  if (known) {
    problems.push({
      message: `${code(finalName)} is the name of ${known.name} in the source list.`,
      fix: `Use \`source=${known.name.includes(' ') ? `"${known.name}"` : known.name}\` for it, or choose another name= for your target.`,
    });
    return { problems };
  }
  return { target: { source: { name: finalName, aliases: [], ra, dec }, too: true }, problems };
}
