import type { AnalysisResult } from '../analysis/types.js';

/** Livetime for humans: minutes below 1 h, else hours. */
export function formatLivetime(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'n/a';
  return seconds < 3600 ? `${(seconds / 60).toFixed(1)} min` : `${(seconds / 3600).toFixed(2)} h`;
}

/** Fixed decimals, or "n/a" for NaN/Infinity (degenerate fits must not print "NaN"). */
export function fixed(x: number | null | undefined, digits: number): string {
  return x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits);
}

/** Significance with its unit, e.g. "12.3 σ". */
export function sigma(x: number): string {
  return Number.isFinite(x) ? `${x.toFixed(1)} σ` : 'n/a';
}

/** "night 20231115", "nights 20231115, 20231116" or "nights 20231115–20231120 (4)"; empty without runs. */
export function nightsLabel(result: AnalysisResult): string {
  const nights = [...new Set(result.runs.map((r) => r.night))].sort();
  if (nights.length === 0) return '';
  if (nights.length === 1) return `night ${nights[0]}`;
  if (nights.length <= 3) return `nights ${nights.join(', ')}`;
  return `nights ${nights[0]}–${nights[nights.length - 1]} (${nights.length})`;
}

/** Plot title "<source> — <what>, <nights>". */
export function plotTitle(result: AnalysisResult, what: string): string {
  const n = nightsLabel(result);
  return `${result.source.name} — ${what}${n ? `, ${n}` : ''}`;
}
