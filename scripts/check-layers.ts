// Run: node --import tsx scripts/check-layers.ts. Fails when an import runs up a layer or two files import each other (directly or in a loop).
// Layers, lowest first: a file may import its own folder and lower layers only. A sub-folder
// (src/pipeline/slurm) belongs to its top folder's layer (src/pipeline).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LAYERS: readonly (readonly string[])[] = [
  ['src/log.ts'],
  ['src/util'],
  ['src/core'],
  ['src/config', 'src/fits'],
  ['src/people'],
  ['src/analysis', 'src/store'],
  ['src/plots', 'src/pipeline'],
  ['src/orchestrator'],
  ['src/watch'],
  ['src/dispatch'],
  ['commands'],
  ['adapters'],
  ['src/bot'],
  ['src/cli'],
];
const ROOTS = ['src', 'commands', 'adapters'];

/** The layer entry a repo-relative path belongs to: its folder (or file) as listed in LAYERS. */
function unitOf(file: string): { unit: string; rank: number } | null {
  for (const [rank, units] of LAYERS.entries()) {
    for (const u of units) if (file === u || file.startsWith(u + '/')) return { unit: u, rank };
  }
  if (file.startsWith('adapters/')) return { unit: 'adapters', rank: LAYERS.findIndex((l) => l.includes('adapters')) };
  return null;
}

function walk(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const p = posix.join(dir, name);
    if (statSync(join(root, p)).isDirectory()) out.push(...walk(root, p));
    else if (/\.(ts|mts)$/.test(name)) out.push(p);
  }
  return out;
}

const IMPORT = /(?:^|[^\w.])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s*)?['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** Relative imports of one file, as repo-relative paths of .ts files. */
function importsOf(root: string, file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = (m[1] ?? m[2])!;
    out.push(posix.normalize(posix.join(posix.dirname(file), spec)).replace(/\.js$/, '.ts'));
  }
  return out;
}

/** Every upward import and every import loop under `root`, as readable lines (empty when clean). */
export function checkLayers(root: string): string[] {
  const files = ROOTS.filter((r) => { try { return statSync(join(root, r)).isDirectory(); } catch { return false; } }).flatMap((r) => walk(root, r));
  const problems: string[] = [];
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const from = unitOf(f);
    const deps = importsOf(root, f);
    graph.set(f, deps.filter((d) => files.includes(d)));
    if (!from) {
      problems.push(`${f} is in no layer: add its folder to LAYERS in scripts/check-layers.ts`);
      continue;
    }
    for (const d of deps) {
      const to = unitOf(d);
      if (!to || to.unit === from.unit) continue;
      if (to.rank > from.rank) problems.push(`${f} imports ${d}: ${from.unit} must not import ${to.unit} (a higher layer)`);
      else if (to.rank === from.rank) problems.push(`${f} imports ${d}: ${from.unit} and ${to.unit} share a layer and must not import each other`);
    }
  }
  // Import loops between files (Tarjan's strongly connected components).
  let index = 0;
  const idx = new Map<string, number>(), low = new Map<string, number>(), onStack = new Set<string>(), stack: string[] = [];
  const visit = (v: string): void => {
    idx.set(v, index); low.set(v, index); index++; stack.push(v); onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do { w = stack.pop()!; onStack.delete(w); comp.push(w); } while (w !== v);
      if (comp.length > 1) problems.push(`import loop: ${comp.sort().join(' ↔ ')}`);
    }
  };
  for (const f of files) if (!idx.has(f)) visit(f);
  return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const problems = checkLayers(process.argv[2] ? resolve(process.argv[2]) : root);
  for (const p of problems) console.error(p);
  if (problems.length) {
    console.error(`check-layers: ${problems.length} problem(s); layers, lowest first: ${LAYERS.map((l) => l.join(' + ')).join(' < ')}`);
    process.exit(1);
  }
  console.log('check-layers: every import points down a layer; no import loops');
}
