/** Typo suggestions ("did you mean") from a list of known words. */

/** Optimal-string-alignment (Damerau–Levenshtein) distance, case-sensitive. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  if (m === 0) return n;
  if (n === 0) return m;
  const d: number[][] = Array.from({ length: m + 1 }, (_, i) => {
    const row = new Array<number>(n + 1).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j <= n; j++) d[0][j] = j;
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2][j - 2] + 1);
      d[i][j] = v;
    }
  }
  return d[m][n];
}

function normalise(s: string): string {
  return s.toLowerCase().replace(/[\s_\-.]+/g, '');
}

/**
 * Closest candidates to `input`, best first. A candidate qualifies when its normalised edit
 * distance is small relative to its length, or when one contains the other.
 */
export function suggest(input: string, candidates: readonly string[], max = 3): string[] {
  const q = normalise(input);
  if (!q) return [];
  const scored: { c: string; score: number }[] = [];
  for (const c of candidates) {
    const n = normalise(c);
    if (!n) continue;
    const dist = editDistance(q, n);
    const limit = Math.max(1, Math.floor(Math.max(q.length, n.length) / 3));
    let score = Infinity;
    if (dist <= limit) score = dist;
    else if (q.length >= 3 && (n.startsWith(q) || n.includes(q))) score = limit + 0.5;
    if (score < Infinity) scored.push({ c, score });
  }
  // Ties: the longer shared prefix wins ("sorce" → source before force), then alphabetical.
  const prefix = (c: string) => {
    const n = normalise(c);
    let i = 0;
    while (i < n.length && i < q.length && n[i] === q[i]) i++;
    return i;
  };
  scored.sort((x, y) => x.score - y.score || prefix(y.c) - prefix(x.c) || x.c.localeCompare(y.c));
  const seen = new Set<string>();
  const out: string[] = [];
  for (const s of scored) {
    if (seen.has(s.c)) continue;
    seen.add(s.c);
    out.push(s.c);
    if (out.length >= max) break;
  }
  return out;
}
