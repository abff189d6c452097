import type { DecLinePicker as Port, RunDecLine, RunInfo } from '../core/services.js';
import type { ClusterFiles } from './ClusterBackend.js';
import type { Logger } from '../log.js';
import { UserFacingError } from '../core/errors.js';
import { chooseDecLine, decLines, fmtDec, type DecLine } from './decLine.js';

export interface DecLinePickerOptions {
  /** Folders holding one `dec_*` folder per line (RF models, IRFs), rendered; a line counts only if ALL have it. */
  roots: string[];
  maxDistanceDeg: number;
  latitudeDeg: number;
  files: Pick<ClusterFiles, 'list'>;
  log: Logger;
  /** How long a listing is reused (the model and IRF productions change rarely). */
  cacheMs?: number;
  now?: () => number;
}

/** Lists the available lines through the cluster backend and picks each run's line (see decLine.ts). */
export class ClusterDecLinePicker implements Port {
  private cached: { at: number; lines: DecLine[] } | undefined;

  constructor(private readonly o: DecLinePickerOptions) {}

  /** Lines present under every root (models without IRFs, or the reverse, are of no use). */
  async available(): Promise<DecLine[]> {
    const now = (this.o.now ?? Date.now)();
    if (this.cached && now - this.cached.at < (this.o.cacheMs ?? 600_000)) return this.cached.lines;
    let listings: (string[] | null)[];
    try {
      listings = await Promise.all(this.o.roots.map((r) => this.o.files.list(r)));
    } catch (err) {
      this.o.log.error({ err }, 'cannot list the model/IRF declination lines on the cluster');
      throw new UserFacingError('I cannot list the RF model and IRF declination lines on the cluster right now.', 'Try again in a few minutes.');
    }
    listings.forEach((l, i) => {
      if (l === null) this.o.log.error({ root: this.o.roots[i] }, 'dec_lines root does not exist on the cluster');
    });
    const sets = listings.map((l) => new Set(l ?? []));
    const names = [...sets[0] ?? []].filter((n) => sets.every((s) => s.has(n)));
    const lines = decLines(names);
    this.cached = { at: now, lines };
    return lines;
  }

  async pick(runs: RunInfo[]): Promise<{ ok: true; lines: Record<string, RunDecLine> } | { ok: false; problems: { message: string; fix?: string }[] }> {
    const available = await this.available();
    const lines: Record<string, RunDecLine> = {};
    const noPointing: number[] = [];
    const tooFar: { run: number; pointing: number; nearest?: string; distance?: number }[] = [];
    for (const r of runs) {
      if (r.pointingDec === undefined) {
        noPointing.push(r.runId);
        continue;
      }
      const c = chooseDecLine(r.pointingDec, available, { latitudeDeg: this.o.latitudeDeg, maxDistanceDeg: this.o.maxDistanceDeg });
      if (c.ok) lines[String(r.runId)] = { line: c.line.name, dec: c.line.dec, pointingDec: r.pointingDec };
      else tooFar.push({ run: r.runId, pointing: r.pointingDec, nearest: c.reason === 'too_far' ? c.nearest.name : undefined, distance: c.reason === 'too_far' ? c.distanceDeg : undefined });
    }
    const problems: { message: string; fix?: string }[] = [];
    if (available.length === 0)
      problems.push({ message: 'No RF model / IRF declination lines are available on the cluster.', fix: 'An ASTRAN admin must check `dec_lines.roots` in the configuration.' });
    else if (tooFar.length) {
      const f = tooFar[0];
      const runsText = tooFar.map((t) => t.run).slice(0, 10).join(', ');
      problems.push({
        message:
          `No RF models and IRFs within ${this.o.maxDistanceDeg}° of the pointing of run${tooFar.length > 1 ? 's' : ''} ${runsText} ` +
          `(pointing declination ${fmtDec(f.pointing)}${f.nearest ? `; the nearest usable line is ${f.nearest}, ${f.distance!.toFixed(1)}° away` : ''}).`,
        fix: `Available lines: ${available.map((l) => `${l.name} (${fmtDec(l.dec)})`).join(', ')}. Exclude ${tooFar.length > 1 ? 'these runs' : 'this run'} with \`runs=\`, or ask for models at this declination.`,
      });
    }
    if (noPointing.length)
      problems.push({
        message: `The run catalogue gives no pointing declination for run${noPointing.length > 1 ? 's' : ''} ${noPointing.slice(0, 10).join(', ')}, so I cannot choose their RF models and IRFs.`,
        fix: 'Exclude them with `runs=`, or ask the data managers to complete the RunCatalog.',
      });
    return problems.length ? { ok: false, problems } : { ok: true, lines };
  }
}
