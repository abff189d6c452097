import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { listObservations, openDataStore, parseNightRange, storeFromFiles } from '../../../src/analysis/DataStore.js';
import { nightOf, parseDateObs, metToDate } from '../../../src/analysis/timeUtil.js';
import { FitsError } from '../../../src/fits/FitsError.js';
import { fitsFile, lstLikeFile } from '../../helpers/fitsWriter.js';

const DIR = 'test/fixtures/hess-dl3-dr1';
const CRAB = { ra: 83.63308, dec: 22.0145 };
const PKS = { ra: 329.71694, dec: -30.22559 };

test('obs-index lists 105 runs; only the 8 shipped files resolve, the rest have file null', () => {
  const s = openDataStore(DIR);
  assert.equal(s.observations.length, 105);
  const withFile = s.observations.filter((o) => o.file !== null).map((o) => o.obsId).sort();
  assert.deepEqual(withFile, [23523, 23526, 23559, 23592, 33787, 33788, 33789, 33790]);
  const o = s.observations.find((x) => x.obsId === 23523)!;
  assert.equal(o.file, resolve(DIR, 'data/hess_dl3_dr1_obs_id_023523.fits.gz'));
  assert.equal(o.night, '20041204');
  assert.equal(o.start, '2004-12-04T22:08:10.184Z');
  assert.equal(o.object, 'Crab Nebula');
  assert.ok(Math.abs(o.zenith! - 48.6) < 0.1);
  assert.ok(Math.abs(o.livetime! - 1581.7368) < 1e-3);
});

test('select by position (3° default radius), night range, runs, requireFile; time ordered', () => {
  const s = openDataStore(DIR);
  const crab = listObservations(s, { position: CRAB, requireFile: true });
  assert.deepEqual(crab.map((o) => o.obsId), [23523, 23526, 23559, 23592]);
  const allCrab = listObservations(s, { position: CRAB });
  assert.equal(allCrab.length, 4); // DR1 has exactly these four Crab runs
  const allPks = listObservations(s, { position: PKS });
  assert.ok(allPks.length > 4 && allPks.some((o) => o.file === null));
  assert.ok(listObservations(s, { position: PKS, requireFile: true }).every((o) => o.file !== null));
  assert.deepEqual(listObservations(s, { position: CRAB, nightFrom: '20041206', nightTo: '20041208', requireFile: true }).map((o) => o.obsId), [23559, 23592]);
  assert.deepEqual(listObservations(s, { position: CRAB, radiusDeg: 1, requireFile: true }).map((o) => o.obsId), [23523, 23526]);
  const pks = listObservations(s, { position: PKS, nightFrom: '20060729', nightTo: '20060729' });
  assert.ok(pks.map((o) => o.obsId).includes(33787));
  assert.ok(pks.every((o) => o.night === '20060729'));
  assert.deepEqual(listObservations(s, { runs: [33790, 23523] }).map((o) => o.obsId), [23523, 33790]);
  for (let i = 1; i < allPks.length; i++) assert.ok(allPks[i - 1].start! <= allPks[i].start!);
});

