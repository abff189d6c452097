import type { PipelineSections } from './config.js';
import { renderTemplate } from '../config/template.js';
import type { ClusterFiles, FileStat } from './ClusterBackend.js';
import type { NeededWork } from './PipelinePlan.js';

/** Where each run's inputs stand. */
export interface InputStatus {
  ready: number[];
  /** Present but not complete yet (growing, or the night flag absent). */
  writing: number[];
  missing: number[];
}

/** Tolerated clock difference between the bot and the cluster when an old mtime alone proves a file is finished. */
const CLOCK_SKEW_MS = 60_000;

/**
 * pipeline.dl1_complete: a run's DL1 counts only when complete, by lstosa's night flag or by file stability (size and
 * mtime unchanged across checks at least `stable_for_s` apart; a file whose mtime is already that old, by more than the
 * clock-skew margin, is stable at once). One stat round trip per assessment, for inputs and flags together.
 * Observations are kept between calls, so create one per job and call it at every check.
 */
export class InputReadiness {
  private readonly seen = new Map<string, { size: number; mtimeMs: number; since: number }>();

  constructor(
    private readonly config: Pick<PipelineSections, 'pipeline' | 'vars'>,
    private readonly base: string,
    private readonly files: Pick<ClusterFiles, 'stat'>,
    private readonly now: () => number,
  ) {}

  get rule(): { nightFlag: boolean; stableForS: number } {
    const c = this.config.pipeline.dl1_complete;
    return { nightFlag: c.night_flag !== undefined, stableForS: c.stable_for_s };
  }

  private flagOf(night: string): string | undefined {
    const t = this.config.pipeline.dl1_complete.night_flag;
    return t ? renderTemplate(t, { ...this.config.vars, base: this.base, night }, 'pipeline.dl1_complete.night_flag') : undefined;
  }

  /** True when the file has not changed for stable_for_s (observed), or its mtime is already that old. */
  private stable(path: string, st: FileStat, stableMs: number): boolean {
    const t = this.now();
    const prev = this.seen.get(path);
    if (!prev || prev.size !== st.size || prev.mtimeMs !== st.mtimeMs) {
      this.seen.set(path, { size: st.size, mtimeMs: st.mtimeMs, since: t });
      return t - st.mtimeMs >= stableMs + CLOCK_SKEW_MS;
    }
    return t - prev.since >= stableMs || t - st.mtimeMs >= stableMs + CLOCK_SKEW_MS;
  }

  async assess(work: Pick<NeededWork, 'inputsOf'>): Promise<InputStatus> {
    const out: InputStatus = { ready: [], writing: [], missing: [] };
    const { nightFlag, stableForS } = this.rule;
    const runs = [...work.inputsOf].sort((a, b) => a[0] - b[0]);
    const flags = nightFlag ? [...new Set(runs.map(([, r]) => r.night))].map((n) => [n, this.flagOf(n)!] as const) : [];
    const paths = [...new Set(runs.flatMap(([, r]) => r.inputs))];
    const stats = await this.files.stat([...paths, ...flags.map(([, f]) => f)]);
    const statOf = new Map(paths.map((p, i) => [p, stats[i]]));
    const nightDone = new Map(flags.map(([n], i) => [n, stats[paths.length + i] !== null]));
    for (const [runId, r] of runs) {
      const st = r.inputs.map((p) => statOf.get(p) ?? null);
      if (st.some((s) => s === null)) out.missing.push(runId);
      else if (!nightFlag && stableForS === 0) out.ready.push(runId);
      else if (nightFlag && nightDone.get(r.night)) out.ready.push(runId);
      else if (stableForS > 0 && r.inputs.map((p, i) => this.stable(p, st[i]!, stableForS * 1000)).every(Boolean)) out.ready.push(runId);
      else out.writing.push(runId);
    }
    return out;
  }
}

/** "1 of 3 runs ready, 1 still being written, 1 not there yet" for the thread. */
export function dl1WaitWords(s: InputStatus, total: number, rule: { nightFlag: boolean; stableForS: number }): string {
  const ready = total - s.missing.length - s.writing.length;
  const parts = [`${ready} of ${total} runs ready`];
  if (s.writing.length) {
    const how = rule.nightFlag ? "the night's production is not finished" : `not yet unchanged for ${rule.stableForS} s`;
    parts.push(`${s.writing.length} still being written (${how}: run${s.writing.length > 1 ? 's' : ''} ${s.writing.slice(0, 10).join(', ')})`);
  }
  if (s.missing.length) parts.push(`${s.missing.length} not there yet (run${s.missing.length > 1 ? 's' : ''} ${s.missing.slice(0, 10).join(', ')})`);
  return parts.join(', ');
}
