import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readRun, type RunData } from '../../../src/analysis/RunData.js';
import { streamRun } from '../../../src/analysis/streamRun.js';
import { FitsStream } from '../../../src/fits/FitsStream.js';
import { FitsError } from '../../../src/fits/FitsError.js';
import { eventsHeader, fitsFile, gzip, lstLikeFile, magicLikeFile } from '../../helpers/fitsWriter.js';

const DATA = resolve('test/fixtures/hess-dl3-dr1/data');
const META = { obsId: 4242, raPnt: 83.633, decPnt: 21.614, livetime: 1200, dateObs: '2024-03-05', timeObs: '01:30:00', object: 'Crab', raObj: 83.633, decObj: 22.014, alt: 60 };

/** RunData as plain values, for deepEqual across typed-array types (the types are compared separately). */
function plain(r: RunData) {
  return { ...r, ra: Array.from(r.ra), dec: Array.from(r.dec), energy: r.energy && Array.from(r.energy), types: [r.ra.constructor.name, r.dec.constructor.name, r.energy?.constructor.name] };
}

function events(n: number, seed = 1) {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const ra: number[] = [], dec: number[] = [], energy: number[] = [];
  for (let i = 0; i < n; i++) {
    ra.push(83 + rnd());
    dec.push(21.5 + rnd());
    energy.push(0.1 + 10 * rnd());
  }
  return { ra, dec, energy };
}

let dir = '';
test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'astran-stream-'));
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('streamRun gives exactly what readRun gives on every H.E.S.S. DR1 file, with and without RAD_MAX', async () => {
  const files = readdirSync(DATA).filter((f) => f.endsWith('.fits.gz'));
  assert.ok(files.length >= 4);
  for (const f of files) {
    for (const radMax of [false, true]) {
      const p = join(DATA, f);
      assert.deepEqual(plain(await streamRun(p, { radMax })), plain(readRun(p, { radMax })), `${f} radMax=${radMax}`);
    }
  }
});

test('LST-like (pointing only in a POINTING HDU after EVENTS, double RA/DEC) and MAGIC-like (RAD_MAX) files', async () => {
  const lst = join(dir, 'lst.fits');
  writeFileSync(lst, lstLikeFile(events(50), META));
  const a = await streamRun(lst);
  assert.deepEqual(plain(a), plain(readRun(lst)));
  assert.ok(a.ra instanceof Float64Array);
  assert.equal(a.zenith, 30);
  assert.deepEqual(a.pointing, { ra: META.raPnt, dec: META.decPnt });

  const magic = join(dir, 'magic.fits.gz');
  writeFileSync(magic, gzip(magicLikeFile(events(40), META, { energyEdges: [0.1, 1, 10, 100], thetaEdges: [0, 0.3, 1], radMax: [0.5, 0.5, 0.5, 0.1, 0.2, 0.3] })));
  const b = await streamRun(magic, { radMax: true });
  assert.deepEqual(plain(b), plain(readRun(magic, { radMax: true })));
  assert.deepEqual(Array.from(b.radMax!.radMax), [0.5, 0.5, 0.5, 0.1, 0.2, 0.3].map(Math.fround));
});

test('rows split between inflated pieces are joined (200 000 rows of 28 bytes, gzip and plain)', async () => {
  const ev = events(200_000, 7);
  const n = ev.ra.length;
  const table = {
    extname: 'EVENTS',
    header: eventsHeader({ ...META }),
    columns: [
      { name: 'EVENT_ID', tform: 'K', data: Array.from({ length: n }, (_, i) => BigInt(i)) },
      { name: 'TIME', tform: 'D', data: Array.from({ length: n }, (_, i) => i * 0.01) },
      { name: 'RA', tform: 'E', unit: 'deg', data: ev.ra },
      { name: 'DEC', tform: 'E', unit: 'deg', data: ev.dec },
      { name: 'ENERGY', tform: 'E', unit: 'TeV', data: ev.energy },
    ],
  };
  const raw = fitsFile([table, { extname: 'GTI', columns: [{ name: 'START', tform: 'D', data: [0] }, { name: 'STOP', tform: 'D', data: [1] }] }]);
  for (const [name, bytes] of [['big.fits', raw], ['big.fits.gz', gzip(raw)]] as const) {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    const r = await streamRun(p);
    assert.equal(r.ra.length, n);
    assert.deepEqual(Array.from(r.ra), Array.from(Float32Array.from(ev.ra)));
    assert.deepEqual(Array.from(r.energy!), Array.from(Float32Array.from(ev.energy)));
    assert.deepEqual(plain(r), plain(readRun(p)));
  }
});

test('a gzip file is inflated no further than EVENTS (the IRFs after it are never decompressed)', async () => {
  const p = join(DATA, 'hess_dl3_dr1_obs_id_023523.fits.gz');
  const whole = gunzipSync(readFileSync(p)).length;
  const s = await FitsStream.open(p);
  try {
    let h = await s.nextHdu();
    while (h && h.name !== 'EVENTS') h = await s.nextHdu();
    assert.ok(h);
    let rows = 0;
    await s.readRows(h.header.requireInt('NAXIS1', s.name, h.index), h.header.requireInt('NAXIS2', s.name, h.index), (_b, _f, k) => (rows += k));
    assert.equal(rows, 7613);
    assert.ok(s.bytesInflated < whole / 2, `inflated ${s.bytesInflated} of ${whole}`);
  } finally {
    s.close();
  }
});

test('broken files are FitsErrors naming the file: truncated data, corrupt gzip, not FITS, empty, missing', async () => {
  const good = readFileSync(join(DATA, 'hess_dl3_dr1_obs_id_023523.fits.gz'));
  const plainBytes = gunzipSync(good);
  const cases: [string, Buffer, RegExp][] = [
    ['trunc.fits', plainBytes.subarray(0, 100_000), /truncated: HDU 1 declares 213164 data bytes/],
    ['trunc.fits.gz', good.subarray(0, 40_000), /corrupt or truncated gzip data|truncated/],
    ['corrupt.fits.gz', Buffer.concat([good.subarray(0, 20), Buffer.alloc(5000, 0x55)]), /corrupt or truncated gzip data/],
    ['text.fits', Buffer.from('SIMPLE  = nonsense'), /too short for FITS/],
    ['other.fits', Buffer.alloc(2880, 0x41), /not a FITS file/],
    ['empty.fits', Buffer.alloc(0), /empty file/],
  ];
  for (const [name, bytes, re] of cases) {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    await assert.rejects(streamRun(p), (e: unknown) => e instanceof FitsError && e.file === name && re.test(e.problem), name);
  }
  await assert.rejects(streamRun(join(dir, 'absent.fits')), (e: unknown) => e instanceof FitsError && /file not found/.test(e.problem));
  const noEvents = join(dir, 'noevents.fits');
  writeFileSync(noEvents, fitsFile([{ extname: 'GTI', columns: [{ name: 'START', tform: 'D', data: [0] }] }]));
  await assert.rejects(streamRun(noEvents), (e: unknown) => e instanceof FitsError && /no HDU named EVENTS/.test(e.problem));
  assert.ok(statSync(dir).isDirectory());
});
