/** The stand-in stage tools used by the local and Slurm backend tests behave like the lstchain CLIs they replace. */
import { describe, it, beforeEach, afterEach } from 'node:test';
import { REPO_HESS } from '../../helpers/clusterReadable.js';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';

const HESS = REPO_HESS;
const S = resolve('test/fakes/standins');
let dir: string;

function run(script: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [join(S, script), ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'astran-standin-'));
  mkdirSync(join(dir, 'models'));
  mkdirSync(join(dir, 'irf'));
  writeFileSync(join(dir, 'irf', 'irf_Run23523.fits.gz'), 'irf');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function dl1(run: number): string {
  const f = join(dir, `dl1_LST-1.Run${String(run).padStart(5, '0')}.h5`);
  writeFileSync(f, `dl1 ${run}`);
  return f;
}
function dl3Args(dl2: string, extra: string[] = []): string[] {
  return ['-d', dl2, '-o', join(dir, 'DL3'), '-i', join(dir, 'irf'), '--source-name', 'Crab', '--source-ra', '83.633deg', '--source-dec', '22.01deg', ...extra];
}

describe('standin_lstchain_dl1_to_dl2', () => {
  it('writes <out>/<dl1→dl2 name> with the run id and input sha256, and refuses to overwrite', () => {
    const input = dl1(1807);
    const r = run('standin_lstchain_dl1_to_dl2.mjs', ['-f', input, '-p', join(dir, 'models'), '-o', join(dir, 'DL2')]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, / INFO \[lstchain_dl1_to_dl2\] Writing DL2 file/);
    const out = JSON.parse(readFileSync(join(dir, 'DL2', 'dl2_LST-1.Run01807.h5'), 'utf8'));
    assert.equal(out.run_id, 1807);
    assert.equal(out.input_sha256, sha(input));
    const again = run('standin_lstchain_dl1_to_dl2.mjs', ['-f', input, '-p', join(dir, 'models'), '-o', join(dir, 'DL2')]);
    assert.equal(again.code, 1);
    assert.match(again.err, /exists, exiting/);
  });

  it('fails on a missing input, a missing models dir, an unknown flag or a missing required flag', () => {
    assert.equal(run('standin_lstchain_dl1_to_dl2.mjs', ['-f', join(dir, 'none.h5'), '-p', join(dir, 'models')]).code, 1);
    assert.equal(run('standin_lstchain_dl1_to_dl2.mjs', ['-f', dl1(1), '-p', join(dir, 'nomodels')]).code, 1);
    const bad = run('standin_lstchain_dl1_to_dl2.mjs', ['-f', dl1(1), '-p', join(dir, 'models'), '--bogus']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /unrecognized arguments: --bogus/);
    assert.match(run('standin_lstchain_dl1_to_dl2.mjs', ['-f', dl1(1)]).err, /required: -p\/--path-models/);
  });

  it('injects failures: FAIL_RUNS exits 3 leaving a partial file, as a crash does; FAIL_ONCE_DIR fails the first attempt only', () => {
    const out = join(dir, 'DL2');
    const args = (r: number) => ['-f', dl1(r), '-p', join(dir, 'models'), '-o', out];
    const f = run('standin_lstchain_dl1_to_dl2.mjs', args(1808), { ASTRAN_STANDIN_FAIL_RUNS: '1807, 1808' });
    assert.equal(f.code, 3);
    assert.match(f.err, /HDF5ExtError/);
    assert.equal(readFileSync(join(out, 'dl2_LST-1.Run01808.h5'), 'utf8'), 'PARTIAL');
    const once = { ASTRAN_STANDIN_FAIL_ONCE_DIR: join(dir, 'once') };
    assert.equal(run('standin_lstchain_dl1_to_dl2.mjs', args(1809), once).code, 3);
    assert.equal(readFileSync(join(out, 'dl2_LST-1.Run01809.h5'), 'utf8'), 'PARTIAL');
    assert.notEqual(run('standin_lstchain_dl1_to_dl2.mjs', args(1809), once).code, 0, 'like lstchain: refuses to overwrite, even its own partial file');
    rmSync(join(out, 'dl2_LST-1.Run01809.h5'));
    assert.equal(run('standin_lstchain_dl1_to_dl2.mjs', args(1809), once).code, 0);
    assert.equal(run('standin_lstchain_dl1_to_dl2.mjs', args(1811), { ASTRAN_STANDIN_FAIL_RUNS: '1811', ASTRAN_STANDIN_PARTIAL_OUTPUT: '0' }).code, 3);
    assert.ok(!existsSync(join(out, 'dl2_LST-1.Run01811.h5')), 'PARTIAL_OUTPUT=0: nothing left');
    assert.equal(run('standin_lstchain_dl1_to_dl2.mjs', args(1810), once).code, 3, 'per run');
  });
});

