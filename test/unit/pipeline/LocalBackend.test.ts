/** LocalBackend: runs the stand-in tools as real child processes. */
import { describe, it, beforeEach, afterEach } from 'node:test';
import { REPO_HESS } from '../../helpers/clusterReadable.js';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { LocalBackend, DEPENDENCY_NEVER_SATISFIED } from '../../../src/pipeline/LocalBackend.js';
import type { StageStatus, StageSubmission, StageTask } from '../../../src/pipeline/ClusterBackend.js';
import { createLogger, silentLogger } from '../../../src/log.js';

const NODE = process.execPath;
const STANDINS = resolve('test/fakes/standins');
const DL1_TO_DL2 = join(STANDINS, 'standin_lstchain_dl1_to_dl2.mjs');

let dir: string;
let backend: LocalBackend;

function make(config: Record<string, unknown> = {}, env: Record<string, string> = {}, log = silentLogger, blockedGraceMs = 0): LocalBackend {
  return new LocalBackend({ config: { workdir: join(dir, 'work'), ...config }, env: { PATH: process.env.PATH ?? '', ...env }, log, blockedGraceMs });
}

/** Poll until the stage is final. The deadline only guards against a hang; nothing asserts durations. */
async function settle(b: LocalBackend, ref: string): Promise<StageStatus> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const st = (await b.poll([ref])).get(ref);
    assert.ok(st, `poll knows ${ref}`);
    if (!['pending', 'running'].includes(st.state)) return st;
    if (Date.now() > deadline) throw new Error(`stage ${ref} did not settle: ${JSON.stringify(st)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function waitUntil(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** DL1 inputs for runs, plus a models dir. */
function dl1Inputs(runs: number[]): { models: string; files: string[] } {
  const models = join(dir, 'models');
  mkdirSync(models, { recursive: true });
  const files = runs.map((r) => {
    const f = join(dir, 'DL1', `dl1_LST-1.Run${String(r).padStart(5, '0')}.h5`);
    mkdirSync(join(dir, 'DL1'), { recursive: true });
    writeFileSync(f, `dl1 of run ${r}\n`);
    return f;
  });
  return { models, files };
}

function dl2Tasks(runs: number[], outDir = join(dir, 'DL2')): StageTask[] {
  const { models, files } = dl1Inputs(runs);
  return runs.map((runId, index) => ({
    index,
    runId,
    argv: [NODE, DL1_TO_DL2, '-f', files[index], '-p', models, '-o', outDir],
    inputs: [files[index]],
    outputs: [join(outDir, `dl2_LST-1.Run${String(runId).padStart(5, '0')}.h5`)],
  }));
}

function sub(stage: string, tasks: StageTask[], extra: Partial<StageSubmission> = {}): StageSubmission {
  return { jobId: 'A-0001', stage, attempt: 1, tasks, ...extra };
}

interface TraceRec {
  tool: string;
  run: number | null;
  pid: number;
  event: 'start' | 'end';
  t: number;
}
function readTrace(file: string): TraceRec[] {
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as TraceRec);
}
/** Highest number of tasks between their start and end records at once (an end sorts before a start at the same instant). */
function maxParallel(recs: TraceRec[]): number {
  const ev = [...recs].sort((a, b) => a.t - b.t || (a.event === 'end' ? -1 : 1));
  let cur = 0;
  let max = 0;
  for (const e of ev) {
    cur += e.event === 'start' ? 1 : -1;
    max = Math.max(max, cur);
  }
  return max;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'astran-local-'));
});
afterEach(async () => {
  await backend?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('LocalBackend', () => {
  it('runs stand-in tasks, logs each to <workdir>/<job>/<stage>-a<attempt>/task-<i>.log, and reports completion', async () => {
    backend = make();
    await backend.start();
    const tasks = dl2Tasks([1807, 1808]);
    assert.deepEqual(await backend.exists([...tasks[0].outputs, tasks[0].inputs[0]]), [false, true]);
    const ref = await backend.submit(sub('dl1_to_dl2', tasks));
    assert.match(ref, /^local-[0-9a-f]+-\d+$/);
    const st = await settle(backend, ref);
    assert.equal(st.state, 'completed');
    assert.deepEqual(st.tasks.map((t) => [t.index, t.state, t.exitCode]), [[0, 'completed', 0], [1, 'completed', 0]]);
    const out = JSON.parse(readFileSync(tasks[1].outputs[0], 'utf8'));
    assert.equal(out.run_id, 1808);
    assert.deepEqual(await backend.exists(tasks.flatMap((t) => t.outputs)), [true, true]);
    const log = join(dir, 'work', 'A-0001', 'dl1_to_dl2-a1', 'task-1.log');
    assert.match(readFileSync(log, 'utf8'), /Writing DL2 file .*dl2_LST-1\.Run01808\.h5/);
    const tail = await backend.logTail(ref, 1, 1);
    assert.equal(tail.split('\n').length, 1);
    assert.match(tail, /Writing DL2 file/);
    assert.deepEqual(await backend.fetch(tasks[0].outputs, join(dir, 'fetched')), tasks[0].outputs);
    await assert.rejects(backend.fetch([join(dir, 'nope')], dir), /1 of 1 files do not exist/);
  });

  it('chains the real stage tools with dependsOn: DL1 -> DL2 -> DL3 (real H.E.S.S. files) -> index', async () => {
    const hess = REPO_HESS;
    backend = make({ concurrency: 2 }, { ASTRAN_STANDIN_DL3_SOURCE_DIR: join(hess, 'data'), ASTRAN_STANDIN_INDEX_SOURCE_DIR: hess });
    await backend.start();
    const runs = [23523, 23526];
    const dl2Dir = join(dir, 'DL2');
    const dl3Dir = join(dir, 'DL3');
    const irf = join(dir, 'irf');
    mkdirSync(irf);
    writeFileSync(join(irf, 'irf.fits.gz'), 'irf');
    const refDl2 = await backend.submit(sub('dl1_to_dl2', dl2Tasks(runs, dl2Dir)));
    const dl3Tasks: StageTask[] = runs.map((runId, index) => {
      const dl2 = join(dl2Dir, `dl2_LST-1.Run${runId}.h5`);
      return {
        index,
        runId,
        argv: [NODE, join(STANDINS, 'standin_lstchain_create_dl3_file.mjs'), '-d', dl2, '-o', dl3Dir, '-i', irf, '-f', `final_irf_Run${runId}.fits.gz`, '--source-name', 'Crab', '--source-ra', '83.633deg', '--source-dec', '22.01deg', '--gzip'],
        inputs: [dl2],
        outputs: [join(dl3Dir, `dl3_LST-1.Run${runId}.fits.gz`)],
      };
    });
    const refDl3 = await backend.submit(sub('dl2_to_dl3', dl3Tasks, { dependsOn: [refDl2] }));
    const refIdx = await backend.submit(
      sub('dl3_index', [{ index: 0, runId: 0, argv: [NODE, join(STANDINS, 'standin_lstchain_create_dl3_index_files.mjs'), '-d', dl3Dir, '-o', dl3Dir, '-p', 'dl3*.fits.gz'], inputs: [], outputs: [] }], { dependsOn: [refDl3] }),
    );
    assert.equal((await settle(backend, refIdx)).state, 'completed');
    assert.equal((await settle(backend, refDl3)).state, 'completed');
    const idx = JSON.parse(readFileSync(join(dl3Dir, 'dl3-index.json'), 'utf8'));
    assert.deepEqual(idx.files.map((f: { OBS_ID: number }) => f.OBS_ID), runs);
    assert.deepEqual(await backend.exists([join(dl3Dir, 'obs-index.fits.gz'), join(dl3Dir, 'hdu-index.fits.gz')]), [true, true]);
  });

  it('reports a failing task with its exit code and a log tail; the stage rolls up to failed', async () => {
    backend = make({}, { ASTRAN_STANDIN_FAIL_RUNS: '1808' });
    await backend.start();
    const ref = await backend.submit(sub('dl1_to_dl2', dl2Tasks([1807, 1808, 1809])));
    const st = await settle(backend, ref);
    assert.equal(st.state, 'failed');
    assert.deepEqual(st.tasks[1], { index: 1, state: 'failed', exitCode: 3, reason: 'exit code 3' });
    assert.equal(st.tasks[0].state, 'completed');
    assert.equal(st.tasks[2].state, 'completed');
    const tail = await backend.logTail(ref, 1, 3);
    assert.match(tail, /HDF5ExtError/);
    assert.ok(tail.split('\n').length <= 3);
  });

  it('fails a run once and succeeds on the resubmitted attempt (FAIL_ONCE stand-in)', async () => {
    backend = make({}, { ASTRAN_STANDIN_FAIL_ONCE_DIR: join(dir, 'once') });
    await backend.start();
    const st1 = await settle(backend, await backend.submit(sub('dl1_to_dl2', dl2Tasks([1807]))));
    assert.equal(st1.state, 'failed');
    const st2 = await settle(backend, await backend.submit(sub('dl1_to_dl2', dl2Tasks([1807]), { attempt: 2 })));
    assert.equal(st2.state, 'completed');
    assert.ok(existsSync(join(dir, 'work', 'A-0001', 'dl1_to_dl2-a1', 'task-0.log')));
    assert.ok(existsSync(join(dir, 'work', 'A-0001', 'dl1_to_dl2-a2', 'task-0.log')));
  });

  it('names the signal of a task killed from outside, and a program that cannot start', async () => {
    backend = make();
    await backend.start();
    const ref = await backend.submit(
      sub('sig', [
        { index: 0, runId: 1, argv: [NODE, '-e', "process.kill(process.pid, 'SIGKILL')"], inputs: [], outputs: [] },
        { index: 1, runId: 2, argv: [join(dir, 'no-such-program')], inputs: [], outputs: [] },
      ]),
    );
    const st = await settle(backend, ref);
    assert.equal(st.state, 'failed');
    assert.deepEqual(st.tasks[0], { index: 0, state: 'failed', reason: 'killed by signal SIGKILL' });
    assert.equal(st.tasks[1].state, 'failed');
    assert.equal(st.tasks[1].reason, 'could not start (ENOENT)');
    assert.match(await backend.logTail(ref, 1, 5), /could not start/);
  });

  it('never runs more than `concurrency` tasks at once across submissions', async () => {
    const traceFile = join(dir, 'trace.jsonl');
    // WAIT_FOR_STARTS=2: the first tasks hold until a second one started, so a backend that runs two
    // at once shows an overlap of 2 however slow the machine; a serial one would show 1.
    backend = make({ concurrency: 2 }, { ASTRAN_STANDIN_SLEEP_MS: '100', ASTRAN_STANDIN_WAIT_FOR_STARTS: '2', ASTRAN_STANDIN_TRACE_FILE: traceFile });
    await backend.start();
    const refA = await backend.submit(sub('dl1_to_dl2', dl2Tasks([1, 2, 3], join(dir, 'DL2a'))));
    const refB = await backend.submit({ ...sub('dl1_to_dl2', dl2Tasks([4, 5, 6], join(dir, 'DL2b'))), jobId: 'A-0002' });
    // While work is in flight, poll never shows more than two running.
    let seenRunning = 0;
    for (;;) {
      const m = await backend.poll([refA, refB]);
      const running = [...m.values()].flatMap((s) => s.tasks).filter((t) => t.state === 'running').length;
      seenRunning = Math.max(seenRunning, running);
      if ([...m.values()].every((s) => s.state === 'completed' || s.state === 'failed')) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(seenRunning <= 2, `poll showed ${seenRunning} running`);
    assert.equal((await backend.poll([refA])).get(refA)!.state, 'completed');
    assert.equal((await backend.poll([refB])).get(refB)!.state, 'completed');
    const recs = readTrace(traceFile);
    assert.equal(recs.length, 12);
    assert.equal(maxParallel(recs), 2);
  });

  it('honours maxParallel of a submission below the global concurrency', async () => {
    const traceFile = join(dir, 'trace.jsonl');
    backend = make({ concurrency: 4 }, { ASTRAN_STANDIN_SLEEP_MS: '150', ASTRAN_STANDIN_TRACE_FILE: traceFile });
    await backend.start();
    const st = await settle(backend, await backend.submit(sub('dl1_to_dl2', dl2Tasks([1, 2, 3]), { maxParallel: 1 })));
    assert.equal(st.state, 'completed');
    assert.equal(maxParallel(readTrace(traceFile)), 1);
  });

  it('starts a dependent stage only after its dependency completed', async () => {
    const traceFile = join(dir, 'trace.jsonl');
    backend = make({ concurrency: 4 }, { ASTRAN_STANDIN_SLEEP_MS: '200', ASTRAN_STANDIN_TRACE_FILE: traceFile });
    await backend.start();
    const refA = await backend.submit(sub('dl1_to_dl2', dl2Tasks([1, 2], join(dir, 'A'))));
    const refB = await backend.submit(sub('second', dl2Tasks([3, 4], join(dir, 'B')), { dependsOn: [refA] }));
    assert.equal((await backend.poll([refB])).get(refB)!.state, 'pending');
    assert.equal((await settle(backend, refB)).state, 'completed');
    const recs = readTrace(traceFile);
    const lastEndA = Math.max(...recs.filter((r) => r.run === 1 || r.run === 2).filter((r) => r.event === 'end').map((r) => r.t));
    const firstStartB = Math.min(...recs.filter((r) => r.run === 3 || r.run === 4).filter((r) => r.event === 'start').map((r) => r.t));
    assert.ok(firstStartB > lastEndA, 'B started before A ended');
  });

  it('cancels dependents of a failed stage with DependencyNeverSatisfied, transitively', async () => {
    backend = make({ concurrency: 2 }, { ASTRAN_STANDIN_FAIL_RUNS: '1' });
    await backend.start();
    const refA = await backend.submit(sub('dl1_to_dl2', dl2Tasks([1, 2], join(dir, 'A'))));
    const refB = await backend.submit(sub('second', dl2Tasks([3], join(dir, 'B')), { dependsOn: [refA] }));
    const refC = await backend.submit(sub('third', dl2Tasks([4], join(dir, 'C')), { dependsOn: [refB] }));
    assert.equal((await settle(backend, refA)).state, 'failed');
    for (const ref of [refB, refC]) {
      const st = await settle(backend, ref);
      assert.equal(st.state, 'cancelled');
      assert.deepEqual(st.tasks[0], { index: 0, state: 'cancelled', reason: DEPENDENCY_NEVER_SATISFIED });
    }
    assert.equal(existsSync(join(dir, 'B', 'dl2_LST-1.Run00003.h5')), false);
    await assert.rejects(backend.submit(sub('x', dl2Tasks([5]), { dependsOn: ['local-000000-99'] })), /unknown dependency/);
  });

  it('chain: per-run tasks wait for their own parent task; a failed parent is retried and its dependent re-pointed; events tell each end', async () => {
    backend = make({ concurrency: 4 }, { ASTRAN_STANDIN_FAIL_RUNS: '2' }, silentLogger, 60_000);
    await backend.start();
    const events: string[] = [];
    backend.onTaskEvent((e) => events.push(`${e.ref}[${e.index}]=${e.exitCode}`));
    const refA = await backend.submit(sub('dl1_to_dl2', dl2Tasks([1, 2], join(dir, 'A'))));
    // B's task i waits for A's task i only (run 1 goes on while run 2 fails).
    const bTasks = dl2Tasks([1, 2], join(dir, 'B')).map((t) => ({ ...t, argv: ['true'] }));
    const refB = await backend.submit(sub('second', bTasks, { taskDependsOn: [0, 1].map((i) => ({ index: i, on: [{ ref: refA, index: i }] })) }));
    await waitUntil(() => events.includes(`${refA}[1]=3`), 'the failure event of run 2');
    const mid = (await backend.poll([refB])).get(refB)!;
    await waitUntil(() => events.includes(`${refB}[0]=0`), 'run 1 of B done while run 2 failed');
    assert.equal(mid.tasks[1]!.state, 'pending', 'blocked, not cancelled, within the grace period');
    // The retry of run 2 (now succeeding) and B's task 1 pointed at it.
    const retry = await backend.submit(sub('dl1_to_dl2', dl2Tasks([2], join(dir, 'A2')).map((t) => ({ ...t, index: 1, argv: ['true'] })), { attempt: 2 }));
    assert.deepEqual(await backend.repoint([{ ref: refB, index: 1, on: [{ ref: retry, index: 1 }] }]), [true]);
    const st = await settle(backend, refB);
    assert.deepEqual(st.tasks.map((t) => t.state), ['completed', 'completed']);
    assert.deepEqual(await backend.repoint([{ ref: refB, index: 1, on: [{ ref: retry, index: 1 }] }]), [false], 'no longer pending');
    // cancelJob takes the whole chain of a job, whatever its refs.
    const refC = await backend.submit(sub('third', [{ ...bTasks[0]!, argv: ['sleep', '30'] }]));
    const refD = await backend.submit(sub('fourth', [{ ...bTasks[0]!, argv: ['true'] }], { dependsOn: [refC] }));
    assert.deepEqual((await backend.cancelJob('A-0001')).sort(), [refA, refB, retry, refC, refD].sort());
    assert.equal((await settle(backend, refD)).tasks[0]!.state, 'cancelled');
  });

  it('re-pointing a per-night task replaces its whole-array dependency, as scontrol update does', async () => {
    backend = make({ concurrency: 2 }, { ASTRAN_STANDIN_FAIL_RUNS: '2' }, silentLogger, 60_000);
    await backend.start();
    const refA = await backend.submit(sub('dl1_to_dl2', dl2Tasks([1, 2], join(dir, 'A'))));
    const refN = await backend.submit(sub('night', [{ index: 0, runId: 1, argv: ['true'], inputs: [], outputs: [] }], { dependsOn: [refA] }));
    assert.equal((await settle(backend, refA)).state, 'failed');
    assert.equal((await backend.poll([refN])).get(refN)!.tasks[0]!.state, 'pending', 'blocked by the failed array, within the grace period');
    const retry = await backend.submit(sub('dl1_to_dl2', [{ index: 0, runId: 2, argv: ['true'], inputs: [], outputs: [] }], { attempt: 2 }));
    assert.deepEqual(await backend.repoint([{ ref: refN, index: 0, on: [{ ref: retry, index: 0 }] }]), [true]);
    assert.deepEqual((await settle(backend, refN)).tasks.map((t) => t.state), ['completed'], 'ran after the retry, no longer held by the failed array');
  });

  it('cancel kills a sleeping task and the processes it forked; pending tasks are cancelled too', async () => {
    backend = make({ concurrency: 1, kill_grace_s: 2 });
    await backend.start();
    const pidFile = join(dir, 'pids.json');
    // The task forks a grandchild and both sleep; only a process-group kill stops the grandchild.
    const script =
      "const {spawn}=require('child_process');const fs=require('fs');" +
      "const g=spawn(process.execPath,['-e','setTimeout(()=>{},60000)'],{stdio:'ignore'});" +
      `fs.writeFileSync(${JSON.stringify(pidFile)}, JSON.stringify({self:process.pid,grandchild:g.pid}));` +
      "console.log('sleeping');setTimeout(()=>{},60000);";
    const ref = await backend.submit(
      sub('sleep', [
        { index: 0, runId: 1, argv: [NODE, '-e', script], inputs: [], outputs: [] },
        { index: 1, runId: 2, argv: [NODE, '-e', script], inputs: [], outputs: [] },
      ]),
    );
    await waitUntil(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').length > 0, 'the task to start');
    const pids = JSON.parse(readFileSync(pidFile, 'utf8')) as { self: number; grandchild: number };
    assert.ok(alive(pids.self) && alive(pids.grandchild));
    await backend.cancel([ref]);
    const st = (await backend.poll([ref])).get(ref)!;
    assert.equal(st.state, 'cancelled');
    assert.deepEqual(st.tasks.map((t) => [t.state, t.reason]), [['cancelled', 'cancelled'], ['cancelled', 'cancelled']]);
    await waitUntil(() => !alive(pids.self) && !alive(pids.grandchild), 'task and grandchild to die');
  });

  it('kills a task over its time limit and reports TIMEOUT', async () => {
    backend = make({ task_timeout_s: 0.3, kill_grace_s: 1 });
    await backend.start();
    const ref = await backend.submit(sub('slow', [{ index: 0, runId: 1, argv: [NODE, '-e', 'setTimeout(()=>{},60000)'], inputs: [], outputs: [] }]));
    const st = await settle(backend, ref);
    assert.equal(st.state, 'failed');
    assert.equal(st.tasks[0].reason, 'TIMEOUT');
  });

  it('never interprets argv through a shell', async () => {
    backend = make();
    await backend.start();
    const pwned = join(dir, 'pwned');
    const victim = join(dir, 'victim');
    mkdirSync(victim);
    const nasty = [`$(touch ${pwned})`, `; rm -rf ${victim}`, '`touch ' + pwned + '`', `a b "c" 'd'`, '| cat /etc/passwd', '&& exit 7', '*', '~', '$HOME'];
    const ref = await backend.submit(
      sub('echo', [
        { index: 0, runId: 1, argv: [NODE, '-e', 'console.log(JSON.stringify(process.argv.slice(1)))', ...nasty], inputs: [], outputs: [] },
        { index: 1, runId: 2, argv: [`${NODE}; touch ${pwned}`], inputs: [], outputs: [] },
      ]),
    );
    const st = await settle(backend, ref);
    assert.equal(st.tasks[0].state, 'completed');
    assert.deepEqual(JSON.parse(await backend.logTail(ref, 0, 1)), nasty);
    assert.equal(st.tasks[1].state, 'failed', 'a program name with shell syntax is just a missing file');
    assert.equal(existsSync(pwned), false);
    assert.equal(existsSync(victim), true);
  });

  it('merges the submission env over the base env and warns that setup lines are ignored', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(c, _e, cb) {
        lines.push(String(c));
        cb();
      },
    });
    backend = make({}, { BASE_ONLY: 'base', OVERRIDE: 'base' }, createLogger({ level: 'warn', destination: sink }));
    await backend.start();
    const ref = await backend.submit(
      sub(
        'env',
        [{ index: 0, runId: 1, argv: [NODE, '-e', 'console.log(JSON.stringify([process.env.BASE_ONLY, process.env.OVERRIDE, process.env.MPLBACKEND]))'], inputs: [], outputs: [] }],
        { env: { OVERRIDE: 'sub', MPLBACKEND: 'Agg' }, setup: ['source /opt/conda/etc/profile.d/conda.sh'] },
      ),
    );
    assert.equal((await settle(backend, ref)).state, 'completed');
    assert.deepEqual(JSON.parse(await backend.logTail(ref, 0, 1)), ['base', 'sub', 'Agg']);
    assert.ok(lines.some((l) => l.includes('ignores setup lines')));
  });

  it('rejects submissions whose job id or stage are not plain directory names', async () => {
    backend = make();
    await backend.start();
    const t: StageTask[] = [{ index: 0, runId: 1, argv: [NODE, '-e', ''], inputs: [], outputs: [] }];
    await assert.rejects(backend.submit({ ...sub('ok', t), jobId: '../escape' }));
    await assert.rejects(backend.submit(sub('a/b', t)));
    await assert.rejects(backend.submit(sub('ok', [])));
    await assert.rejects(backend.submit(sub('ok', [...t, { ...t[0] }])), /unique/);
    assert.equal(existsSync(join(dir, 'escape')), false);
  });

  it('leaves unknown refs out of poll; findSubmitted knows nothing; remove deletes files', async () => {
    backend = make();
    await backend.start();
    assert.equal((await backend.poll(['local-abc-1', 'local-deadbeef-1', '../../etc/passwd', 'local-../x-1'])).size, 0);
    assert.equal(await backend.findSubmitted('A-0001', 'dl1_to_dl2', 1), undefined);
    const f = join(dir, 'partial.h5');
    writeFileSync(f, 'x');
    await backend.remove([f, join(dir, 'never-existed')]);
    assert.equal(existsSync(f), false);
    await assert.rejects(backend.logTail('local-abc-1', 0, 5), /unknown task/);
  });

  it('after a restart, reports tasks of the old process from its manifest: finished ones as they ended, the rest as lost', async () => {
    const old = make({ concurrency: 2 });
    await old.start();
    const ref = await old.submit(
      sub('dl1_to_dl2', [
        { index: 0, runId: 1, argv: [NODE, '-e', "console.log('task 0 done')"], inputs: [], outputs: [] },
        { index: 1, runId: 2, argv: [NODE, '-e', 'setTimeout(()=>{},60000)'], inputs: [], outputs: [] },
        { index: 2, runId: 3, argv: [NODE, '-e', 'process.exit(4)'], inputs: [], outputs: [] },
      ]),
    );
    await waitUntil(() => existsSync(join(dir, 'work', 'A-0001', 'dl1_to_dl2-a1', 'task-2.log')), 'task 2 to start');
    let st = (await old.poll([ref])).get(ref)!;
    while (st.tasks[0].state === 'running' || st.tasks[2].state !== 'failed') {
      await new Promise((r) => setTimeout(r, 20));
      st = (await old.poll([ref])).get(ref)!;
    }
    try {
      // A second backend on the same workdir stands for the restarted bot (the old one never got to stop()).
      backend = make({ concurrency: 2 });
      await backend.start();
      const seen = (await backend.poll([ref])).get(ref)!;
      assert.equal(seen.state, 'failed');
      assert.deepEqual(seen.tasks, [
        { index: 0, state: 'completed', exitCode: 0 },
        { index: 1, state: 'failed', reason: 'lost: ASTRAN restarted before the task finished' },
        { index: 2, state: 'failed', exitCode: 4, reason: 'exit code 4' },
      ]);
      assert.equal(await backend.logTail(ref, 0, 1), 'task 0 done');
      const next = await backend.submit(sub('x', [{ index: 0, runId: 1, argv: [NODE, '-e', ''], inputs: [], outputs: [] }]));
      assert.notEqual(next.split('-')[1], ref.split('-')[1], 'refs of the new process never collide with old ones');
    } finally {
      await old.stop();
    }
  });

  it('creates mkdirs before any task runs and applies the stage time (Slurm syntax) as the task time limit', async () => {
    backend = make({ kill_grace_s: 1 });
    await backend.start();
    const out = join(dir, 'made', 'by', 'backend');
    const ref = await backend.submit(
      sub('mk', [{ index: 0, runId: 1, argv: [NODE, '-e', `require('fs').writeFileSync(${JSON.stringify(join(out, 'f'))}, 'ok')`], inputs: [], outputs: [] }], { mkdirs: [out] }),
    );
    assert.equal((await settle(backend, ref)).state, 'completed');
    assert.equal(readFileSync(join(out, 'f'), 'utf8'), 'ok');
    const slow = await backend.submit(sub('slow', [{ index: 0, runId: 1, argv: [NODE, '-e', 'setTimeout(()=>{},60000)'], inputs: [], outputs: [] }], { time: '0:1', mem: '4G' }));
    const st = await settle(backend, slow);
    assert.equal(st.tasks[0].reason, 'TIMEOUT');
    await assert.rejects(backend.submit(sub('bad', [{ index: 0, runId: 1, argv: [NODE], inputs: [], outputs: [] }], { time: '1:2:3:4' })), /invalid time limit/);
  });

  it('forgets the oldest finished submissions beyond retainFinished', async () => {
    backend = new LocalBackend({ config: { workdir: join(dir, 'work') }, env: {}, log: silentLogger, retainFinished: 2 });
    await backend.start();
    const refs: string[] = [];
    for (let i = 0; i < 4; i++) {
      const ref = await backend.submit(sub(`s${i}`, [{ index: 0, runId: i, argv: [NODE, '-e', ''], inputs: [], outputs: [] }]));
      assert.equal((await settle(backend, ref)).state, 'completed');
      refs.push(ref);
    }
    // Pruning happens on submit: after the 4th, three are finished and the oldest leaves memory. It is
    // still answered from its manifest on disk; without manifests only the three in memory remain.
    assert.deepEqual([...(await backend.poll(refs)).keys()], refs);
    rmSync(join(dir, 'work', '.refs'), { recursive: true });
    assert.deepEqual([...(await backend.poll(refs)).keys()], refs.slice(1));
  });

  it('stop() kills running tasks and refuses new submissions', async () => {
    backend = make();
    await backend.start();
    const ref = await backend.submit(sub('slow', [{ index: 0, runId: 1, argv: [NODE, '-e', 'setTimeout(()=>{},60000)'], inputs: [], outputs: [] }]));
    await backend.stop();
    assert.equal((await backend.poll([ref])).get(ref)!.state, 'cancelled');
    await assert.rejects(backend.submit(sub('again', [{ index: 0, runId: 1, argv: [NODE, '-e', ''], inputs: [], outputs: [] }])), /stopped/);
  });
});

describe('LocalBackend: atomic outputs', () => {
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'astran-local-atomic-'));
    backend = make();
  });
  afterEach(async () => {
    await backend.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a staged task that fails leaves its partial file in staging; a successful one gets its final name', async () => {
    const out = join(dir, 'DL2');
    const staging = (r: number) => join(out, `.astran-tmp-k-dl1_to_dl2-${r}`);
    const tasks = dl2Tasks([1807, 1808], 'unused').map((t) => ({ ...t, argv: t.argv.map((a) => (a === 'unused' ? staging(t.runId) : a)), outputs: [join(out, `dl2_LST-1.Run0${t.runId}.h5`)], staging: staging(t.runId) }));
    const b = make({}, { ASTRAN_STANDIN_FAIL_RUNS: '1808' });
    await b.start();
    const ref = await b.submit(sub('dl1_to_dl2', tasks, { mkdirs: [out] }));
    const st = await settle(b, ref);
    assert.deepEqual(st.tasks.map((t) => t.state), ['completed', 'failed']);
    assert.ok(existsSync(join(out, 'dl2_LST-1.Run01807.h5')));
    assert.equal(existsSync(join(out, 'dl2_LST-1.Run01808.h5')), false, 'no final name for the failed run');
    assert.equal(readFileSync(join(staging(1808), 'dl2_LST-1.Run01808.h5'), 'utf8'), 'PARTIAL');
    assert.equal(existsSync(staging(1807)), false);
    await b.stop();
  });

  it('an unstaged task that fails has what it wrote renamed to .partial', async () => {
    const b = make({}, { ASTRAN_STANDIN_FAIL_RUNS: '1809' });
    await b.start();
    const ref = await b.submit(sub('dl1_to_dl2', dl2Tasks([1809]), { mkdirs: [join(dir, 'DL2')] }));
    assert.equal((await settle(b, ref)).state, 'failed');
    assert.equal(existsSync(join(dir, 'DL2', 'dl2_LST-1.Run01809.h5')), false);
    assert.equal(readFileSync(join(dir, 'DL2', 'dl2_LST-1.Run01809.h5.partial'), 'utf8'), 'PARTIAL');
    await b.stop();
  });
});
