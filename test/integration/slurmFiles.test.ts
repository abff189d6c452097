/**
 * Reading the cluster's files over SSH (stat, readText, list) and the night index built on them, against the REAL
 * test cluster. The catalogues are read as the cluster user sees them: a catalogue the bot's own user (root) can read
 * on this disk but the cluster user cannot is NOT found, which proves nothing is read from the bot's disk. The same for
 * the H.E.S.S. DL3 obs-index/hdu-index (data.night_index: dl3_obs_index) and the run files it lists.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { SlurmBackend } from '../../src/pipeline/slurm/SlurmBackend.js';
import { ObsIndexNightIndex, RunCatalogNightIndex } from '../../src/pipeline/NightIndex.js';
import { UserFacingError } from '../../src/core/errors.js';
import { REPO_HESS } from '../helpers/clusterReadable.js';
import { SourceCatalog } from '../../src/config/SourceCatalog.js';
import { silentLogger } from '../../src/log.js';
import { ensureCluster, makeBackend, type ClusterEnv } from '../helpers/slurmCluster.js';
import { TEST_SOURCES } from '../fakes/fakeServices.js';

let env: ClusterEnv;
let b: SlurmBackend;
let base: string;
let uid: number;
let gid: number;

const CATALOG = (rows: string) => `# %ECSV 1.0\n# ---\nrun_id,source_name,source_ra,source_dec\n${rows}`;
const SUMMARY = (rows: string) => `# %ECSV 1.0\n# ---\nrun_id,n_subruns,run_type\n${rows}`;

before(async () => {
  env = ensureCluster();
  b = makeBackend(env);
  await b.start();
  uid = Number(execFileSync('id', ['-u', env.user], { encoding: 'utf8' }).trim());
  gid = Number(execFileSync('id', ['-g', env.user], { encoding: 'utf8' }).trim());
  base = mkdtempSync('/tmp/astran-files-');
  chmodSync(base, 0o755);
  for (const d of ['monitoring/RunCatalog', 'monitoring/RunSummary', 'models/dec_2276', 'models/dec_min_413']) mkdirSync(join(base, d), { recursive: true });
  for (const d of ['', 'monitoring', 'monitoring/RunCatalog', 'monitoring/RunSummary', 'models']) chmodSync(join(base, d), 0o755);
  writeFileSync(join(base, 'monitoring/RunCatalog/RunCatalog_20231206.ecsv'), CATALOG('1801,Crab,83.63,22.01\n1802,Crab,83.63,22.01\n1803,Crab,83.63,22.01\n'));
  writeFileSync(join(base, 'monitoring/RunSummary/RunSummary_20231206.ecsv'), SUMMARY('1801,40,DATA\n1802,2,PEDCALIB\n1803,40,DATA\n'));
  // Readable by root on this disk, not by the cluster user: must not be found.
  writeFileSync(join(base, 'monitoring/RunCatalog/RunCatalog_20231207.ecsv'), CATALOG('1901,Crab,83.63,22.01\n'));
  chmodSync(join(base, 'monitoring/RunCatalog/RunCatalog_20231207.ecsv'), 0o600);
  for (const f of ['RunCatalog/RunCatalog_20231206.ecsv', 'RunSummary/RunSummary_20231206.ecsv']) {
    chownSync(join(base, 'monitoring', f), uid, gid);
    chmodSync(join(base, 'monitoring', f), 0o644);
  }
});

after(async () => {
  await b?.stop();
});

describe('cluster files over SSH', { concurrency: false }, () => {
  test('stat, readText and list answer as the cluster user sees the files', async () => {
    const cat = join(base, 'monitoring/RunCatalog/RunCatalog_20231206.ecsv');
    const [st, none] = await b.stat([cat, join(base, 'nope')]);
    assert.ok(st && st.size > 0 && st.mtimeMs > 1.6e12);
    assert.equal(none, null);
    const [text, hidden, absent] = await b.readText([cat, join(base, 'monitoring/RunCatalog/RunCatalog_20231207.ecsv'), join(base, 'x y $(id)')]);
    assert.match(text!, /^# %ECSV 1.0\n/);
    assert.equal(hidden, null, 'the cluster user cannot read it, so it is not there for ASTRAN');
    assert.equal(absent, null);
    assert.deepEqual(await b.list(join(base, 'models')), ['dec_2276', 'dec_min_413']);
    assert.equal(await b.list(join(base, 'no-such-folder')), null);
    await assert.rejects(b.readText(['-n']), /invalid cluster path/);
  });

  test('the night index reads RunCatalog + RunSummary through the Slurm backend', async () => {
    const sources = new SourceCatalog(TEST_SOURCES);
    const idx = new RunCatalogNightIndex({
      catalog: '{base}/monitoring/RunCatalog/RunCatalog_{night}.ecsv',
      summary: '{base}/monitoring/RunSummary/RunSummary_{night}.ecsv',
      base,
      sources,
      files: b,
      log: silentLogger,
    });
    const before = b.conn.execCount;
    const crab = sources.resolve('Crab')!;
    assert.deepEqual((await idx.runs(crab, '20231206', '20231207')).map((r) => r.runId), [1801, 1803], 'PEDCALIB dropped; unreadable night absent');
    assert.ok(b.conn.execCount > before, 'went over SSH');
    assert.deepEqual(await idx.nights(crab), [{ night: '20231206', runs: 2 }]);
  });

  test('the H.E.S.S. obs-index (gzipped FITS) is read through the Slurm backend: what the cluster user cannot see is not there', async () => {
    const sources = new SourceCatalog(TEST_SOURCES);
    const crab = sources.resolve('Crab')!;
    const store = join(base, 'hess');
    cpSync(REPO_HESS, store, { recursive: true });
    for (const d of ['hess', 'hess/data']) chmodSync(join(base, d), 0o755);
    // A folder only root (the bot's user here) can enter: a file behind it exists for the bot's disk, not for the cluster.
    const rootOnly = mkdtempSync('/tmp/astran-rootonly-');
    chmodSync(rootOnly, 0o700);
    const hidden = 'hess_dl3_dr1_obs_id_023526.fits.gz';
    renameSync(join(store, 'data', hidden), join(rootOnly, hidden));
    symlinkSync(join(rootOnly, hidden), join(store, 'data', hidden));
    const cache = mkdtempSync('/tmp/astran-obs-cache-');
    const idx = new ObsIndexNightIndex({ dir: store, sources, files: b, cacheDir: cache, log: silentLogger });
    const before = b.conn.execCount;
    assert.deepEqual((await idx.runs(crab, '20041204', '20041204')).map((r) => r.runId), [23523], 'run 23526 is not on the cluster');
    assert.ok(b.conn.execCount > before, 'went over SSH');
    // The index arrived byte for byte (binary over SFTP, not text).
    const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
    assert.equal(sha(join(cache, 'obs-index.fits.gz')), sha(join(store, 'obs-index.fits.gz')));
    assert.equal(sha(join(cache, 'hdu-index.fits.gz')), sha(join(store, 'hdu-index.fits.gz')));
    // A data store whose obs-index only the bot's user could read locally: refused in plain words, not read from disk.
    const store2 = join(base, 'hess-rootonly-index');
    mkdirSync(store2);
    chmodSync(store2, 0o755);
    copyFileSync(join(store, 'obs-index.fits.gz'), join(rootOnly, 'obs-index.fits.gz'));
    symlinkSync(join(rootOnly, 'obs-index.fits.gz'), join(store2, 'obs-index.fits.gz'));
    const idx2 = new ObsIndexNightIndex({ dir: store2, sources, files: b, cacheDir: mkdtempSync('/tmp/astran-obs-cache-'), log: silentLogger });
    await assert.rejects(idx2.runs(crab, '20041204', '20041204'), (e: unknown) => e instanceof UserFacingError && /DL3 index/.test(e.message));
    for (const d of [rootOnly, cache]) rmSync(d, { recursive: true, force: true });
  });
});
