/**
 * Launch → "done" of a whole job on the REAL test cluster (scripts/services/slurm.sh up), against what the cluster
 * needed: 4 runs, the LST profile's 3 stages (dl1_to_dl2, dl2_to_dl3 per run; dl3_index per night) with the stand-in
 * tools, every task made to take `--task-s` (2 s), for each `bot.poll_interval_s` and both `pipeline.submission`
 * modes, `--repeat` times each, interleaved with the baseline.
 *
 * - launch→done: from the `launch` message to the job's final state (its summary delivered), in the bot's process.
 * - by hand (the baseline, run before each group): the same chain without ASTRAN, 3 arrays submitted with sbatch on
 *   this machine (aftercorr, afterok), tasks that only sleep; from just before the first sbatch to the last task's
 *   end. Slurm's own cadence is in it too: its scheduler starts queued work about once a second (slurmctld's
 *   background loop), so every wave of tasks on this 2-CPU node (5 waves: 4 + 4 + 1 tasks) starts up to 1 s after
 *   the previous one ended, and its 30 s backfill pass sometimes starts a wave early, in either.
 *   launch→done − by hand is what ASTRAN adds; the goal (≤ 3 s per job) is read against it.
 * - critical path: from sacct's Start/End of the job's tasks: starting at the task that ended last, step back to the
 *   task that ended last before it started (its parent, or the task whose CPU it waited for on this 2-CPU node) and
 *   sum the durations of the tasks on that path. sacct has 1 s resolution, so each task is ±1 s.
 *   launch→done − critical path includes Slurm's gaps between the waves (the baseline has them too).
 * - Where the time goes (per run): launch → first task start, the gaps between the tasks of the critical path,
 *   the last task's end as the bot heard it (its events file) → done (poll confirming, outputs checked, analysis
 *   result adopted or computed, provenance, summary delivered).
 *
 *   node --import tsx bench/pipeline-latency.ts [--polls 1,10,30] [--repeat 3] [--task-s 2] [--modes stage_by_stage,chain] [--trace]
 *
 * `--trace` prints every job event and backend call of each run with its time since the launch.
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureCluster } from '../test/helpers/slurmCluster.js';
import { World, latestJob, waitFinal, waitUntil } from '../test/helpers/slurmBot.js';

const { values } = parseArgs({
  options: {
    polls: { type: 'string', default: '1,10,30' },
    repeat: { type: 'string', default: '3' },
    'task-s': { type: 'string', default: '2' },
    modes: { type: 'string', default: 'stage_by_stage,chain' },
    trace: { type: 'boolean', default: false },
  },
});
const POLLS = values.polls.split(',').map(Number);
const REPEAT = Number(values.repeat);
const TASK_MS = Math.round(Number(values['task-s']) * 1000);
const MODES = values.modes.split(',') as ('chain' | 'stage_by_stage')[];

interface Task {
  name: string;
  start: number;
  end: number;
}
interface Run {
  mode: string;
  poll: number;
  launchToDone: number;
  critical: number;
  head: number;
  gaps: number;
  tail: number;
  pathLen: number;
  load: number;
  /** launch → first sbatch recorded (the bot's own start). */
  toSubmit: number;
  /** the bot heard of the last task's end (events file) → it recorded the last stage done (poll, outputs checked). */
  noticed: number;
  /** launch → the bot heard of the last task's end. */
  heard: number;
  /** last stage done → final message recorded (fetch, analysis, plots, provenance). */
  analysis: number;
  path: string;
}

/** Array tasks as accounting records them, those whose (job id, name) `mine` accepts; waits until 9 have an end. */
function tasksWhere(mine: (id: string, name: string) => boolean, what: string): Task[] {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const out = execFileSync('sacct', ['-n', '-P', '-X', '-a', '-S', 'now-2hours', '-o', 'JobID,JobName%80,Start,End,State'], { encoding: 'utf8' });
    const rows = out
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('|'))
      .filter(([id, name]) => mine(id ?? '', name ?? ''));
    const tasks = rows.map(([id, name, start, end]) => ({ name: `${name!.replace(/^.*_E-\d+-/, '')}[${id!.split('_')[1] ?? 0}]`, start: Date.parse(start!), end: Date.parse(end!) }));
    // 4 + 4 + 1 tasks at least (more when a task was retried), every one with a start and an end.
    if (tasks.length >= 9 && tasks.every((t) => Number.isFinite(t.start) && Number.isFinite(t.end))) return tasks;
    if (Date.now() > deadline) throw new Error(`sacct has not caught up for ${what}: ${JSON.stringify(rows)}`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
  }
}

/** The job's array tasks (named after its cluster key). */
function tasksOf(jobId: string): Task[] {
  return tasksWhere((id, name) => new RegExp(`_${jobId}-`).test(name) && /_\d+$/.test(id), jobId);
}

/** The critical path through the schedule that happened: back from the last task to the one it waited for. */
function criticalPath(tasks: Task[]): Task[] {
  const path: Task[] = [];
  let cur: Task | undefined = [...tasks].sort((a, b) => b.end - a.end)[0];
  while (cur) {
    path.unshift(cur);
    const c: Task = cur;
    cur = tasks.filter((t) => t !== c && t.end <= c.start).sort((a, b) => b.end - a.end)[0];
  }
  return path;
}

