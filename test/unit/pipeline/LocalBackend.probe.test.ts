/** LocalBackend: the environment probe (StageSubmission.probe) runs in the tasks' environment and is read back. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalBackend } from '../../../src/pipeline/LocalBackend.js';
import { parseToolVersion } from '../../../src/pipeline/toolVersion.js';
import { silentLogger } from '../../../src/log.js';
import { REPO_STANDINS } from '../../helpers/clusterReadable.js';

const ENV = join(REPO_STANDINS, 'lstchain-env');
const PROBE = ['python', '-c', 'import lstchain; print(lstchain.__version__)'];

test('the probe runs once per submission in the environment the tasks get; a later backend reads it from the folder', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'astran-local-probe-'));
  // What activating the stand-in environment sets (the local backend runs no setup lines: the bot's environment counts).
  const env = { PATH: `${join(ENV, 'bin')}:${process.env.PATH}`, PYTHONPATH: join(ENV, 'lib', 'python'), PYTHONDONTWRITEBYTECODE: '1' };
  const b = new LocalBackend({ config: { workdir: join(dir, 'work') }, env, log: silentLogger });
  try {
    await b.start();
    const task = (index: number) => ({ index, runId: index, argv: ['true'], inputs: [], outputs: [] });
    const withProbe = await b.submit({ jobId: 'A-0001', stage: 'dl1_to_dl2', attempt: 1, tasks: [task(0), task(1)], probe: PROBE, env: { ASTRAN_STANDIN_LSTCHAIN_VERSION: '0.10.9' } });
    const without = await b.submit({ jobId: 'A-0001', stage: 'dl2_to_dl3', attempt: 1, tasks: [task(0)] });
    const broken = await b.submit({ jobId: 'A-0001', stage: 'dl3_index', attempt: 1, tasks: [task(0)], probe: ['python', '-c', 'import lstchain_missing'] });
    const [a, none, bad] = await b.probeOutputs([withProbe, without, broken]);
    assert.deepEqual(parseToolVersion(a ?? null), { ok: true, version: '0.10.9' });
    assert.equal(none, null);
    assert.equal(bad?.exitCode, 1);
    assert.equal(readFileSync(join(dir, 'work', 'A-0001', 'dl1_to_dl2-a1', 'probe.out'), 'utf8'), '0.10.9\n');
    await b.stop();
    // After a restart: the refs of the earlier process are answered from what the probe left in the folder.
    const again = new LocalBackend({ config: { workdir: join(dir, 'work') }, env, log: silentLogger });
    await again.start();
    const [a2, none2] = await again.probeOutputs([withProbe, without]);
    assert.deepEqual(a2, { exitCode: 0, stdout: '0.10.9\n' });
    assert.equal(none2, null);
    await again.stop();
  } finally {
    await b.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
