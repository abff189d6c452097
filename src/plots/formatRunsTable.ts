import type { AnalysisResult } from '../analysis/types.js';
import { runsTable, type Align } from './runsTableModel.js';

const GAP = '  ';

function pad(s: string, w: number, a: Align): string {
  return a === 'r' ? s.padStart(w) : s.padEnd(w);
}

/** The per-run table as aligned plain text for chat messages (wrap it in a code block to keep alignment). */
export function formatRunsTable(result: AnalysisResult): string {
  const t = runsTable(result);
  if (t.rows.length === 0) return 'No runs analysed.';
  const all = [t.header, ...t.rows, ...(t.total ? [t.total] : [])];
  const widths = t.header.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((s, c) => pad(s, widths[c], t.align[c])).join(GAP).trimEnd();
  const rule = '-'.repeat(widths.reduce((a, b) => a + b, 0) + GAP.length * (widths.length - 1));
  const out = [line(t.header), rule, ...t.rows.map(line)];
  if (t.total) out.push(rule, line(t.total));
  return out.join('\n');
}
