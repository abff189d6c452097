import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunCatalogNightIndex } from '../../../src/pipeline/NightIndex.js';
import { SourceCatalog } from '../../../src/config/SourceCatalog.js';
import { UserFacingError } from '../../../src/core/errors.js';
import { silentLogger } from '../../../src/log.js';
import { FakeBackend } from '../../fakes/FakeBackend.js';
import { TEST_SOURCES } from '../../fakes/fakeServices.js';

// The catalogues exist ONLY on the fake cluster: nothing here is on this machine's disk.
const BASE = '/fefs/onsite/data/lst-pipe/LSTN-01';
const CAT = (n: string) => `${BASE}/monitoring/RunCatalog/RunCatalog_${n}.ecsv`;
const SUM = (n: string) => `${BASE}/monitoring/RunSummary/RunSummary_${n}.ecsv`;
const CATALOG = (rows: string) => `# %ECSV 1.0\n# ---\nrun_id,source_name,source_ra,source_dec\n${rows}`;
const SUMMARY = (rows: string) =>
  `# %ECSV 1.0\n# ---\n# datatype:\n# - {name: run_id, datatype: int64}\nrun_id,n_subruns,run_type,ucts_timestamp,run_start\n${rows}`;

function setup() {
  const cluster = new FakeBackend();
  const sources = new SourceCatalog(TEST_SOURCES);
  let reads = 0;
  const readText = cluster.readText.bind(cluster);
  cluster.readText = async (p: string[]) => {
    reads += p.length;
    return readText(p);
  };
  const idx = new RunCatalogNightIndex({
    catalog: '{base}/monitoring/RunCatalog/RunCatalog_{night}.ecsv',
    summary: '{base}/monitoring/RunSummary/RunSummary_{night}.ecsv',
    base: BASE,
    sources,
    files: cluster,
    log: silentLogger,
  });
  return { cluster, sources, idx, reads: () => reads };
}

test('catalogues are read through the backend; pointing declination carried per run', async () => {
  const { cluster, sources, idx } = setup();
  cluster.texts.set(CAT('20231206'), CATALOG('1801,Crab,83.63,22.01\n1802,Crab,83.63,22.51\n1803,Mrk421,166.11,38.2\n'));
  const runs = await idx.runs(sources.resolve('Crab')!, '20231206', '20231206');
  assert.deepEqual(runs, [
    { runId: 1801, night: '20231206', source: 'Crab Nebula', pointingDec: 22.01 },
    { runId: 1802, night: '20231206', source: 'Crab Nebula', pointingDec: 22.51 },
  ]);
  assert.deepEqual(await idx.nights(sources.resolve('Mrk 421')!), [{ night: '20231206', runs: 1 }]);
});

test('with the night RunSummary present, only DATA runs count; without it, every catalogued run', async () => {
  const { cluster, sources, idx } = setup();
  cluster.texts.set(CAT('20231206'), CATALOG('1801,Crab,83.63,22.01\n1802,Crab,83.63,22.01\n1803,Crab,83.63,22.01\n'));
  cluster.texts.set(SUM('20231206'), SUMMARY('1800,5,DRS4,0,2023-12-06T21:00\n1801,40,DATA,0,2023-12-06T21:10\n1802,3,PEDCALIB,0,x\n1803,40,DATA,0,x\n'));
  cluster.texts.set(CAT('20231207'), CATALOG('1901,Crab,83.63,22.01\n'));
  const crab = sources.resolve('Crab')!;
  assert.deepEqual((await idx.runs(crab, '20231206', '20231207')).map((r) => r.runId), [1801, 1803, 1901]);
  assert.deepEqual(await idx.nights(crab), [{ night: '20231206', runs: 2 }, { night: '20231207', runs: 1 }]);
});

test('a broken RunSummary is logged and ignored (catalogue kept); a broken catalogue empties its night only', async () => {
  const { cluster, sources, idx } = setup();
  cluster.texts.set(CAT('20231206'), CATALOG('1801,Crab,83.63,22.01\n'));
  cluster.texts.set(SUM('20231206'), '# %ECSV 1.0\nrun_id,run_type\n1801,data run\n');
  cluster.texts.set(CAT('20231207'), 'not ecsv');
  cluster.texts.set(CAT('20231208'), CATALOG('1902,Crab,83.63,22.01\n'));
  assert.deepEqual((await idx.runs(sources.resolve('Crab')!, '20231206', '20231208')).map((r) => r.runId), [1801, 1902]);
});

test('unchanged files are not read again; a changed one is', async () => {
  const { cluster, sources, idx, reads } = setup();
  cluster.texts.set(CAT('20231206'), CATALOG('1801,Crab,83.63,22.01\n'));
  cluster.stats.set(CAT('20231206'), { size: 10, mtimeMs: 1 });
  const crab = sources.resolve('Crab')!;
  await idx.runs(crab, '20231206', '20231206');
  await idx.runs(crab, '20231206', '20231206');
  assert.equal(reads(), 1);
  cluster.texts.set(CAT('20231206'), CATALOG('1801,Crab,83.63,22.01\n1802,Crab,83.63,22.01\n'));
  cluster.stats.set(CAT('20231206'), { size: 11, mtimeMs: 2 });
  assert.deepEqual((await idx.runs(crab, '20231206', '20231206')).map((r) => r.runId), [1801, 1802]);
  assert.equal(reads(), 2);
});

test('an unreachable cluster is a plain-words refusal, not "no runs"', async () => {
  const { cluster, sources, idx } = setup();
  cluster.stat = async () => {
    throw new Error('ssh: connect ECONNREFUSED cp01.example:22');
  };
  await assert.rejects(idx.runs(sources.resolve('Crab')!, '20231206', '20231206'), (e: unknown) => {
    assert.ok(e instanceof UserFacingError);
    assert.match(e.message, /cannot read the night catalogues on the cluster/);
    assert.doesNotMatch(e.message + (e.hint ?? ''), /cp01|ECONN|\//);
    return true;
  });
  cluster.list = async () => {
    throw new Error('boom');
  };
  await assert.rejects(idx.nights(sources.resolve('Crab')!), UserFacingError);
});
