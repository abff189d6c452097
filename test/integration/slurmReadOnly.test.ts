/**
 * "Never write into the production tree", on the REAL test Slurm cluster. The data root is owned by root and
 * read-only for the job user (as the lstosa tree is for an analysis account); ASTRAN writes only into its workspace.
 * A listing with sha256 of every file (plus modes, owners, sizes) of the data root is taken before and after: jobs
 * succeed, with and without force=yes, and nothing under the root changes. lstosa's own DL2 of one run is used as is.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureCluster, makeBackend, uniq, type ClusterEnv } from '../helpers/slurmCluster.js';
import { World, latestJob, sacctJobs, squeueJobs, waitFinal } from '../helpers/slurmBot.js';
import { ReadOnlyPathError } from '../../src/pipeline/WriteGuard.js';
import { checkConfig } from '../../src/bot/config.js';

let cluster: ClusterEnv;
let w: World;

/** Every entry under `dir`: type, mode, owner, size and (files) sha256 — what a data manager would compare. */
function listing(dir: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      const kind = st.isDirectory() ? 'd' : 'f';
      const sum = st.isFile() ? createHash('sha256').update(readFileSync(p)).digest('hex') : '-';
      out.push(`${kind} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid} ${st.isFile() ? st.size : '-'} ${sum} ${p.slice(dir.length)}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.join('\n');
}

before(() => {
  cluster = ensureCluster();
  w = new World({ cluster, runs: [{ night: '20231207', runId: 1881, catalogName: 'Crab', hess: 23523 }, { night: '20231207', runId: 1882, catalogName: 'Crab', hess: 23526 }] });
  // lstosa's DL2 of run 1881 (root-owned, in the production tree).
  const official = w.officialDl2Path('20231207', 1881);
  mkdirSync(join(official, '..'), { recursive: true });
  writeFileSync(official, JSON.stringify({ run_id: 1881, made_by: 'lstosa' }));
});

after(() => {
  const left = [1, 2, 3].flatMap((i) => squeueJobs(`E-${String(w.firstSeq + i).padStart(4, '0')}`).map((j) => j.arrayId));
  if (left.length) execFileSync('scancel', left);
  w?.cleanup();
});

describe('read-only production tree on Slurm', { concurrency: false }, () => {
  test('the job user really cannot write into the data root', () => {
    const r = spawnSync('runuser', ['-u', cluster.user, '--', 'sh', '-c', 'touch "$1/DL1/probe"', 'sh', w.base]);
    assert.notEqual(r.status, 0, 'the data root must be read-only for the job user');
    assert.equal(existsSync(join(w.base, 'DL1', 'probe')), false);
  });

  test('jobs succeed (also with force=yes), the official DL2 is used, and nothing under the data root changes', async () => {
    const before = listing(w.base);
    assert.match(before, /dl1_LST-1\.Run01881\.h5/);
    const { bot, chat } = await w.bot();
    try {
      for (const cmd of ['launch source=Crab date=20231207', 'launch source=Crab date=20231207 force=yes']) {
        await chat.say(cmd);
        const job = await waitFinal(bot, latestJob(bot)!.id);
        assert.equal(job.state, 'done', chat.text(job.thread!.key));
        // Only run 1882 needed ASTRAN's own DL2: run 1881 has lstosa's, which force=yes does not redo.
        const dl2 = sacctJobs(job.id).find((j) => j.name.endsWith('-dl1_to_dl2-a1'));
        assert.equal(dl2?.states.length, 1, JSON.stringify(sacctJobs(job.id)));
        assert.equal(listing(w.base), before, `${cmd}: the data root changed`);
      }
    } finally {
      await bot.stop();
    }
    const ownDl2 = join(w.workspace, 'DL2', '20231207', 'v0.10', 'tailcut84', 'nsb_tuning_0.14');
    // (.astran-tmp: the runner's per-task staging folders.)
    assert.deepEqual(readdirSync(ownDl2).filter((n) => n !== '.astran-tmp'), ['dl2_LST-1.Run01882.h5']);
    assert.ok(readdirSync(w.dl3Dir('20231207', 'Crab_Nebula')).includes('dl3_LST-1.Run01881.fits.gz'));
  });

  test('a config writing into the data root is refused by check-config, and by the backend before any mkdir or sbatch', async () => {
    // The same world's config with ASTRAN's DL3 folder moved into the production tree.
    const bad = w.configFile.replace(/\.yaml$/, '-bad.yaml');
    writeFileSync(bad, readFileSync(w.configFile, 'utf8').replace(/dl3_dir: (["']?)\{workspace\}/, 'dl3_dir: $1{base}'));
    assert.ok(checkConfig(bad).some((i) => /pipeline\.stages\.1\.outputs\.0: .* is inside the read-only root data\.read_only_roots\.0/.test(i)), checkConfig(bad).join('\n'));

    const b = makeBackend(cluster, {}, { readOnlyRoots: [w.base] });
    await b.start();
    try {
      const jobId = uniq('R');
      const ws = join(w.workspace, 'refused-mkdir');
      await assert.rejects(
        b.submit({ jobId, stage: 'dl2_to_dl3', attempt: 1, mkdirs: [ws], tasks: [{ index: 0, runId: 1, argv: ['true'], inputs: [], outputs: [join(w.base, 'DL3', 'x.fits.gz')] }] }),
        ReadOnlyPathError,
      );
      assert.equal(existsSync(ws), false, 'no mkdir');
      assert.equal(existsSync(join(w.jobsDir(), jobId)), false, 'no job folder, no sbatch');
      await assert.rejects(b.remove([join(w.base, 'DL1', '20231207', 'v0.10', 'tailcut84', 'dl1_LST-1.Run01881.h5')]), ReadOnlyPathError);
    } finally {
      await b.stop();
    }
  });
});