test('a folder without index files and a plain file list', () => {
  const dir = mkdtempSync(join(tmpdir(), 'astran-ds-'));
  try {
    copyFileSync(join(DIR, 'data/hess_dl3_dr1_obs_id_033787.fits.gz'), join(dir, 'a.fits.gz'));
    writeFileSync(
      join(dir, 'dl3_LST-1.Run00042.fits'),
      lstLikeFile({ ra: [1], dec: [2], energy: [1] }, { obsId: 42, raPnt: 83.6, decPnt: 22.5, livetime: 600, dateObs: '2024-03-05', timeObs: '01:30:00', object: 'Crab', raObj: 83.6, decObj: 22, alt: 70 }),
    );
    const s = openDataStore(dir);
    assert.equal(s.dir, null);
    assert.deepEqual(s.observations.map((o) => o.obsId).sort((a, b) => a - b), [42, 33787]);
    const lst = s.observations.find((o) => o.obsId === 42)!;
    assert.equal(lst.night, '20240304');
    assert.ok(Math.abs(lst.zenith! - 20) < 1e-9);
    const f = storeFromFiles([join(dir, 'a.fits.gz')]);
    assert.equal(f.observations[0].obsId, 33787);
    assert.equal(f.observations[0].night, '20060729');
    assert.throws(() => openDataStore(join(dir, 'nope')), FitsError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('nights: UTC date of start − 12 h; date parsing; MET conversion', () => {
  assert.equal(nightOf(new Date('2024-03-05T01:30:00Z')), '20240304');
  assert.equal(nightOf(new Date('2024-03-04T12:00:00Z')), '20240304');
  assert.equal(nightOf(new Date('2024-03-04T11:59:59Z')), '20240303');
  assert.equal(parseDateObs('2004-12-04', '22:08:10.184')!.toISOString(), '2004-12-04T22:08:10.184Z');
  assert.equal(parseDateObs('2021-01-02T03:04:05', undefined)!.toISOString(), '2021-01-02T03:04:05.000Z');
  assert.equal(parseDateObs('garbage', undefined), undefined);
  // H.E.S.S. run 23523: TSTART + MJDREF reproduces its DATE-OBS/TIME-OBS.
  const d = metToDate(123890826, 51910, 0.000742870370370241);
  assert.ok(Math.abs(d.getTime() - Date.parse('2004-12-04T22:08:10.184Z')) <= 1);
});

test('night range syntax', () => {
  assert.deepEqual(parseNightRange('20240304'), { from: '20240304', to: '20240304' });
  assert.deepEqual(parseNightRange('20240301..20240310'), { from: '20240301', to: '20240310' });
  assert.equal(parseNightRange('20240310..20240301'), undefined);
  assert.equal(parseNightRange('20240231'), undefined);
  assert.equal(parseNightRange('2024-03-04'), undefined);
  assert.equal(parseNightRange('20240304..'), undefined);
});

test('a minimal GADF index: start from TSTART + MJDREF, zenith from ALT_PNT, FILE_DIR relative to the index', () => {
  const dir = mkdtempSync(join(tmpdir(), 'astran-idx-'));
  try {
    // TSTART 0 at MJD 60374.0625 = 2024-03-05T01:30:00Z → night 20240304.
    writeFileSync(
      join(dir, 'obs-index.fits'),
      fitsFile([{ extname: 'OBS_INDEX', header: { MJDREFI: 60374, MJDREFF: 0.0625 }, columns: [
        { name: 'OBS_ID', tform: 'K', data: [7, 8] },
        { name: 'RA_PNT', tform: 'D', data: [83.6, 83.6] },
        { name: 'DEC_PNT', tform: 'D', data: [22.5, 22.5] },
        { name: 'ALT_PNT', tform: 'E', data: [70, 65] },
        { name: 'TSTART', tform: 'D', data: [0, 86400] },
        { name: 'OBJECT', tform: '8A', data: ['Crab', 'Crab'] },
      ] }]),
    );
    writeFileSync(
      join(dir, 'hdu-index.fits'),
      fitsFile([{ extname: 'HDU_INDEX', columns: [
        { name: 'OBS_ID', tform: 'K', data: [7, 7, 8] },
        { name: 'HDU_TYPE', tform: '8A', data: ['gti', 'events', 'events'] },
        { name: 'HDU_CLASS', tform: '8A', data: ['gti', 'events', 'events'] },
        { name: 'FILE_DIR', tform: '8A', data: ['runs', 'runs', 'runs'] },
        { name: 'FILE_NAME', tform: '20A', data: ['r7.fits', 'r7.fits', 'r8.fits'] },
        { name: 'HDU_NAME', tform: '8A', data: ['GTI', 'EVENTS', 'EVENTS'] },
      ] }]),
    );
    mkdirSync(join(dir, 'runs'));
    writeFileSync(join(dir, 'runs', 'r7.fits'), 'placeholder');
    const s = openDataStore(dir);
    assert.deepEqual(s.observations.map((o) => [o.obsId, o.night, o.start, o.zenith, o.file]), [
      [7, '20240304', '2024-03-05T01:30:00.000Z', 20, join(dir, 'runs', 'r7.fits')],
      [8, '20240305', '2024-03-06T01:30:00.000Z', 25, null],
    ]);
    assert.deepEqual(listObservations(s, { nightFrom: '20240305', nightTo: '20240305' }).map((o) => o.obsId), [8]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