async function once(mode: 'chain' | 'stage_by_stage', poll: number, seq: number): Promise<Run> {
  const cluster = ensureCluster();
  const runs = [23523, 23526, 23559, 23592].map((hess, i) => ({ night: '20231207', runId: 2000 + seq * 10 + i, catalogName: 'Crab', hess }));
  const w = new World({ cluster, runs, submission: mode, pollIntervalS: poll, setupExtra: [`export ASTRAN_STANDIN_SLEEP_MS=${TASK_MS}`] });
  const { bot, chat } = await w.bot();
  const marks: [number, string][] = [];
  if (values.trace) {
    const b = bot.backend as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    for (const m of ['poll', 'exists', 'stat', 'readText', 'list', 'findSubmitted', 'fetch', 'probeOutputs', 'submit']) {
      const f = b[m]!.bind(b);
      b[m] = async (...a: unknown[]) => {
        const s0 = Date.now();
        try {
          return await f(...a);
        } finally {
          marks.push([s0, `${m} ${Date.now() - s0} ms`]);
        }
      };
    }
  }
  // When the bot heard of each task's end (its events file, followed over SSH): the last one is the job's last task.
  let lastEvent = 0;
  bot.backend.onTaskEvent?.((e) => {
    lastEvent = Date.now();
    if (values.trace) marks.push([lastEvent, `event ${e.ref}[${e.index}] rc ${e.exitCode}`]);
  });
  try {
    const t0 = Date.now();
    await chat.say('launch source=Crab date=20231207');
    const job = await waitUntil('the job', () => latestJob(bot), 10_000, 5);
    const final = await waitFinal(bot, job.id, 600_000);
    const t1 = Date.now();
    if (final.state !== 'done') throw new Error(`${mode} poll ${poll}: job ${final.state}: ${chat.text(final.thread!.key)}`);
    const tasks = tasksOf(job.id);
    const path = criticalPath(tasks);
    const critical = path.reduce((a, t) => a + (t.end - t.start), 0);
    const gaps = path.slice(1).reduce((a, t, i) => a + (t.start - path[i]!.end), 0);
    const ev = bot.store.events(job.id, 1000);
    if (values.trace) {
      const lines: [number, string][] = [...ev.map((e): [number, string] => [Date.parse(e.at), `${e.kind} ${e.message.slice(0, 80)}`]), ...marks];
      for (const [at, what] of lines.sort((a, b) => a[0] - b[0])) console.log(`    ${((at - t0) / 1000).toFixed(3).padStart(7)} ${what}`);
    }
    const at = (kind: string, last = false) => {
      const xs = ev.filter((e) => e.kind === kind).map((e) => Date.parse(e.at));
      return last ? Math.max(...xs) : Math.min(...xs);
    };
    return {
      toSubmit: at('submitted') - t0,
      // No event heard (the follower was down): the poll alone noticed the end, and these two say so as NaN.
      noticed: lastEvent ? at('stage_done', true) - lastEvent : NaN,
      heard: lastEvent ? lastEvent - t0 : NaN,
      analysis: at('done_recorded') - at('stage_done', true),
      path: path.map((t) => `${t.name} ${(t.start - t0) / 1000}→${(t.end - t0) / 1000}`).join(', '),
      mode,
      poll,
      launchToDone: t1 - t0,
      critical,
      head: path[0]!.start - t0,
      gaps,
      tail: t1 - path.at(-1)!.end,
      pathLen: path.length,
      load: loadavg()[0]!,
    };
  } finally {
    await bot.stop();
    w.cleanup();
  }
}

const s = (ms: number) => (ms / 1000).toFixed(1);
const median = (xs: number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
};
const spread = (xs: number[]) => `${s(Math.min(...xs))} / ${s(median(xs))} / ${s(Math.max(...xs))}`;

/**
 * The baseline: the same chain without ASTRAN, submitted by hand with sbatch on this machine: 4 tasks, 4 tasks each
 * waiting for its own run's task (aftercorr), 1 task waiting for the whole second array (afterok), every task a Node
 * process that sleeps `--task-s` (as the stand-ins do). Measured from just before the first sbatch to the end of the
 * last task (its own clock, written to a file). Whatever Slurm itself takes (its scheduler runs queued work about once
 * a second, so each wave of tasks starts up to 1 s after the previous one ended) is in this time too.
 */
