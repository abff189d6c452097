import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFits, readFits } from '../../../src/fits/FitsFile.js';
import { FitsError } from '../../../src/fits/FitsError.js';
import { parseTform } from '../../../src/fits/BinTable.js';
import { _internal, binTableHdu, fitsFile, gzip, primaryHdu } from '../../helpers/fitsWriter.js';

const allTypes = () =>
  fitsFile(
    [
      {
        extname: 'ALLTYPES',
        header: { LIVETIME: 1581.5, OBJECT: "Crab's", FLAG: true, NEG: -3, DVAL: 1.25e-7 },
        columns: [
          { name: 'FL', tform: 'L', data: [true, false, true] },
          { name: 'BY', tform: 'B', data: [0, 200, 255] },
          { name: 'SH', tform: 'I', data: [-32768, 7, 32767] },
          { name: 'IN', tform: 'J', data: [-2147483648, 123456, 2147483647] },
          { name: 'LO', tform: 'K', data: [5407363825684n, -1n, 9007199254740991n] },
          { name: 'FE', tform: 'E', data: [1.5, -2.25, 3.4e38] },
          { name: 'DD', tform: 'D', data: [Math.PI, -1e-300, 83.633333333333] },
          { name: 'E2', tform: '2E', data: [1, 2, 3, 4, 5, 6] },
          { name: 'D3', tform: '3D', data: [1, 2, 3, 4, 5, 6, 7, 8, 9] },
          { name: 'J2', tform: '2J', data: [-1, 1, -2, 2, -3, 3] },
          { name: 'TXT', tform: '10A', data: ['PKS 2155', 'Crab Nebula!', ''] },
        ],
      },
      { extname: 'EMPTY', columns: [{ name: 'X', tform: 'E', data: [] }] },
    ],
    { ORIGIN: 'test' },
  );

