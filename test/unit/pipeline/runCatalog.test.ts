import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseRunCatalog } from '../../../src/pipeline/runCatalog.js';
import { RunCatalogNightIndex } from '../../../src/pipeline/NightIndex.js';
import { SourceCatalog } from '../../../src/config/SourceCatalog.js';
import { silentLogger } from '../../../src/log.js';
import { localFiles } from '../../../src/pipeline/files/localFiles.js';

const ECSV = (rows: string) => `# %ECSV 1.0
# ---
# datatype:
# - {name: run_id, datatype: int64}
# - {name: source_name, datatype: string}
# - {name: source_ra, datatype: float64}
# - {name: source_dec, datatype: float64}
# schema: astropy-2.0
run_id,source_name,source_ra,source_dec
${rows}`;

test('run catalog: parses rows, nan coordinates, quoted names', () => {
  const rows = parseRunCatalog(ECSV('1807,Crab,83.543,22.08\n1808,"Mrk 421",,\n1809,Dark,nan,nan\n'));
  assert.deepEqual(rows[0], { run_id: 1807, source_name: 'Crab', source_ra: 83.543, source_dec: 22.08 });
  assert.equal(rows[1].source_name, 'Mrk 421');
  assert.equal(rows[1].source_ra, null);
  assert.equal(rows[2].source_dec, null);
});

test('run catalog: strict errors name the file and the problem', () => {
  assert.throws(() => parseRunCatalog('run_id,source_name\n1,a', 'RunCatalog_20231207.ecsv'), /RunCatalog_20231207.ecsv: not an ECSV file/);
  assert.throws(() => parseRunCatalog(ECSV('1807,Crab,83.5\n')), /row 1 has 3 fields, the header has 4/);
  assert.throws(() => parseRunCatalog(ECSV('-5,Crab,83.5,22\n')), /row 1: run_id/);
  assert.throws(() => parseRunCatalog(ECSV('1,Crab,400,22\n')), /source_ra/);
  assert.throws(() => parseRunCatalog('# %ECSV 1.0\nrun_id,source_name\n'), /missing column source_ra/);
});

test('night index from run catalogs: runs by name or position, nights listing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'astran-rc-'));
  mkdirSync(join(dir, 'RunCatalog'));
  writeFileSync(join(dir, 'RunCatalog', 'RunCatalog_20231206.ecsv'), ECSV('1800,Crab,83.63,22.01\n1801,Crab,83.63,22.01\n1802,Mrk421,166.11,38.2\n'));
  writeFileSync(join(dir, 'RunCatalog', 'RunCatalog_20231209.ecsv'), ECSV('1900,CrabNebula_wobble,83.6,22.0\n1901,Mrk 501,253.4,39.7\n'));
  writeFileSync(join(dir, 'RunCatalog', 'notes.txt'), 'x');
  const sources = SourceCatalog.fromFile(new URL('../../../config/sources.yaml', import.meta.url).pathname);
  const idx = new RunCatalogNightIndex({ catalog: '{base}/RunCatalog/RunCatalog_{night}.ecsv', base: dir, sources, files: localFiles, log: silentLogger });
  const crab = sources.resolve('crab')!;
  assert.deepEqual((await idx.runs(crab, '20231206', '20231206')).map((r) => r.runId), [1800, 1801]);
  assert.deepEqual((await idx.runs(crab, '20231206', '20231210')).map((r) => r.runId), [1800, 1801, 1900], 'unknown name matched by position');
  assert.deepEqual(await idx.nights(crab), [{ night: '20231206', runs: 2 }, { night: '20231209', runs: 1 }]);
  assert.deepEqual(await idx.runs(crab, '20231207', '20231208'), []);
});