describe('standin_lstchain_create_dl3_file', () => {
  const src = join(HESS, 'data', 'hess_dl3_dr1_obs_id_023523.fits.gz');

  it('copies the real DL3 file of a H.E.S.S. run number byte for byte (--gzip)', () => {
    const dl2 = join(dir, 'dl2_LST-1.Run23523.h5');
    writeFileSync(dl2, '{}');
    const r = run('standin_lstchain_create_dl3_file.mjs', dl3Args(dl2, ['--gzip']), { ASTRAN_STANDIN_DL3_SOURCE_DIR: join(HESS, 'data') });
    assert.equal(r.code, 0, r.err);
    assert.equal(sha(join(dir, 'DL3', 'dl3_LST-1.Run23523.fits.gz')), sha(src));
  });

  it('maps other run ids through ASTRAN_STANDIN_DL3_MAP; without --gzip it writes plain FITS', () => {
    const dl2 = join(dir, 'dl2_LST-1.Run01807.h5');
    writeFileSync(dl2, '{}');
    const env = { ASTRAN_STANDIN_DL3_SOURCE_DIR: join(HESS, 'data'), ASTRAN_STANDIN_DL3_MAP: '1808=x.fits.gz, 1807=hess_dl3_dr1_obs_id_023523.fits.gz' };
    const r = run('standin_lstchain_create_dl3_file.mjs', dl3Args(dl2), env);
    assert.equal(r.code, 0, r.err);
    const fits = readFileSync(join(dir, 'DL3', 'dl3_LST-1.Run01807.fits'));
    assert.equal(fits.subarray(0, 6).toString(), 'SIMPLE');
    assert.ok(fits.equals(gunzipSync(readFileSync(src))));
  });

  it('refuses to overwrite without --overwrite, and overwrites with it', () => {
    const dl2 = join(dir, 'dl2_LST-1.Run23523.h5');
    writeFileSync(dl2, '{}');
    const env = { ASTRAN_STANDIN_DL3_SOURCE_DIR: join(HESS, 'data') };
    assert.equal(run('standin_lstchain_create_dl3_file.mjs', dl3Args(dl2, ['--gzip']), env).code, 0);
    const r = run('standin_lstchain_create_dl3_file.mjs', dl3Args(dl2, ['--gzip']), env);
    assert.equal(r.code, 1);
    assert.match(r.err, /already exists\. Use --overwrite/);
    assert.equal(run('standin_lstchain_create_dl3_file.mjs', dl3Args(dl2, ['--gzip', '--overwrite']), env).code, 0);
  });

  it('validates coordinates, IRF directory/pattern and the source mapping like the real tool', () => {
    const dl2 = join(dir, 'dl2_LST-1.Run23523.h5');
    writeFileSync(dl2, '{}');
    const env = { ASTRAN_STANDIN_DL3_SOURCE_DIR: join(HESS, 'data') };
    const base = ['-d', dl2, '-o', join(dir, 'DL3'), '-i', join(dir, 'irf'), '--source-name', 'Crab'];
    assert.match(run('standin_lstchain_create_dl3_file.mjs', base, env).err, /NameResolveError/);
    assert.match(run('standin_lstchain_create_dl3_file.mjs', [...base, '--source-ra', '83.6', '--source-dec', '22deg'], env).err, /not an angle with unit/);
    assert.match(run('standin_lstchain_create_dl3_file.mjs', [...base, '--source-ra', '83.6deg', '--source-dec', '95deg'], env).err, /out of range/);
    assert.match(run('standin_lstchain_create_dl3_file.mjs', dl3Args(dl2, ['-p', '*nothing*']), env).err, /No IRF files matching/);
    const r = run('standin_lstchain_create_dl3_file.mjs', dl3Args(join(dir, 'dl2_LST-1.Run23523.h5')), {});
    assert.equal(r.code, 1);
    assert.match(r.err, /no real DL3 file mapped for run 23523/);
    assert.equal(existsSync(join(dir, 'DL3', 'dl3_LST-1.Run23523.fits')), false);
  });
});

