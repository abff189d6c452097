/**
 * Slurm `--time` value to seconds, so a stage's time limit means the same locally. Formats (sbatch(1)):
 * "M", "M:S", "H:M:S", "D-H", "D-H:M", "D-H:M:S". Returns undefined for "0" (Slurm: no limit);
 * throws on anything else, so a typo is not silently "no limit".
 */
export function parseSlurmTime(text: string): number | undefined {
  const s = text.trim();
  let days = 0;
  let rest = s;
  const dash = /^(\d+)-(.+)$/.exec(s);
  if (dash) {
    days = Number(dash[1]);
    rest = dash[2];
  }
  if (!/^\d+(:\d+){0,2}$/.test(rest)) throw new Error(`invalid time limit ${JSON.stringify(text)} (want M, M:S, H:M:S, D-H, D-H:M or D-H:M:S)`);
  const parts = rest.split(':').map(Number);
  let seconds: number;
  if (dash) {
    // After "D-" the fields are hours[:minutes[:seconds]].
    const [h, m = 0, sec = 0] = parts;
    seconds = ((days * 24 + h) * 60 + m) * 60 + sec;
  } else if (parts.length === 1) seconds = parts[0] * 60;
  else if (parts.length === 2) seconds = parts[0] * 60 + parts[1];
  else seconds = (parts[0] * 60 + parts[1]) * 60 + parts[2];
  return seconds === 0 ? undefined : seconds;
}