test('every TFORM type with repeat counts decodes to the written values', () => {
  const f = parseFits(allTypes(), 'all.fits');
  assert.equal(f.hdus.length, 3);
  assert.equal(f.hdus[0].header.get('ORIGIN'), 'test');
  const t = f.table('alltypes'); // case-insensitive EXTNAME
  assert.equal(t.nrows, 3);
  assert.deepEqual(Array.from(t.numeric('FL')), [1, 0, 1]);
  assert.deepEqual(Array.from(t.numeric('BY')), [0, 200, 255]);
  assert.ok(t.numeric('SH') instanceof Int16Array);
  assert.deepEqual(Array.from(t.numeric('SH')), [-32768, 7, 32767]);
  assert.ok(t.numeric('IN') instanceof Int32Array);
  assert.deepEqual(Array.from(t.numeric('IN')), [-2147483648, 123456, 2147483647]);
  assert.deepEqual(Array.from(t.numeric('LO')), [5407363825684, -1, 9007199254740991]);
  const fe = t.numeric('FE');
  assert.ok(fe instanceof Float32Array);
  assert.deepEqual(Array.from(fe), [1.5, -2.25, Math.fround(3.4e38)]);
  const dd = t.numeric('DD');
  assert.ok(dd instanceof Float64Array);
  assert.deepEqual(Array.from(dd), [Math.PI, -1e-300, 83.633333333333]);
  assert.deepEqual(Array.from(t.numeric('E2')), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(Array.from(t.numeric('D3')), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(Array.from(t.numeric('J2')), [-1, 1, -2, 2, -3, 3]);
  assert.equal(t.info('E2').repeat, 2);
  assert.deepEqual(t.strings('TXT'), ['PKS 2155', 'Crab Nebul', '']);
  assert.equal(t.header.number('LIVETIME'), 1581.5);
  assert.equal(t.header.string('OBJECT'), "Crab's");
  assert.equal(t.header.get('FLAG'), true);
  assert.equal(t.header.get('NEG'), -3);
  assert.equal(t.header.get('DVAL'), 1.25e-7);
  assert.equal(f.table('EMPTY').nrows, 0);
  assert.equal(f.table('EMPTY').numeric('X').length, 0);
  assert.throws(() => t.numeric('NOPE'), FitsError);
  assert.throws(() => t.strings('FE'), FitsError);
  assert.throws(() => f.table('MISSING'), FitsError);
});

test('columns are decoded lazily and cached', () => {
  const t = parseFits(allTypes(), 'all.fits').table('ALLTYPES');
  assert.equal(t.numeric('FE'), t.numeric('FE'));
});

test('gzip and plain files give identical tables, from disk too', () => {
  const plain = allTypes();
  const dir = mkdtempSync(join(tmpdir(), 'fits-'));
  try {
    writeFileSync(join(dir, 'a.fits'), plain);
    writeFileSync(join(dir, 'a.fits.gz'), gzip(plain));
    const a = readFits(join(dir, 'a.fits')).table('ALLTYPES');
    const b = readFits(join(dir, 'a.fits.gz')).table('ALLTYPES');
    for (const c of ['FL', 'BY', 'SH', 'IN', 'LO', 'FE', 'DD', 'E2', 'D3']) assert.deepEqual(Array.from(b.numeric(c)), Array.from(a.numeric(c)), c);
    assert.deepEqual(b.strings('TXT'), a.strings('TXT'));
    assert.throws(() => readFits(join(dir, 'absent.fits')), (e: unknown) => e instanceof FitsError && e.message === 'absent.fits: file not found');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('TSCAL/TZERO give physical values', () => {
  const buf = fitsFile([{ extname: 'T', header: { TSCAL1: 2, TZERO1: 32768 }, columns: [{ name: 'U', tform: 'I', data: [-32768, 0, 1] }] }]);
  assert.deepEqual(Array.from(parseFits(buf, 't.fits').table('T').numeric('U')), [-32768, 32768, 32770]);
});

function fitsErr(re: RegExp) {
  return (e: unknown) => e instanceof FitsError && e.file === 'bad.fits' && re.test(e.message);
}

test('empty, garbage and non-FITS input are FitsErrors naming the file', () => {
  assert.throws(() => parseFits(Buffer.alloc(0), 'bad.fits'), fitsErr(/empty file/));
  assert.throws(() => parseFits(Buffer.from('hello world'), 'bad.fits'), fitsErr(/too short/));
  const garbage = Buffer.alloc(8000);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919) & 0xff;
  assert.throws(() => parseFits(garbage, 'bad.fits'), fitsErr(/not a FITS file/));
  assert.throws(() => parseFits(Buffer.from('SIMPLE  =' + '\u0001'.repeat(3000), 'latin1'), 'bad.fits'), fitsErr(/non-ASCII/));
});

test('a header with no END card is an error, not a hang', () => {
  const { card, headerBlock } = _internal;
  const b = headerBlock([card('SIMPLE', true), card('BITPIX', 8), card('NAXIS', 0)], false);
  assert.throws(() => parseFits(b, 'bad.fits'), fitsErr(/no END card/));
});

test('truncated files: cut data, NAXIS2 larger than the data, cut gzip', () => {
  const full = allTypes();
  assert.throws(() => parseFits(full.subarray(0, full.length - 2880 - 2800), 'bad.fits'), fitsErr(/truncated|no END/));
  const lying = Buffer.concat([primaryHdu(), binTableHdu({ extname: 'EVENTS', naxis2Override: 100000, columns: [{ name: 'RA', tform: 'E', data: [1, 2, 3] }] })]);
  assert.throws(() => parseFits(lying, 'bad.fits'), fitsErr(/truncated: HDU 1 declares 400000 data bytes/));
  const gz = gzip(full);
  assert.throws(() => parseFits(gz.subarray(0, gz.length / 2), 'bad.fits'), fitsErr(/corrupt or truncated gzip/));
  // Every prefix at block granularity errors cleanly or parses (never crashes with another error type).
  for (let n = 0; n < full.length; n += 1440) {
    try {
      parseFits(full.subarray(0, n), 'bad.fits');
    } catch (e) {
      assert.ok(e instanceof FitsError, `prefix ${n}: ${String(e)}`);
    }
  }
});

test('a row width that disagrees with the columns is an error', () => {
  const { card, headerBlock } = _internal;
  const h = headerBlock([card('XTENSION', 'BINTABLE'), card('BITPIX', 8), card('NAXIS', 2), card('NAXIS1', 5), card('NAXIS2', 1), card('PCOUNT', 0), card('GCOUNT', 1), card('TFIELDS', 1), card('TTYPE1', 'X'), card('TFORM1', 'E')]);
  const b = Buffer.concat([primaryHdu(), h, Buffer.alloc(2880)]);
  assert.throws(() => parseFits(b, 'bad.fits'), fitsErr(/4 bytes per row but NAXIS1 is 5/));
});

test('parseTform reads repeat counts and rejects unknown types', () => {
  assert.deepEqual(parseTform('2E', 'f', 1), { code: 'E', repeat: 2 });
  assert.deepEqual(parseTform('10A', 'f', 1), { code: 'A', repeat: 10 });
  assert.deepEqual(parseTform('K', 'f', 1), { code: 'K', repeat: 1 });
  assert.deepEqual(parseTform('1PE(12)', 'f', 1), { code: 'P', repeat: 1 });
  assert.throws(() => parseTform('Z', 'f', 3), FitsError);
});

test('reads the real H.E.S.S. DR1 files (gzip, 7 HDUs, K/D/E columns)', () => {
  const f = readFits('test/fixtures/hess-dl3-dr1/data/hess_dl3_dr1_obs_id_023523.fits.gz');
  assert.deepEqual(f.hdus.map((h) => h.name), ['', 'EVENTS', 'GTI', 'AEFF', 'EDISP', 'PSF', 'BKG']);
  const ev = f.table('EVENTS');
  assert.equal(ev.nrows, 7613);
  assert.deepEqual(ev.columns.map((c) => `${c.name}:${c.repeat}${c.code}`), ['EVENT_ID:1K', 'TIME:1D', 'RA:1E', 'DEC:1E', 'ENERGY:1E']);
  assert.equal(ev.header.number('OBS_ID'), 23523);
  assert.equal(ev.header.string('DATE-OBS'), '2004-12-04');
  assert.equal(f.table('AEFF').info('EFFAREA').repeat, 576);
  // Values cross-checked with astropy.io.fits.
  assert.deepEqual(Array.from(ev.numeric('RA').subarray(0, 3)), [84.9796371459961, 84.5475082397461, 85.39695739746094]);
  assert.deepEqual(Array.from(ev.numeric('EVENT_ID').subarray(0, 3)), [5407363825684, 5407363825695, 5407363825831]);
  assert.deepEqual(Array.from(ev.numeric('ENERGY').subarray(-2)), [0.5524083971977234, 1.1091196537017822]);
  assert.equal(ev.numeric('TIME')[7612], 123892513.0062654);
  let decSum = 0;
  for (const d of ev.numeric('DEC')) decSum += d;
  assert.ok(Math.abs(decSum - 163406.91708898544) < 1e-6);
  const idx = readFits('test/fixtures/hess-dl3-dr1/obs-index.fits.gz').table('OBS_INDEX');
  assert.equal(idx.nrows, 105);
  assert.equal(idx.strings('OBJECT').filter((s) => s === 'Crab Nebula').length > 0, true);
});

test('zero-width rows and gzip bombs are refused', () => {
  const { card, headerBlock } = _internal;
  const h = headerBlock([card('XTENSION', 'BINTABLE'), card('BITPIX', 8), card('NAXIS', 2), card('NAXIS1', 0), card('NAXIS2', 999999999), card('PCOUNT', 0), card('GCOUNT', 1), card('TFIELDS', 1), card('TTYPE1', 'X'), card('TFORM1', '0A')]);
  assert.throws(() => parseFits(Buffer.concat([primaryHdu(), h]), 'bad.fits'), fitsErr(/rows of zero width/));
  // The default cap is 1 GiB; a small cap shows the mechanism without allocating a gigabyte.
  const bomb = gzip(Buffer.concat([primaryHdu(), Buffer.alloc(4 * 2 ** 20)]));
  assert.throws(() => parseFits(bomb, 'bad.fits', { maxDecompressedBytes: 2 ** 20 }), fitsErr(/decompresses to more than 1048576 bytes/));
});

test('lazy opening inflates a gzip file only up to the HDU asked for', async () => {
  const { openFitsFile } = await import('../../../src/fits/FitsFile.js');
  const path = 'test/fixtures/hess-dl3-dr1/data/hess_dl3_dr1_obs_id_023523.fits.gz';
  const f = openFitsFile(path);
  const ev = f.table('EVENTS');
  assert.equal(ev.nrows, 7613);
  assert.ok(f.bytesAvailable < 947520 / 2, `inflated ${f.bytesAvailable}`);
  assert.equal(f.hdus.length, 7);
  assert.equal(f.bytesAvailable, 947520);
  // Same column values as a complete parse.
  assert.deepEqual(Array.from(ev.numeric('RA')), Array.from(readFits(path).table('EVENTS').numeric('RA')));
});

test('lazy opening: long headers beyond the first inflated chunk, truncation still detected', async () => {
  const { openFits } = await import('../../../src/fits/FitsFile.js');
  let seed = 1;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const noise = Array.from({ length: 1000 }, () => rnd() * 1e6);
  const header: Record<string, string> = {};
  for (let i = 0; i < 20000; i++) header[`K${i}`] = Math.floor(rnd() * 2 ** 48).toString(16);
  const file = fitsFile([
    { extname: 'NOISE', columns: [{ name: 'X', tform: 'E', data: noise }] },
    { extname: 'BIG', header, columns: [{ name: 'V', tform: 'D', data: [1.5, 2.5] }] },
  ]);
  const gz = gzip(file);
  const f = openFits(gz, 'big.fits.gz');
  const big = f.table('BIG');
  assert.equal(big.header.string('K19999'), header.K19999);
  assert.ok(f.bytesAvailable > 1.5e6); // the 1.6 MB header needed several inflate steps
  assert.deepEqual(Array.from(big.numeric('V')), [1.5, 2.5]);
  // Cut inside the BIG header: the lazy reader reaches the end of the stream and reports it.
  const cut = gzip(file.subarray(0, file.length - 2880 * 10));
  assert.throws(() => openFits(cut, 'bad.fits').table('BIG'), fitsErr(/no END card|truncated/));
  assert.throws(() => openFits(gz.subarray(0, gz.length - 100), 'bad.fits').hdus, fitsErr(/corrupt or truncated gzip/));
});
