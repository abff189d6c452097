import { z } from 'zod';

/** One row of an LST RunCatalog_YYYYMMDD.ecsv: `run_id,source_name,source_ra,source_dec`. */
export const RunCatalogRowSchema = z.object({
  run_id: z.coerce.number().int().positive(),
  source_name: z.string().trim().min(1).max(100),
  source_ra: z.coerce.number().min(0).max(360).nullable(),
  source_dec: z.coerce.number().min(-90).max(90).nullable(),
});
export type RunCatalogRow = z.infer<typeof RunCatalogRowSchema>;

export class RunCatalogError extends Error {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'RunCatalogError';
  }
}

/** Split one CSV line (ECSV uses commas; fields may be double-quoted with "" escapes). */
function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') q = false;
      else cur += c;
    } else if (c === '"') q = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

/**
 * Strict ECSV table reader: `# %ECSV` header lines (YAML, ignored beyond the marker), a header row naming the columns,
 * then data rows with exactly as many fields. Returns each row as column → text; `required` columns must be present.
 */
export function parseEcsvRecords(text: string, file: string, required: readonly string[]): Record<string, string>[] {
  const lines = text.split(/\r?\n/);
  if (!lines[0]?.startsWith('# %ECSV')) throw new RunCatalogError(file, 'not an ECSV file (first line must start with "# %ECSV")');
  const body = lines.filter((l) => !l.startsWith('#') && l.trim() !== '');
  if (body.length === 0) throw new RunCatalogError(file, 'no header row');
  const header = splitCsv(body[0]);
  for (const col of required) if (!header.includes(col)) throw new RunCatalogError(file, `missing column ${col} (have: ${header.join(', ')})`);
  const rows: Record<string, string>[] = [];
  for (let i = 1; i < body.length; i++) {
    const cells = splitCsv(body[i]);
    if (cells.length !== header.length) throw new RunCatalogError(file, `row ${i} has ${cells.length} fields, the header has ${header.length}`);
    const rec: Record<string, string> = {};
    header.forEach((h, j) => (rec[h] = cells[j]));
    rows.push(rec);
  }
  return rows;
}

/** Reader for the run catalog. Empty values and "nan" become null for the coordinates. */
export function parseRunCatalog(text: string, file = 'RunCatalog'): RunCatalogRow[] {
  return parseEcsvRecords(text, file, ['run_id', 'source_name', 'source_ra', 'source_dec']).map((raw, i) => {
    const rec: Record<string, string | null> = { ...raw };
    for (const k of ['source_ra', 'source_dec']) if (rec[k] === '' || /^nan$/i.test(rec[k] ?? '')) rec[k] = null;
    const r = RunCatalogRowSchema.safeParse(rec);
    if (!r.success) throw new RunCatalogError(file, `row ${i + 1}: ${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
    return r.data;
  });
}
