import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseDecLine, decLines, decLineText, parseDecLine } from '../../../src/pipeline/decLine.js';
import { ClusterDecLinePicker } from '../../../src/pipeline/DecLinePicker.js';
import { silentLogger } from '../../../src/log.js';
import { FakeBackend } from '../../fakes/FakeBackend.js';

// The lines of the lstmcpipe AllSky productions (dec_6166_high_density is not a plain line: lstosa ignores it).
const NAMES = ['dec_931', 'dec_2276', 'dec_3476', 'dec_4822', 'dec_5573', 'dec_6166', 'dec_6166_high_density', 'dec_6676', 'dec_min_413', 'dec_min_1802', 'dec_min_2924', 'README', 'dec_22'];
const LINES = decLines(NAMES);

test('line names: dec_XXXX and dec_min_XXXX in hundredths of a degree, nothing else', () => {
  assert.equal(parseDecLine('dec_2276'), 22.76);
  assert.equal(parseDecLine('dec_min_413'), -4.13);
  assert.equal(parseDecLine('dec_931'), 9.31);
  for (const bad of ['dec_6166_high_density', 'dec_22', 'dec_12345', 'Dec_2276', 'dec_-413', 'dec_2276/']) assert.equal(parseDecLine(bad), undefined, bad);
  assert.deepEqual(LINES.map((l) => l.name).sort(), ['dec_2276', 'dec_3476', 'dec_4822', 'dec_5573', 'dec_6166', 'dec_6676', 'dec_931', 'dec_min_1802', 'dec_min_2924', 'dec_min_413']);
});

// Pointing declinations as in LST-1 RunCatalogs (wobble offsets of 0.4° around the source).
const TABLE: [source: string, pointingDec: number, expected: string | null, why: string][] = [
  ['Crab Nebula', 22.01, 'dec_2276', 'nearest line, 0.75° away'],
  ['Crab Nebula (wobble north)', 22.41, 'dec_2276', 'nearest line'],
  ['Mrk 421', 38.21, 'dec_3476', 'nearest (3.4°), culmination 6.0° ≤ 9.4°'],
  ['Mrk 501', 39.76, 'dec_3476', 'nearest (5.0° vs 8.5°)'],
  ['1ES 1959+650', 65.15, 'dec_6166', 'dec_6676 is nearer but culminates farther from zenith (38.0° > 36.4°): lstosa drops it'],
  ['PKS 2155-304 (southern)', -30.23, 'dec_min_2924', 'nearest southern line, culmination 58.0° ≤ 59.0°'],
  ['Sgr A* (southern)', -29.01, null, 'the guard drops dec_min_2924 (culminates at 58.0°, the pointing at 57.8°); dec_min_1802 is 11.0° away > 8°'],
  ['between the lines around the latitude', 28.0, 'dec_2276', 'pointing within [22.76, 34.76]: nearest (5.24° vs 6.76°), no culmination guard'],
  ['far south, out of range', -60.0, null, 'nearest line 30.8° away > 8°'],
  ['out-of-range declination near the pole', 85.0, null, 'nearest line 18.2° away > 8°'],
];

for (const [source, dec, expected, why] of TABLE) {
  test(`dec line for ${source} (pointing ${dec}°): ${expected ?? 'refused'} — ${why}`, () => {
    const c = chooseDecLine(dec, LINES, { maxDistanceDeg: 8 });
    if (expected === null) {
      assert.equal(c.ok, false);
      assert.equal(c.ok === false && c.reason, 'too_far');
    } else {
      assert.ok(c.ok, JSON.stringify(c));
      assert.equal(c.line.name, expected);
    }
  });
}

test('the culmination guard is skipped only between the two lines nearest the site latitude', () => {
  // 21.0 lies outside [22.76, 34.76]: dec_2276 (1.76° away) culminates at 6.0°, closer to zenith than the pointing
  // (7.76°), so it is kept; with a wider limit Sgr A* gets lstosa's own answer, dec_min_1802.
  assert.equal((chooseDecLine(21.0, LINES, { maxDistanceDeg: 8 }) as { line: { name: string } }).line.name, 'dec_2276');
  const sgr = chooseDecLine(-29.01, LINES, { maxDistanceDeg: 12 });
  assert.ok(sgr.ok && sgr.line.name === 'dec_min_1802', JSON.stringify(sgr));
  // Without dec_6166 the 1ES 1959+650 pointing has no line culminating closer to zenith nearby → the guard moves on to dec_5573.
  const noLine = LINES.filter((l) => l.name !== 'dec_6166');
  const c = chooseDecLine(65.15, noLine, { maxDistanceDeg: 20 });
  assert.ok(c.ok && c.line.name === 'dec_5573', JSON.stringify(c));
  assert.equal(chooseDecLine(65.15, noLine, { maxDistanceDeg: 8 }).ok, false, 'then 9.4° is too far');
  assert.deepEqual(chooseDecLine(10, [], { maxDistanceDeg: 8 }), { ok: false, reason: 'no_lines' });
});

test('the picker lists lines through the backend (present under every root) and explains refusals', async () => {
  const cluster = new FakeBackend();
  for (const n of ['dec_2276', 'dec_3476', 'dec_6676']) cluster.files.add(`/models/${n}/model.sav`);
  for (const n of ['dec_2276', 'dec_3476']) cluster.files.add(`/irf/${n}/irf.fits.gz`);
  const picker = new ClusterDecLinePicker({ roots: ['/models', '/irf'], maxDistanceDeg: 8, latitudeDeg: 28.761944, files: cluster, log: silentLogger });
  assert.deepEqual((await picker.available()).map((l) => l.name).sort(), ['dec_2276', 'dec_3476'], 'dec_6676 has models but no IRFs');
  const ok = await picker.pick([{ runId: 1, night: '20231206', source: 'Crab Nebula', pointingDec: 22.0 }, { runId: 2, night: '20231206', source: 'Mrk 421', pointingDec: 38.2 }]);
  assert.deepEqual(ok, { ok: true, lines: { '1': { line: 'dec_2276', dec: 22.76, pointingDec: 22.0 }, '2': { line: 'dec_3476', dec: 34.76, pointingDec: 38.2 } } });
  assert.equal(decLineText(ok.ok ? ok.lines : undefined), 'RF models + IRFs: dec_2276 (+22.76°; run 1), dec_3476 (+34.76°; run 2)');
  const far = await picker.pick([{ runId: 7, night: '20231206', source: 'X', pointingDec: 65.2 }, { runId: 8, night: '20231206', source: 'X' }]);
  assert.equal(far.ok, false);
  const text = far.ok ? '' : far.problems.map((p) => `${p.message} ${p.fix}`).join('\n');
  assert.match(text, /No RF models and IRFs within 8° of the pointing of run 7 \(pointing declination \+65\.20°; the nearest usable line is dec_3476, 30\.4° away\)/);
  assert.match(text, /Available lines: dec_2276 \(\+22\.76°\), dec_3476 \(\+34\.76°\)/);
  assert.match(text, /no pointing declination for run 8/);
  assert.doesNotMatch(text, /\/models|\/irf/, 'no paths in chat');
});
