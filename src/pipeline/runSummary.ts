import { z } from 'zod';
import { parseEcsvRecords, RunCatalogError } from './runCatalog.js';

/**
 * The columns ASTRAN uses of lstosa's RunSummary_YYYYMMDD.ecsv (it has more: n_subruns, ucts_timestamp, run_start, ...).
 * lstosa keeps only `run_type == DATA` for analysis; DRS4 and PEDCALIB are calibration runs, ERROR broken ones.
 */
export const RunSummaryRowSchema = z.object({
  run_id: z.coerce.number().int().positive(),
  run_type: z.string().trim().regex(/^[A-Z0-9_]{1,20}$/, 'a run type such as DATA, PEDCALIB, DRS4 or ERROR'),
});
export type RunSummaryRow = z.infer<typeof RunSummaryRowSchema>;

export function parseRunSummary(text: string, file = 'RunSummary'): RunSummaryRow[] {
  return parseEcsvRecords(text, file, ['run_id', 'run_type']).map((raw, i) => {
    const r = RunSummaryRowSchema.safeParse(raw);
    if (!r.success) throw new RunCatalogError(file, `row ${i + 1}: ${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
    return r.data;
  });
}

/** Run ids whose type is DATA. */
export function dataRunIds(rows: RunSummaryRow[]): Set<number> {
  return new Set(rows.filter((r) => r.run_type === 'DATA').map((r) => r.run_id));
}
