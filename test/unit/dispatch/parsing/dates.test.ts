import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNight, parseNightRange, daysInMonth } from '../../../../src/dispatch/parsing/dates.js';
import { yesterdayNight } from '../../../../src/util/nights.js';

const NOW = new Date('2023-12-10T09:30:00Z');

const GOOD: [string, string][] = [
  ['20231207', '20231207'],
  ['2023-12-07', '20231207'],
  ['yesterday', '20231209'],
  ['YESTERDAY', '20231209'],
  ['today', '20231210'],
  ['tonight', '20231210'],
  ['20231210', '20231210'], // tonight's night has begun by its name
  ['20240229', ''], // leap day, but in the future here: checked below
  ['20200229', '20200229'],
  ['20041231', '20041231'],
];

for (const [input, night] of GOOD.filter(([, n]) => n)) {
  test(`night ${input} → ${night}`, () => {
    assert.deepEqual(parseNight(input, NOW), { ok: true, night });
  });
}

const BAD: [string, RegExp][] = [
  ['20231301', /month 13 does not exist/],
  ['20230001', /month 0 does not exist/],
  ['20230230', /February 2023 has 28 days/],
  ['20230431', /April 2023 has 30 days/],
  ['20210229', /February 2021 has 28 days/],
  ['20230100', /January 2023 has 31 days/],
  ['20231211', /in the future/],
  ['20240229', /in the future/],
  ['2023-12', /is not a date/],
  ['2023-1207', /is not a date/],
  ['7 Dec', /is not a date/],
  ['', /is not a date/],
];

for (const [input, re] of BAD) {
  test(`night ${JSON.stringify(input)} refused: ${re}`, () => {
    const r = parseNight(input, NOW);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.problem.message, re);
    if (!r.ok) assert.ok(r.problem.fix, 'every problem carries a fix');
  });
}

test('future refusal names the latest allowed night', () => {
  const r = parseNight('20991231', NOW);
  assert.ok(!r.ok && /20231210/.test(r.problem.fix ?? '') && /yesterday/.test(r.problem.fix ?? ''));
});

test('ranges: ordered, inclusive, at most maxNights', () => {
  assert.deepEqual(parseNightRange('20231201..20231207', NOW, 31), { ok: true, from: '20231201', to: '20231207' });
  assert.deepEqual(parseNightRange('2023-11-10..yesterday', NOW, 31), { ok: true, from: '20231110', to: '20231209' });
  assert.deepEqual(parseNightRange('20231110..20231210', NOW, 31), { ok: true, from: '20231110', to: '20231210' }); // 31 nights
  const tooLong = parseNightRange('20231109..20231210', NOW, 31); // 32 nights
  assert.ok(!tooLong.ok && /32 nights; the limit is 31/.test(tooLong.problems[0].message));
  const reversed = parseNightRange('20231207..20231201', NOW, 31);
  assert.ok(!reversed.ok && /ends before it starts/.test(reversed.problems[0].message) && /20231201\.\.20231207/.test(reversed.problems[0].fix ?? ''));
  const both = parseNightRange('20231301..20230230', NOW, 31);
  assert.ok(!both.ok && both.problems.length === 2, 'both ends reported');
  assert.equal(parseNightRange('1..2..3', NOW, 31).ok, false);
  const open = parseNightRange('20231206..', NOW, 31);
  assert.ok(!open.ok && /missing its last night/.test(open.problems[0].message));
});

test('calendar helpers', () => {
  assert.equal(daysInMonth(2024, 2), 29);
  assert.equal(daysInMonth(1900, 2), 28);
  assert.equal(daysInMonth(2000, 2), 29);
  assert.equal(yesterdayNight(new Date('2024-03-01T00:10:00Z')), '20240229');
});
