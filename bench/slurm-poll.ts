/**
 * Polling cost of the Slurm backend: 50 concurrent analyses x 10 array tasks, polled with ONE remote
 * command per tick (squeue + sacct merged) versus a naive poller running one `sacct` per job.
 * Uses the real test cluster when `scripts/services/slurm.sh status` says it is up (start it with
 * `up` first), else replays recorded-format output and measures parsing only.
 *
 *   node --import tsx bench/slurm-poll.ts [--analyses 50] [--tasks 10] [--ticks 5]
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { mergeStatus } from '../src/pipeline/slurm/mergeStatus.js';
import { parseSacct, SACCT_FIELDS } from '../src/pipeline/slurm/parseSacct.js';
import { parsePollOutput } from '../src/pipeline/slurm/pollCommand.js';
import { shellJoin } from '../src/pipeline/slurm/shq.js';
import type { StageSubmission } from '../src/pipeline/ClusterBackend.js';
import { SLURM_SH, ensureCluster, makeBackend } from '../test/helpers/slurmCluster.js';

const { values } = parseArgs({ options: { analyses: { type: 'string', default: '50' }, tasks: { type: 'string', default: '10' }, ticks: { type: 'string', default: '5' } } });
const A = Number(values.analyses);
const N = Number(values.tasks);
const TICKS = Number(values.ticks);

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
interface Tick { cmds: number; cpuMs: number; wallMs: number }
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
function report(name: string, ticks: Tick[]): Tick {
  const t = { cmds: mean(ticks.map((x) => x.cmds)), cpuMs: mean(ticks.map((x) => x.cpuMs)), wallMs: mean(ticks.map((x) => x.wallMs)) };
  console.log(`${name.padEnd(28)} remote commands/tick ${t.cmds.toFixed(1).padStart(5)}   bot CPU/tick ${t.cpuMs.toFixed(1).padStart(7)} ms   wall/tick ${t.wallMs.toFixed(0).padStart(6)} ms`);
  return t;
}

function clusterUp(): boolean {
  try {
    execFileSync(SLURM_SH, ['status'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function real(): Promise<void> {
  const env = ensureCluster();
  const b = makeBackend(env);
  await b.start();
  const tag = Date.now().toString(36);
  const refs: string[] = [];
  try {
    for (let a = 0; a < A; a++) {
      const sub: StageSubmission = {
        jobId: `B${tag}-${a}`,
        stage: 'dl1_to_dl2',
        attempt: 1,
        tasks: Array.from({ length: N }, (_, i) => ({ index: i, runId: 1000 + i, argv: ['sleep', '120'], inputs: [], outputs: [] })),
      };
      refs.push(await b.submit(sub));
    }
    console.log(`real cluster: ${A} analyses x ${N} tasks submitted (${refs.length} arrays)`);
    const batched: Tick[] = [];
    const naive: Tick[] = [];
    for (let t = 0; t < TICKS; t++) {
      let c0 = b.conn.execCount, u0 = process.cpuUsage(), w0 = performance.now();
      const st = await b.poll(refs);
      if (st.size !== refs.length) throw new Error('poll lost refs');
      batched.push({ cmds: b.conn.execCount - c0, cpuMs: cpuMs(process.cpuUsage(u0)), wallMs: performance.now() - w0 });

      c0 = b.conn.execCount; u0 = process.cpuUsage(); w0 = performance.now();
      // Naive: one sacct per job, sequentially awaited per job as a simple poller would.
      for (const ref of refs) {
        const r = await b.conn.exec(shellJoin(['sacct', '-n', '-P', '-X', '-j', ref, '-o', SACCT_FIELDS]));
        parseSacct(r.stdout);
      }
      naive.push({ cmds: b.conn.execCount - c0, cpuMs: cpuMs(process.cpuUsage(u0)), wallMs: performance.now() - w0 });
    }
    const x = report('batched (squeue+sacct, 1 exec)', batched);
    const y = report('naive (sacct per job)', naive);
    console.log(`ratios naive/batched: commands ${(y.cmds / x.cmds).toFixed(1)}x, bot CPU ${(y.cpuMs / x.cpuMs).toFixed(1)}x, wall ${(y.wallMs / x.wallMs).toFixed(1)}x`);
  } finally {
    await b.cancel(refs).catch(() => undefined);
    await b.stop();
  }
}

/** Without a cluster: parse a tick's worth of output in the recorded formats. */
function recorded(): void {
  const refs = Array.from({ length: A }, (_, a) => String(1000 + a));
  const q = refs.flatMap((r, a) => Array.from({ length: N }, (_, i) => `${r}_${i}|${r}|${i}|${5000 + a * N + i}|${i < 2 ? 'RUNNING' : 'PENDING'}|${i < 2 ? 'None' : 'Resources'}|astran-B-${a}-dl1_to_dl2-a1`));
  const s = refs.flatMap((r, a) => [`${r}_0|${5000 + a * N}|astran-B-${a}-dl1_to_dl2-a1|RUNNING|0:0`, `${r}_1|${5001 + a * N}|astran-B-${a}-dl1_to_dl2-a1|RUNNING|0:0`, `${r}_[2-${N - 1}]|${r}|astran-B-${a}-dl1_to_dl2-a1|PENDING|0:0`]);
  const out = `@@ASTRAN-SQUEUE\n${q.join('\n')}\n@@ASTRAN-RC 0\n@@ASTRAN-SACCT\n${s.join('\n')}\n@@ASTRAN-RC 0\n`;
  const perJob = refs.map((_, a) => s.slice(a * 3, a * 3 + 3).join('\n') + '\n');
  const batched: Tick[] = [];
  const naive: Tick[] = [];
  for (let t = 0; t < TICKS; t++) {
    let u0 = process.cpuUsage();
    const p = parsePollOutput(out);
    for (const r of refs) mergeStatus(r, { firstSeenMs: 0, finalWithoutDetailSince: new Map(), depNeverSatisfied: false }, { ...p, nowMs: 1e9, graceMs: 5000 });
    batched.push({ cmds: 1, cpuMs: cpuMs(process.cpuUsage(u0)), wallMs: 0 });
    u0 = process.cpuUsage();
    for (const o of perJob) parseSacct(o);
    naive.push({ cmds: refs.length, cpuMs: cpuMs(process.cpuUsage(u0)), wallMs: 0 });
  }
  console.log(`recorded mode (no cluster): ${A} x ${N}; parsing only, no SSH cost`);
  const x = report('batched', batched);
  const y = report('naive', naive);
  console.log(`ratio naive/batched: commands ${(y.cmds / x.cmds).toFixed(1)}x`);
}

if (clusterUp()) await real();
else recorded();
