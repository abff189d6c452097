// Shared helpers of the stand-in stage tools (FILE-LEVEL stand-ins for lstchain, which cannot be
// installed here). Plain Node, no dependencies. See README.md in this folder.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** Python-logging-like line, as lstchain prints them. */
export function logLine(level, logger, msg) {
  const d = new Date();
  const ts = d.toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');
  const line = `${ts} ${level} [${logger}] ${msg}`;
  (level === 'ERROR' || level === 'WARNING' ? process.stderr : process.stdout).write(line + '\n');
}

/**
 * Tiny argparse: `spec` maps every accepted flag (short and long) to {dest, kind: 'value'|'list'|'flag'}.
 * Unknown arguments or missing values end like argparse does: usage on stderr, exit 2.
 */
export function parseArgs(prog, argv, spec, required = []) {
  const out = {};
  const usage = (msg) => {
    process.stderr.write(`usage: ${prog} [-h] ${Object.keys(spec).filter((k) => k.startsWith('--')).join(' ')}\n${prog}: error: ${msg}\n`);
    process.exit(2);
  };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let inline;
    if (a.startsWith('--') && a.includes('=')) [a, inline] = [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)];
    const s = spec[a];
    if (!s) usage(`unrecognized arguments: ${argv.slice(i).join(' ')}`);
    if (s.kind === 'flag') {
      out[s.dest] = true;
      continue;
    }
    const vals = [];
    if (inline !== undefined) vals.push(inline);
    else {
      while (i + 1 < argv.length && !(argv[i + 1].startsWith('-') && spec[argv[i + 1].split('=')[0]])) {
        vals.push(argv[++i]);
        if (s.kind === 'value') break;
      }
    }
    if (vals.length === 0) usage(`argument ${a}: expected ${s.kind === 'list' ? 'at least one argument' : 'one argument'}`);
    out[s.dest] = s.kind === 'list' ? [...(out[s.dest] ?? []), ...vals] : vals[0];
  }
  for (const dest of required) {
    if (out[dest] === undefined) {
      const flags = Object.entries(spec).filter(([, v]) => v.dest === dest).map(([k]) => k).join('/');
      usage(`the following arguments are required: ${flags}`);
    }
  }
  return out;
}

/** Run number from an LST file name (`...Run01807...`), or undefined. */
export function runIdOf(path) {
  const m = /Run(\d{4,6})/.exec(basename(path));
  return m ? Number(m[1]) : undefined;
}

export function pad5(run) {
  return String(run).padStart(5, '0');
}

/** Print a Python-like traceback and exit with `code` (what a crashing lstchain tool looks like). */
export function crash(tool, excType, msg, code = 1) {
  process.stderr.write(
    'Traceback (most recent call last):\n' +
      `  File "/fefs/aswg/software/conda/envs/lstchain/bin/${tool}", line 8, in <module>\n` +
      '    sys.exit(main())\n' +
      `  File "/fefs/aswg/software/conda/envs/lstchain/lib/python3.11/site-packages/lstchain/scripts/${tool}.py", line 120, in main\n` +
      `${excType}: ${msg}\n`,
  );
  process.exit(code);
}

function wallMs() {
  return performance.timeOrigin + performance.now();
}

/** Append a start/end record to ASTRAN_STANDIN_TRACE_FILE (tests derive parallelism from it). */
export function trace(tool, run, event) {
  const f = process.env.ASTRAN_STANDIN_TRACE_FILE;
  if (!f) return;
  appendFileSync(f, JSON.stringify({ tool, run, pid: process.pid, event, t: wallMs() }) + '\n');
}

/**
 * ASTRAN_STANDIN_WAIT_FOR_STARTS=<n> (with the trace file): hold until n tasks have started, at most 10 s.
 * Makes "n tasks overlapped" deterministic in tests instead of depending on sleep lengths.
 */
async function waitForStarts() {
  await waitForEvents('start', Number(process.env.ASTRAN_STANDIN_WAIT_FOR_STARTS ?? 0));
}

/** Hold until the trace file has n records of `event` (at most 10 s). No-op without n or a trace file. */
export async function waitForEvents(event, n) {
  const f = process.env.ASTRAN_STANDIN_TRACE_FILE;
  if (!(n > 0) || !f) return;
  const needle = `"event":${JSON.stringify(event)}`;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const count = readFileSync(f, 'utf8').split(needle).length - 1;
    if (count >= n) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Failure injection, in this order:
 * ASTRAN_STANDIN_SLEEP_MS=<ms>       simulate work (before anything is written);
 * ASTRAN_STANDIN_FAIL_RUNS=1808,1809 these runs always fail with exit code 3;
 * ASTRAN_STANDIN_FAIL_ONCE_DIR=<dir> each run fails on its first attempt only (marker file in <dir>).
 * A failing run leaves a partial output (written before the sleep, so it exists while the run works), as a crashing
 * tool does; ASTRAN_STANDIN_PARTIAL_OUTPUT=0 turns that off.
 */
export async function simulate(tool, run, partialOutput) {
  trace(tool, run, 'start');
  await waitForStarts();
  const ms = Number(process.env.ASTRAN_STANDIN_SLEEP_MS ?? 0);
  const failRuns = (process.env.ASTRAN_STANDIN_FAIL_RUNS ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  let fail = run !== undefined && failRuns.includes(run);
  const onceDir = process.env.ASTRAN_STANDIN_FAIL_ONCE_DIR;
  if (!fail && onceDir && run !== undefined) {
    mkdirSync(onceDir, { recursive: true });
    const marker = join(onceDir, `${tool}.Run${pad5(run)}.failed-once`);
    if (!existsSync(marker)) {
      writeFileSync(marker, new Date().toISOString() + '\n');
      fail = true;
    }
  }
  // Like the real tools, a run that is going to crash has already begun its output file (under the name it was
  // given): the half-written file is there while it works and stays after the crash. PARTIAL_OUTPUT=0 turns it off.
  if (fail && process.env.ASTRAN_STANDIN_PARTIAL_OUTPUT !== '0' && partialOutput) writeFileSync(partialOutput, 'PARTIAL');
  if (ms > 0) await new Promise((r) => setTimeout(r, ms));
  if (fail) {
    logLine('ERROR', tool, `Run ${run}: HDF5 error while reading table /dl1/event/telescope/parameters/LST_LSTCam`);
    trace(tool, run, 'end');
    process.stderr.write(
      'Traceback (most recent call last):\n' +
        `  File "/fefs/aswg/software/conda/envs/lstchain/lib/python3.11/site-packages/lstchain/scripts/${tool}.py", line 97, in main\n` +
        '    data = pd.read_hdf(input_file, key=dl1_params_lstcam_key)\n' +
        `tables.exceptions.HDF5ExtError: HDF5 error back trace (stand-in injected failure for run ${run})\n`,
    );
    process.exit(3);
  }
}

export function done(tool, run) {
  trace(tool, run, 'end');
}
