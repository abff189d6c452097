/**
 * data.night_index: dl3_obs_index reads the H.E.S.S. obs-index/hdu-index through the cluster backend. The data store
 * here exists ONLY "on the cluster" (/cluster/hess on the fake, backed by the bundled sample): the bot host has no such
 * folder, so anything read from local disk would find nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ObsIndexNightIndex } from '../../../src/pipeline/NightIndex.js';
import { ClusterUnavailableError, type FileStat } from '../../../src/pipeline/ClusterBackend.js';
import { SourceCatalog } from '../../../src/config/SourceCatalog.js';
import { UserFacingError } from '../../../src/core/errors.js';
import { silentLogger } from '../../../src/log.js';
import { TEST_SOURCES } from '../../fakes/fakeServices.js';
import { REPO_HESS } from '../../helpers/clusterReadable.js';

const REMOTE = '/cluster/hess';

/** A cluster whose /cluster/hess is the bundled sample; `hidden` files are absent there. Counts fetches. */
class HessCluster {
  fetched: string[] = [];
  hidden = new Set<string>();
  down = false;
  /** Pretend the index was rewritten (a new mtime), as lstchain_create_dl3_index_files does. */
  touched = 0;
  private local(p: string): string | null {
    if (this.hidden.has(p) || !p.startsWith(`${REMOTE}/`)) return null;
    const f = join(REPO_HESS, p.slice(REMOTE.length + 1));
    return existsSync(f) ? f : null;
  }
  async stat(paths: string[]): Promise<(FileStat | null)[]> {
    if (this.down) throw new ClusterUnavailableError();
    return paths.map((p) => {
      const f = this.local(p);
      return f ? { size: statSync(f).size, mtimeMs: statSync(f).mtimeMs + this.touched } : null;
    });
  }
  async exists(paths: string[]): Promise<boolean[]> {
    if (this.down) throw new ClusterUnavailableError();
    return paths.map((p) => this.local(p) !== null);
  }
  async fetch(paths: string[], localDir: string): Promise<string[]> {
    mkdirSync(localDir, { recursive: true });
    return paths.map((p) => {
      this.fetched.push(p);
      const to = join(localDir, basename(p));
      copyFileSync(this.local(p)!, to);
      return to;
    });
  }
}

function rig() {
  const cluster = new HessCluster();
  const cache = mkdtempSync(join(tmpdir(), 'astran-obsindex-'));
  const idx = new ObsIndexNightIndex({ dir: REMOTE, sources: new SourceCatalog(TEST_SOURCES), files: cluster, cacheDir: cache, log: silentLogger });
  return { cluster, idx, done: () => rmSync(cache, { recursive: true, force: true }) };
}
const crab = TEST_SOURCES[0]!;
const pks = TEST_SOURCES[1]!;

test('the obs-index on the cluster gives the nights and runs; the bot host has no such folder', async () => {
  assert.equal(existsSync(REMOTE), false, 'the data store must not exist on the bot host');
  const { cluster, idx, done } = rig();
  try {
    assert.deepEqual(await idx.nights(crab), [{ night: '20041204', runs: 2 }, { night: '20041206', runs: 1 }, { night: '20041208', runs: 1 }]);
    const runs = await idx.runs(crab, '20041204', '20041204');
    assert.deepEqual(runs.map((r) => [r.runId, r.night, r.source]), [[23523, '20041204', 'Crab Nebula'], [23526, '20041204', 'Crab Nebula']]);
    assert.ok(runs.every((r) => typeof r.start === 'string'));
    assert.deepEqual((await idx.runs(pks, '20060701', '20060731')).map((r) => r.runId), [33787, 33788, 33789, 33790]);
    // Both index files were fetched once (gzipped FITS: copied, not read as text), and reused while unchanged.
    assert.deepEqual(cluster.fetched, [`${REMOTE}/obs-index.fits.gz`, `${REMOTE}/hdu-index.fits.gz`]);
    cluster.touched = 1000;
    // Two queries at once after the index changed: one download for both.
    const [a, b] = await Promise.all([idx.runs(crab, '20041204', '20041204'), idx.nights(crab)]);
    assert.equal(cluster.fetched.length, 4, 'a rewritten index is fetched again, once');
    assert.equal(a.length, 2);
    assert.equal(b.length, 3);
  } finally {
    done();
  }
});

test('a run the index lists whose file is absent on the cluster is skipped', async () => {
  const { cluster, idx, done } = rig();
  try {
    cluster.hidden.add(`${REMOTE}/data/hess_dl3_dr1_obs_id_023526.fits.gz`);
    assert.deepEqual((await idx.runs(crab, '20041204', '20041204')).map((r) => r.runId), [23523]);
  } finally {
    done();
  }
});

test('no obs-index on the cluster, or no cluster: a plain-words refusal, never "no runs"', async () => {
  const { cluster, idx, done } = rig();
  try {
    cluster.hidden.add(`${REMOTE}/obs-index.fits.gz`);
    await assert.rejects(idx.runs(crab, '20041204', '20041204'), (e: unknown) => e instanceof UserFacingError && /DL3 index/.test(e.message) && !/cluster\/hess/.test(e.message));
    cluster.hidden.clear();
    cluster.down = true;
    await assert.rejects(idx.nights(crab), (e: unknown) => e instanceof UserFacingError && /right now/.test(e.message));
  } finally {
    done();
  }
});
