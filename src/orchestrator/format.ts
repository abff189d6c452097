/** "1h 02m", "4m 12s", "37s". */
export function fmtDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** "20231207" or "20231206..20231209" */
export function fmtNights(from: string, to: string): string {
  return from === to ? from : `${from}..${to}`;
}
