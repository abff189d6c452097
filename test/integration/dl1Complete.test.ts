/**
 * DL1 counts only when complete: a stand-in writer grows one run's DL1 slowly (as lstosa writes it) while ASTRAN waits
 * with pipeline.dl1_complete.stable_for_s. The run must not be picked up early: the DL2 made from it records the sha256
 * of the DL1 it read, which must be the sha256 of the finished file. Run with the local backend and on the REAL Slurm
 * cluster (stat over SSH).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureCluster, type ClusterEnv } from '../helpers/slurmCluster.js';
import { STANDINS, World, latestJob, waitFinal, waitUntil } from '../helpers/slurmBot.js';

let cluster: ClusterEnv;
const worlds: World[] = [];

before(() => {
  cluster = ensureCluster();
});

after(() => {
  for (const w of worlds) w.cleanup();
});

async function scenario(localBackend: boolean, runs: [number, number]) {
  const [settled, growing] = runs;
  const w = new World({
    cluster,
    localBackend,
    runs: [
      { night: '20231207', runId: settled, catalogName: 'Crab', hess: 23523 },
      { night: '20231207', runId: growing, catalogName: 'Crab', hess: 23526, dl1: false },
    ],
    dl1Complete: { stable_for_s: 3 },
    dl1WaitIntervalS: 0.5,
  });
  worlds.push(w);
  const dl1 = w.dl1Path('20231207', growing);
  mkdirSync(join(dl1, '..'), { recursive: true });
  // lstosa starts the file, then keeps appending for about 6 s.
  const writer = spawn(process.execPath, [join(STANDINS, 'standin_dl1_writer.mjs'), dl1, '15', '400'], { stdio: 'ignore' });
  const writerDone = new Promise((r) => writer.once('exit', r));
  await waitUntil('the writer started the file', () => existsSync(dl1));
  const { bot, chat } = await w.bot();
  try {
    await chat.say('launch source=Crab date=20231207');
    const job = latestJob(bot)!;
    await waitUntil('the waiting message', () => /still being written \(not yet unchanged for 3 s: runs? [\d, ]+\)/.test(chat.text(job.thread!.key)), 30_000);
    const said = chat.text(job.thread!.key);
    assert.match(said, /Waiting for DL1: \d of 2 runs ready, \d still being written .* I check every 0\.5s and wait until \d\d:\d\d UTC/);
    const final = await waitFinal(bot, job.id, 180_000);
    assert.equal(final.state, 'done', chat.text(job.thread!.key));
    await writerDone;
    assert.ok(existsSync(`${dl1}.done`));
    const dl2 = JSON.parse(readFileSync(join(w.workspace, 'DL2', '20231207', 'v0.10', 'tailcut84', 'nsb_tuning_0.14', `dl2_LST-1.Run0${growing}.h5`), 'utf8'));
    assert.equal(dl2.input_sha256, createHash('sha256').update(readFileSync(dl1)).digest('hex'), 'DL2 was made from the finished DL1, not a partial one');
    assert.deepEqual(final.runIds, [settled, growing]);
  } finally {
    await bot.stop();
  }
}

describe('DL1 completeness', { concurrency: false }, () => {
  test('local backend: a growing DL1 is not picked up before it is complete', () => scenario(true, [1893, 1894]));
  test('Slurm over SSH: a growing DL1 is not picked up before it is complete', () => scenario(false, [1895, 1896]));
});
