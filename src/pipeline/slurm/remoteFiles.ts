/**
 * ClusterFiles over SSH: one remote command per call, every path passed as a quoted positional argument ("$@"), never
 * spliced into the script. Outputs are line-oriented and parsed strictly; anything unexpected is an error, not "absent".
 */
import { READ_TEXT_MAX_BYTES, type FileStat } from '../ClusterBackend.js';

export const STAT_SCRIPT = 'for p in "$@"; do if s=$(stat -L -c "%s %.9Y" -- "$p" 2>/dev/null); then echo "1 $s"; else echo 0; fi; done';

export function parseStatOutput(out: string, n: number): (FileStat | null)[] | undefined {
  const lines = out.split('\n').filter((l) => l !== '');
  if (lines.length !== n) return undefined;
  const res: (FileStat | null)[] = [];
  for (const l of lines) {
    if (l === '0') {
      res.push(null);
      continue;
    }
    const m = /^1 (\d+) (\d+)(?:\.(\d+))?$/.exec(l);
    if (!m) return undefined;
    const frac = m[3] ? Number(`0.${m[3]}`) : 0;
    res.push({ size: Number(m[1]), mtimeMs: Number(m[2]) * 1000 + Math.round(frac * 1e6) / 1e3 });
  }
  return res;
}

/** `0` absent/not a file, `2 <size>` too large, `1 <base64>` the content (exact bytes). */
export const READ_SCRIPT =
  `for p in "$@"; do if test -f "$p" && test -r "$p"; then s=$(stat -L -c %s -- "$p") || { echo 0; continue; }; ` +
  `if test "$s" -gt ${READ_TEXT_MAX_BYTES}; then echo "2 $s"; else printf '1 '; base64 -w0 -- "$p" || exit 5; echo; fi; else echo 0; fi; done`;

export type ReadAnswer = { kind: 'text'; text: string } | { kind: 'absent' } | { kind: 'too_large'; bytes: number };

export function parseReadOutput(out: string, n: number): ReadAnswer[] | undefined {
  const lines = out.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length !== n) return undefined;
  const res: ReadAnswer[] = [];
  for (const l of lines) {
    if (l === '0') res.push({ kind: 'absent' });
    else if (/^2 \d+$/.test(l)) res.push({ kind: 'too_large', bytes: Number(l.slice(2)) });
    else if (/^1 [A-Za-z0-9+/]*={0,2}$/.test(l)) res.push({ kind: 'text', text: Buffer.from(l.slice(2), 'base64').toString('utf8') });
    else return undefined;
  }
  return res;
}

/** `1` then NUL-terminated names when the folder exists, `0` when it does not. */
export const LIST_SCRIPT = 'if test -d "$1"; then echo 1; find "$1" -mindepth 1 -maxdepth 1 -printf "%f\\0"; else echo 0; fi';

export function parseListOutput(out: string): string[] | null | undefined {
  if (out === '0\n') return null;
  if (!out.startsWith('1\n')) return undefined;
  const body = out.slice(2);
  if (body === '') return [];
  if (!body.endsWith('\0')) return undefined;
  return body.slice(0, -1).split('\0').sort();
}