describe('standin_lstchain_create_dl3_index_files', () => {
  function dl3Dir(): string {
    const d = join(dir, 'DL3');
    mkdirSync(d, { recursive: true });
    for (const obs of ['023523', '033787']) writeFileSync(join(d, `dl3_LST-1.Run${obs.slice(1)}.fits.gz`), readFileSync(join(HESS, 'data', `hess_dl3_dr1_obs_id_${obs}.fits.gz`)));
    return d;
  }

  it("fails with the default pattern 'dl3*.fits', which does not match .fits.gz", () => {
    const d = dl3Dir();
    const r = run('standin_lstchain_create_dl3_index_files.mjs', ['-d', d, '-o', d]);
    assert.equal(r.code, 1);
    assert.match(r.err, /No DL3 files matching 'dl3\*\.fits'/);
  });

  it('lists the files with their EVENTS header keywords and copies the real index files when asked', () => {
    const d = dl3Dir();
    const r = run('standin_lstchain_create_dl3_index_files.mjs', ['-d', d, '-o', d, '-p', 'dl3*.fits.gz'], { ASTRAN_STANDIN_INDEX_SOURCE_DIR: HESS });
    assert.equal(r.code, 0, r.err);
    const idx = JSON.parse(readFileSync(join(d, 'dl3-index.json'), 'utf8'));
    assert.deepEqual(idx.files.map((f: { file: string; OBS_ID: number; OBJECT: string }) => [f.file, f.OBS_ID, f.OBJECT]), [
      ['dl3_LST-1.Run23523.fits.gz', 23523, 'Crab Nebula'],
      ['dl3_LST-1.Run33787.fits.gz', 33787, 'PKS 2155-304'],
    ]);
    assert.ok(idx.files[0].LIVETIME > 1000);
    assert.equal(sha(join(d, 'obs-index.fits.gz')), sha(join(HESS, 'obs-index.fits.gz')));
    assert.equal(sha(join(d, 'hdu-index.fits.gz')), sha(join(HESS, 'hdu-index.fits.gz')));
    const again = run('standin_lstchain_create_dl3_index_files.mjs', ['-d', d, '-o', d, '-p', 'dl3*.fits.gz']);
    assert.equal(again.code, 1);
    assert.match(again.err, /File exists/);
    assert.equal(run('standin_lstchain_create_dl3_index_files.mjs', ['-d', d, '-o', d, '-p', 'dl3*.fits.gz', '--overwrite']).code, 0);
  });

  it('requires the output folder to exist', () => {
    const d = dl3Dir();
    const r = run('standin_lstchain_create_dl3_index_files.mjs', ['-d', d, '-o', join(dir, 'missing'), '-p', 'dl3*.fits.gz']);
    assert.equal(r.code, 1);
    assert.match(r.err, /No such file or directory/);
  });
});