async function bareChain(): Promise<{ ms: number; critical: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'astran-bench-bare-'));
  const mark = join(dir, 'end');
  const task = `node -e 'setTimeout(() => {}, ${TASK_MS})'`;
  const sb = (args: string[]) =>
    execFileSync('sbatch', ['--parsable', '-o', '/dev/null', '-J', 'astran-bench-bare', '-c', '1', '--mem=200M', ...args], { encoding: 'utf8' }).trim().split(';')[0]!;
  try {
    const t0 = Date.now();
    const a = sb(['--array=0-3', '--wrap', task]);
    const b = sb(['--array=0-3', `--dependency=aftercorr:${a}`, '--wrap', task]);
    const c = sb([`--dependency=afterok:${b}`, '--wrap', `${task} && date +%s%3N > ${mark}.tmp && mv ${mark}.tmp ${mark}`]);
    const deadline = Date.now() + 120_000;
    while (!existsSync(mark)) {
      if (Date.now() > deadline) throw new Error('the hand-submitted chain did not finish in 120 s');
      await new Promise((r) => setTimeout(r, 5));
    }
    const ms = Number(readFileSync(mark, 'utf8').trim()) - t0;
    const ids = new Set([a, b, c]);
    const path = criticalPath(tasksWhere((id) => ids.has(id.split('_')[0]!), 'the chain by hand'));
    return { ms, critical: path.reduce((x, t) => x + (t.end - t.start), 0) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  // The bot's reconnect timers are unref'd: a stall must show as a stall, not as a silent exit of an idle process.
  const keepAlive = setInterval(() => {}, 1 << 30);
  const cpus = execFileSync('nproc', { encoding: 'utf8' }).trim();
  console.log(`pipeline latency: 4 runs, 3 stages, tasks of ${TASK_MS / 1000} s; polls ${POLLS.join(', ')} s; ${REPEAT} repeats; modes ${MODES.join(', ')}`);
  console.log(`machine: ${cpus} CPUs, load average at start ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const all: (Run & { repeat: number; bare: number })[] = [];
  let seq = Math.floor(Math.random() * 1000);
  const bare: { r: number; poll: number; ms: number; critical: number }[] = [];
  for (let r = 0; r < REPEAT; r++) {
    for (const poll of POLLS) {
      const { ms: b, critical } = await bareChain();
      bare.push({ r, poll, ms: b, critical });
      console.log(`  by hand (sbatch, no ASTRAN): submit→last task end ${s(b).padStart(5)} s, critical path ${s(critical)} s, so Slurm alone adds ${s(b - critical)} s`);
      for (const mode of MODES) {
        const run = { ...(await once(mode, poll, seq++ % 1000)), repeat: r, bare: b };
        all.push(run);
        console.log(
          `  ${mode.padEnd(14)} poll ${String(poll).padStart(2)} s: launch→done ${s(run.launchToDone).padStart(5)} s (${s(run.launchToDone - run.bare)} s more than by hand), critical path ${s(run.critical)} s (${run.pathLen} tasks), overhead ${s(run.launchToDone - run.critical)} s` +
            ` [launch→first start ${s(run.head)} (first sbatch recorded ${s(run.toSubmit)}), gaps on the path ${s(run.gaps)}, last end (sacct, whole s)→done ${s(run.tail)}; last end heard→done ${s(run.launchToDone - run.heard)} (confirmed ${s(run.noticed)}, analysis ${s(run.analysis)})] load ${run.load.toFixed(1)}`,
        );
        console.log(`      path: ${run.path}`);
      }
    }
  }
  console.log('\nmin / median / max (s)');
  console.log(`by hand (sbatch, no ASTRAN), submit→last task end: ${spread(bare.map((b) => b.ms))}; − its own critical path (Slurm alone): ${spread(bare.map((b) => b.ms - b.critical))}`);
  console.log(
    `${'mode'.padEnd(15)}${'poll'.padStart(5)}  ${'launch→done'.padEnd(18)} ${'− by hand'.padEnd(18)} ${'critical path'.padEnd(18)} ${'− critical path'.padEnd(18)} ratios (median): to by hand, to critical path  load`,
  );
  for (const poll of POLLS) {
    for (const mode of MODES) {
      const rs = all.filter((x) => x.mode === mode && x.poll === poll);
      const over = rs.map((x) => x.launchToDone - x.critical);
      const overBare = rs.map((x) => x.launchToDone - x.bare);
      const ratio = median(rs.map((x) => x.launchToDone / x.critical));
      const ratioBare = median(rs.map((x) => x.launchToDone / x.bare));
      console.log(
        `${mode.padEnd(15)}${String(poll).padStart(5)}  ${spread(rs.map((x) => x.launchToDone)).padEnd(18)} ${spread(overBare).padEnd(18)} ${spread(rs.map((x) => x.critical)).padEnd(18)} ${spread(over).padEnd(18)} ${ratioBare.toFixed(2).padStart(5)}×, ${ratio.toFixed(2)}×              ${spread(rs.map((x) => x.load * 1000))}`,
      );
    }
  }
  const chain = all.filter((x) => x.mode === 'chain');
  const worst = Math.max(...chain.map((x) => x.launchToDone - x.critical));
  const worstBare = Math.max(...chain.map((x) => x.launchToDone - x.bare));
  console.log(`\nchain: worst time added to the same chain submitted by hand ${s(worstBare)} s (goal ≤ 3 s per job)`);
  console.log(`chain: worst launch→done − sacct critical path ${s(worst)} s (includes Slurm's own scheduling gaps, which the chain by hand has too)`);
  clearInterval(keepAlive);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
