/**
 * Choosing the Monte Carlo declination line (RF models and IRFs) for a run, the way lstosa does it
 * (cta-observatory/lstosa, src/osa/utils/utils.py: get_RF_model, convert_dec_string, culmination_angle):
 *
 * 1. line names are `dec_XXXX` (+XX.XX°) or `dec_min_XXXX` (−XX.XX°); other names (e.g. `dec_6166_high_density`) are
 *    ignored;
 * 2. take the line nearest to the run's POINTING declination (the RunCatalog's `source_dec` is the pointing);
 * 3. unless the pointing lies between the two lines nearest to the site latitude, drop lines whose culmination zenith
 *    angle |latitude − dec| is larger than the pointing's, nearest first, until one is not (an MC line must not be
 *    farther from zenith at culmination than the data);
 * 4. (ASTRAN) refuse when the chosen line is farther than `max_distance_deg` from the pointing, or none is left.
 */

/** LST-1 / CTA North, as astropy's observatory_locations["cta_north"] that lstosa uses (degrees). */
export const LST1_LATITUDE_DEG = 28.761944;

export interface DecLine {
  name: string;
  dec: number;
}

/** `dec_2276` → +22.76, `dec_min_413` → −4.13; anything else → undefined (lstosa's pattern, 3–4 digits). */
export function parseDecLine(name: string): number | undefined {
  const m = /^dec_(min_)?(\d{3,4})$/.exec(name);
  if (!m) return undefined;
  return (m[1] ? -1 : 1) * (Number(m[2]) / 100);
}

export function decLines(names: readonly string[]): DecLine[] {
  return names.flatMap((name) => {
    const dec = parseDecLine(name);
    return dec === undefined ? [] : [{ name, dec }];
  });
}

export type DecLineChoice =
  | { ok: true; line: DecLine; distanceDeg: number }
  | { ok: false; reason: 'no_lines' }
  | { ok: false; reason: 'too_far'; nearest: DecLine; distanceDeg: number };

export function chooseDecLine(pointingDec: number, available: readonly DecLine[], opts: { latitudeDeg?: number; maxDistanceDeg: number }): DecLineChoice {
  const lat = opts.latitudeDeg ?? LST1_LATITUDE_DEG;
  const culmination = (dec: number) => Math.abs(lat - dec);
  let lines = [...available];
  if (lines.length === 0) return { ok: false, reason: 'no_lines' };
  // min() keeps the first of equals: order by name so the choice does not depend on the listing order.
  lines.sort((a, b) => a.name.localeCompare(b.name));
  const nearest = (ls: DecLine[]) => ls.reduce((best, l) => (Math.abs(l.dec - pointingDec) < Math.abs(best.dec - pointingDec) ? l : best));
  let closest = nearest(lines);
  const byLatitude = [...lines].sort((a, b) => Math.abs(a.dec - lat) - Math.abs(b.dec - lat)).slice(0, 2).map((l) => l.dec).sort((a, b) => a - b);
  const betweenLatitudeLines = byLatitude.length === 2 && pointingDec >= byLatitude[0] && pointingDec <= byLatitude[1];
  if (!betweenLatitudeLines) {
    while (culmination(closest.dec) > culmination(pointingDec)) {
      lines = lines.filter((l) => l !== closest);
      if (lines.length === 0) return { ok: false, reason: 'too_far', nearest: nearest([...available]), distanceDeg: Math.abs(nearest([...available]).dec - pointingDec) };
      closest = nearest(lines);
    }
  }
  const distanceDeg = Math.abs(closest.dec - pointingDec);
  if (distanceDeg > opts.maxDistanceDeg) return { ok: false, reason: 'too_far', nearest: closest, distanceDeg };
  return { ok: true, line: closest, distanceDeg };
}

/** "+22.76°" / "−4.13°" for chat. */
export function fmtDec(dec: number): string {
  return `${dec < 0 ? '−' : '+'}${Math.abs(dec).toFixed(2)}°`;
}

/** "RF models + IRFs: dec_2276 (+22.76°)" or, when runs differ, "dec_3476 (runs 1, 2), dec_4822 (run 3)". */
export function decLineText(lines: Record<string, { line: string; dec: number }> | undefined): string {
  if (!lines || !Object.keys(lines).length) return '';
  const byLine = new Map<string, { dec: number; runs: string[] }>();
  for (const [run, l] of Object.entries(lines)) {
    const e = byLine.get(l.line) ?? { dec: l.dec, runs: [] };
    e.runs.push(run);
    byLine.set(l.line, e);
  }
  const parts = [...byLine].map(([line, e]) => (byLine.size === 1 ? `${line} (${fmtDec(e.dec)})` : `${line} (${fmtDec(e.dec)}; run${e.runs.length > 1 ? 's' : ''} ${e.runs.join(', ')})`));
  return `RF models + IRFs: ${parts.join(', ')}`;
}
