/**
 * Flux of the 4 H.E.S.S. Crab runs (each run alone and jointly, Γ = 2.6, 1–100 TeV): ASTRAN in-process against the
 * gammapy 1.0 script doing the same (bench/flux_gammapy.py, the functions of scripts/gammapy/flux_reference.py),
 * measured in the same run, alternating. Not a test: prints times, ratios and whether the fluxes agree (≤ 1 %).
 * ASTRAN's time covers reading the 4 files (events and IRFs), building the datasets and the fits, cold (the first
 * computation in a fresh process, after the module imports; one fresh process per round) and warm (repeats there). gammapy's is given both as the whole process and as the work
 * after its imports (`compute_s`, the fair in-process comparison).
 * Run: node --import tsx bench/flux-vs-gammapy.ts [rounds=5] (on a quiet machine: other load widens the spread).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRun } from '../src/analysis/RunData.js';
import { readRunIrfs } from '../src/analysis/irf/readRunIrfs.js';
import { makeSpectrumDataset } from '../src/analysis/flux/spectrumDataset.js';
import { fitFlux } from '../src/analysis/flux/fitFlux.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FILES = [23523, 23526, 23559, 23592].map((id) => join(ROOT, `test/fixtures/hess-dl3-dr1/data/hess_dl3_dr1_obs_id_0${id}.fits.gz`));
const SOURCE = { ra: 83.63308, dec: 22.0145 };

function astranFlux(): { runs: number[]; total: number } {
  const ds = FILES.map((f) => makeSpectrumDataset(readRun(f), readRunIrfs(f), { source: SOURCE, theta2Cut: 0.02, offRegions: 3 }));
  const runs = ds.map((d) => fitFlux([d], 2.6)!.value_cm2s);
  return { runs, total: fitFlux(ds, 2.6)!.value_cm2s };
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor((a.length - 1) / 2)];

/** `--once`: one cold measurement in this fresh process, then a few warm ones; prints JSON for the parent. */
if (process.argv.includes('--once')) {
  const t0 = performance.now();
  const a = astranFlux();
  const cold = (performance.now() - t0) / 1000;
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    astranFlux();
    warm.push((performance.now() - t) / 1000);
  }
  console.log(JSON.stringify({ cold, warm: median(warm), ...a }));
  process.exit(0);
}

const ROUNDS_ARG = Number(process.argv[2] ?? 5);
const cold: number[] = [], warm: number[] = [], pyWhole: number[] = [], pyCompute: number[] = [];
let agree = true;
for (let i = 0; i < ROUNDS_ARG; i++) {
  // ASTRAN in a fresh process each round (cold = first flux computation there, after the module imports).
  const mine = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--once'], { encoding: 'utf8' }).trim().split('\n').pop()!) as { cold: number; warm: number; runs: number[]; total: number };
  cold.push(mine.cold);
  warm.push(mine.warm);
  const t1 = performance.now();
  const out = execFileSync('/usr/bin/python3', [join(ROOT, 'bench/flux_gammapy.py')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  pyWhole.push((performance.now() - t1) / 1000);
  const g = JSON.parse(out.trim().split('\n').pop()!) as { compute_s: number; runs: number[]; total: number };
  pyCompute.push(g.compute_s);
  const rel = (x: number, y: number) => Math.abs(x - y) / Math.abs(y);
  agree &&= rel(mine.total, g.total) < 0.01 && mine.runs.every((x, k) => rel(x, g.runs[k]) < 0.01);
  if (i === 0) console.log(`joint flux: astran ${mine.total.toExponential(5)}, gammapy ${g.total.toExponential(5)} cm⁻² s⁻¹`);
}
const f = (x: number) => `${(x * 1000).toFixed(0)} ms`;
console.log(`rounds: ${ROUNDS_ARG}; fluxes agree within 1 %: ${agree}`);
console.log(`astran in-process: cold median ${f(median(cold))} (best ${f(Math.min(...cold))}), warm median ${f(median(warm))}`);
console.log(`gammapy: work after imports median ${f(median(pyCompute))} (best ${f(Math.min(...pyCompute))}); whole process median ${f(median(pyWhole))}`);
console.log(`ratio gammapy work / astran (medians): ${(median(pyCompute) / median(cold)).toFixed(1)}x cold, ${(median(pyCompute) / median(warm)).toFixed(1)}x warm (goal ≥ 20x)`);
console.log(`ratio gammapy whole process / astran cold (medians): ${(median(pyWhole) / median(cold)).toFixed(1)}x`);
