/**
 * Launch → "done" of a whole job on the REAL test cluster (scripts/services/slurm.sh up), against the time the cluster
 * needed: 4 runs, the LST profile's 3 stages (dl1_to_dl2, dl2_to_dl3 per run; dl3_index per night) with the stand-in
 * tools, every task made to take `--task-s` (2 s), for each `bot.poll_interval_s` and both `pipeline.submission`
 * modes, `--repeat` times each, interleaved.
 *
 * - launch→done: from the `launch` message to the job's final state (its summary delivered), in the bot's process.
 * - critical path: from sacct's Start/End of the job's tasks: starting at the task that ended last, step back to the
 *   task that ended last before it started (its parent, or the task whose CPU it waited for on this 2-CPU node) and
 *   sum the durations of the tasks on that path. sacct has 1 s resolution, so each task is ±1 s.
 * - overhead = launch→done − critical path, and the ratio launch→done / critical path.
 * - Where the overhead goes (median run): launch → first task start, the gaps between the tasks of the critical path,
 *   last task end → done (the analysis, the plots and the summary are in this last part).
 *
 *   node --import tsx bench/pipeline-latency.ts [--polls 1,10,30] [--repeat 3] [--task-s 2] [--modes stage_by_stage,chain]
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { ensureCluster } from '../test/helpers/slurmCluster.js';
import { World, latestJob, waitFinal, waitUntil } from '../test/helpers/slurmBot.js';

const { values } = parseArgs({
  options: {
    polls: { type: 'string', default: '1,10,30' },
    repeat: { type: 'string', default: '3' },
    'task-s': { type: 'string', default: '2' },
    modes: { type: 'string', default: 'stage_by_stage,chain' },
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
  /** last task end → the bot recorded the last stage done (events file, poll, settle). */
  noticed: number;
  /** last stage done → final message recorded (fetch, analysis, plots, provenance). */
  analysis: number;
  path: string;
}

/** The job's array tasks as accounting records them (waits until every task has an end). */
function tasksOf(jobId: string): Task[] {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const out = execFileSync('sacct', ['-n', '-P', '-X', '-a', '-S', 'now-2hours', '-o', 'JobID,JobName%80,Start,End,State'], { encoding: 'utf8' });
    const rows = out
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('|'))
      .filter(([id, name]) => new RegExp(`_${jobId}-`).test(name ?? '') && /_\d+$/.test(id ?? ''));
    const tasks = rows.map(([id, name, start, end]) => ({ name: `${name!.replace(/^.*_E-\d+-/, '')}[${id!.split('_')[1]}]`, start: Date.parse(start!), end: Date.parse(end!) }));
    // 4 + 4 + 1 tasks at least (more when a task was retried), every one with a start and an end.
    if (tasks.length >= 9 && tasks.every((t) => Number.isFinite(t.start) && Number.isFinite(t.end))) return tasks;
    if (Date.now() > deadline) throw new Error(`sacct has not caught up for ${jobId}: ${JSON.stringify(rows)}`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
  }
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
    const at = (kind: string, last = false) => {
      const xs = ev.filter((e) => e.kind === kind).map((e) => Date.parse(e.at));
      return last ? Math.max(...xs) : Math.min(...xs);
    };
    return {
      toSubmit: at('submitted') - t0,
      noticed: at('stage_done', true) - path.at(-1)!.end,
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

async function main(): Promise<void> {
  // The bot's reconnect timers are unref'd: a stall must show as a stall, not as a silent exit of an idle process.
  const keepAlive = setInterval(() => {}, 1 << 30);
  const cpus = execFileSync('nproc', { encoding: 'utf8' }).trim();
  console.log(`pipeline latency: 4 runs, 3 stages, tasks of ${TASK_MS / 1000} s; polls ${POLLS.join(', ')} s; ${REPEAT} repeats; modes ${MODES.join(', ')}`);
  console.log(`machine: ${cpus} CPUs, load average at start ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const all: Run[] = [];
  let seq = Math.floor(Math.random() * 1000);
  for (let r = 0; r < REPEAT; r++) {
    for (const poll of POLLS) {
      for (const mode of MODES) {
        const run = await once(mode, poll, seq++ % 1000);
        all.push(run);
        console.log(
          `  ${mode.padEnd(14)} poll ${String(poll).padStart(2)} s: launch→done ${s(run.launchToDone).padStart(5)} s, critical path ${s(run.critical)} s (${run.pathLen} tasks), overhead ${s(run.launchToDone - run.critical)} s` +
            ` [launch→first start ${s(run.head)} (first sbatch recorded ${s(run.toSubmit)}), gaps on the path ${s(run.gaps)}, last end→done ${s(run.tail)} (noticed ${s(run.noticed)}, analysis ${s(run.analysis)})] load ${run.load.toFixed(1)}`,
        );
        console.log(`      path: ${run.path}`);
      }
    }
  }
  console.log('\nmin / median / max (s)');
  console.log(`${'mode'.padEnd(15)}${'poll'.padStart(5)}  ${'launch→done'.padEnd(18)} ${'critical path'.padEnd(18)} ${'overhead'.padEnd(18)} ratio (median)  load`);
  for (const poll of POLLS) {
    for (const mode of MODES) {
      const rs = all.filter((x) => x.mode === mode && x.poll === poll);
      const over = rs.map((x) => x.launchToDone - x.critical);
      const ratio = median(rs.map((x) => x.launchToDone / x.critical));
      console.log(
        `${mode.padEnd(15)}${String(poll).padStart(5)}  ${spread(rs.map((x) => x.launchToDone)).padEnd(18)} ${spread(rs.map((x) => x.critical)).padEnd(18)} ${spread(over).padEnd(18)} ${ratio.toFixed(2).padStart(5)}×        ${spread(rs.map((x) => x.load * 1000))}`,
      );
    }
  }
  const worst = Math.max(...all.filter((x) => x.mode === 'chain').map((x) => x.launchToDone - x.critical));
  console.log(`\nchain: worst overhead ${s(worst)} s (goal ≤ 3 s per job)`);
  clearInterval(keepAlive);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
