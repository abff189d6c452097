import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StageSubmission } from '../../../../src/pipeline/ClusterBackend.js';
import { PROBE_OUT, PROBE_RC, buildJobScript } from '../../../../src/pipeline/slurm/jobScript.js';
import { StageSubmissionSchema } from '../../../../src/pipeline/slurm/submissionSchema.js';
import { parseProbeExitCode, parseToolVersion } from '../../../../src/pipeline/toolVersion.js';
import { REPO_STANDINS } from '../../../helpers/clusterReadable.js';

const ACTIVATE = join(REPO_STANDINS, 'lstchain-env', 'activate');
const PROBE = ['python', '-c', 'import lstchain; print(lstchain.__version__)'];

function sub(dir: string, o: Partial<StageSubmission> = {}): StageSubmission {
  return {
    jobId: 'A-0042',
    stage: 'dl1_to_dl2',
    attempt: 1,
    // The environment the tools run in: the stand-in of `conda activate lstchain-…`.
    setup: [`. '${ACTIVATE}'`],
    probe: PROBE,
    // Indices 3 and 5 (a retry keeps its array indices): the lowest one probes.
    tasks: [3, 5].map((index) => ({ index, runId: 1800 + index, argv: ['bash', '-c', 'echo "tool ran with $PYTHONPATH" > "$0"', join(dir, `out-${index}`)], inputs: [], outputs: [] })),
    ...o,
  };
}

function run(dir: string, s: StageSubmission, task: number, env: Record<string, string> = {}) {
  const script = join(dir, 'job.sh');
  writeFileSync(script, buildJobScript(StageSubmissionSchema.parse(s) as StageSubmission, dir));
  return spawnSync('bash', [script], { cwd: dir, env: { ...process.env, ...env, SLURM_ARRAY_TASK_ID: String(task), SLURM_ARRAY_JOB_ID: '77' }, encoding: 'utf8' });
}
const report = (dir: string) => {
  const exitCode = parseProbeExitCode(existsSync(join(dir, PROBE_RC)) ? readFileSync(join(dir, PROBE_RC), 'utf8') : null);
  return exitCode === null ? null : { exitCode, stdout: readFileSync(join(dir, PROBE_OUT), 'utf8') };
};

test('the first task asks the set-up environment for the lstchain version, once, before the tool; the others do not', () => {
  const dir = mkdtempSync(join(tmpdir(), 'astran-probe-'));
  try {
    const later = run(dir, sub(dir), 5, { ASTRAN_STANDIN_LSTCHAIN_VERSION: '0.10.7' });
    assert.equal(later.status, 0, later.stderr);
    assert.equal(report(dir), null, 'task 5 is not the first task: it does not probe');
    const first = run(dir, sub(dir), 3, { ASTRAN_STANDIN_LSTCHAIN_VERSION: '0.10.12.dev5+g6a3f2b1' });
    assert.equal(first.status, 0, first.stderr);
    // Only the setup lines put the fake lstchain on PYTHONPATH: the version proves the probe ran in that environment.
    assert.deepEqual(parseToolVersion(report(dir)), { ok: true, version: '0.10.12.dev5+g6a3f2b1' });
    assert.match(readFileSync(join(dir, 'out-3'), 'utf8'), /lstchain-env/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a failing probe never fails the task; its exit code is kept and the version counts as unknown', () => {
  const dir = mkdtempSync(join(tmpdir(), 'astran-probe-'));
  try {
    // No lstchain in this environment: the import fails.
    const r = run(dir, sub(dir, { setup: [], probe: ['python3', '-c', 'import lstchain_not_installed'] }), 3);
    assert.equal(r.status, 0, r.stderr);
    const rep = report(dir);
    assert.equal(rep?.exitCode, 1);
    assert.deepEqual(parseToolVersion(rep), { ok: false, problem: 'the probe failed in the configured environment (exit code 1)' });
    assert.ok(existsSync(join(dir, 'out-3')), 'the tool still ran');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('probe argv elements reach the program literally (config text, still quoted)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'astran-probe-'));
  try {
    const odd = `it's $(touch ${join(dir, 'pwned')}) "quoted"; ls`;
    const r = run(dir, sub(dir, { setup: [], probe: ['printf', '%s\\n', odd] }), 3);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(report(dir)?.stdout, `${odd}\n`);
    assert.ok(!existsSync(join(dir, 'pwned')));
    assert.deepEqual(parseToolVersion(report(dir)), { ok: false, problem: 'the probe printed something that is not a version number' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('submissions without a probe produce no probe step', () => {
  const s = sub('/tmp/x', { probe: undefined });
  assert.doesNotMatch(buildJobScript(s, '/tmp/x'), /probe/);
});
