import type { AnalysisResult, RunResult } from '../analysis/types.js';
import { fixed } from './format.js';

export type Align = 'l' | 'r';

/** The per-run table as strings, shared by the text and the image rendering. */
export interface RunsTable {
  header: string[];
  align: Align[];
  rows: string[][];
  total: string[] | null;
}

export const RUNS_HEADER = ['Run', 'Start (UTC)', 'Live [min]', 'Zd [°]', 'Rate [Hz]', 'N_on', 'N_off', 'Excess', 'Sig [σ]'];
const ALIGN: Align[] = ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'];

/** "2023-11-15 23:10" from an ISO time; "?" when the string is not a valid time. */
export function formatStartUtc(iso: string): string {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '?';
  return new Date(t).toISOString().slice(0, 16).replace('T', ' ');
}

function runRow(r: RunResult): string[] {
  return [
    String(r.obs_id),
    formatStartUtc(r.start),
    fixed(r.livetime_s / 60, 1),
    r.zenith_deg === null ? '-' : fixed(r.zenith_deg, 1),
    fixed(r.event_rate_hz, 1),
    String(r.n_on),
    String(r.n_off),
    fixed(r.excess, 1),
    fixed(r.significance, 1),
  ];
}

export function runsTable(result: AnalysisResult): RunsTable {
  const t = result.total;
  const rows = result.runs.map(runRow);
  const total =
    rows.length === 0
      ? null
      : [
          'Total',
          `${t.n_runs} run${t.n_runs === 1 ? '' : 's'}`,
          fixed(t.livetime_s / 60, 1),
          '',
          t.livetime_s > 0 ? fixed(t.n_events / t.livetime_s, 1) : 'n/a',
          String(t.n_on),
          String(t.n_off),
          fixed(t.excess, 1),
          fixed(t.significance, 1),
        ];
  return { header: [...RUNS_HEADER], align: [...ALIGN], rows, total };
}
