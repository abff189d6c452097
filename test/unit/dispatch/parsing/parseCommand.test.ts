import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeCommandText, normalizeText, stripAddress } from '../../../../src/dispatch/parsing/normalizeText.js';
import { parseCommand, canonicalKey } from '../../../../src/dispatch/parsing/parseCommand.js';

type Row = [input: string, verb: string, pairs: Record<string, string>, positionals?: string[]];

// Each row: raw text as typed → verb, key/value pairs, positionals (after normalisation and parsing).
const ROWS: Row[] = [
  ['launch source=Crab date=20231207', 'launch', { source: 'Crab', date: '20231207' }],
  ['/astran launch source=Crab date=20231207', 'launch', { source: 'Crab', date: '20231207' }],
  ['/ASTRAN Launch SOURCE=Crab', 'launch', { source: 'Crab' }],
  ['@astran launch source=Crab', 'launch', { source: 'Crab' }],
  ['@astran: status', 'status', {}],
  ['<@U123ABC> status A-0042', 'status', {}, ['A-0042']],
  ['<@U123ABC|astran> /astran jobs', 'jobs', {}],
  ['launch source="PKS 2155-304" date=20231201', 'launch', { source: 'PKS 2155-304', date: '20231201' }],
  ["launch source='PKS 2155-304' date=20231201", 'launch', { source: 'PKS 2155-304', date: '20231201' }],
  ['launch source=“PKS 2155–304” date=20231201', 'launch', { source: 'PKS 2155-304', date: '20231201' }],
  ['launch source=‘Mrk 421’ date=2023—12—01', 'launch', { source: 'Mrk 421', date: '2023-12-01' }],
  ['launch\u00A0source=Crab\u00A0date=yesterday', 'launch', { source: 'Crab', date: 'yesterday' }],
  ['launch source=Crab\u200B date=yesterday', 'launch', { source: 'Crab', date: 'yesterday' }],
  ['launch ｓｏｕｒｃｅ＝Ｃｒａｂ', 'launch', { source: 'Crab' }], // full-width → NFKC
  ['launch note=a=b=c', 'launch', { note: 'a=b=c' }],
  ['launch note="x = y"', 'launch', { note: 'x = y' }],
  ['launch source = Crab date= 20231207', 'launch', { source: 'Crab', date: '20231207' }],
  ['launch dry_run= source=Crab', 'launch', { dry_run: '', source: 'Crab' }],
  ['launch Theta2-Cut=0.03 OFF_REGIONS=3', 'launch', { theta2_cut: '0.03', off_regions: '3' }],
  ['launch source=Barnard\'s date=1', 'launch', { source: "Barnard's", date: '1' }],
  ['help launch', 'help', {}, ['launch']],
  ['status?', 'status', {}],
  ['launch "a=b" dry_run', 'launch', {}, ['a=b', 'dry_run']],
  ['launch source=""', 'launch', { source: '' }],
  ['  \t launch   \n source=Crab  ', 'launch', { source: 'Crab' }],
  ['source=Crab date=1', '', { source: 'Crab', date: '1' }],
  ['', '', {}],
];

for (const [input, verb, pairs, positionals = []] of ROWS) {
  test(`parse ${JSON.stringify(input)}`, () => {
    const r = parseCommand(normalizeCommandText(input));
    assert.ok(r.ok, `expected a parse, got ${JSON.stringify(r)}`);
    assert.equal(r.command.verb, verb);
    assert.deepEqual(Object.fromEntries(r.command.pairs.map((p) => [p.key, p.value])), pairs);
    assert.deepEqual(r.command.positionals, positionals);
  });
}

test('an unclosed quote is a parse problem naming the quote and the fix', () => {
  const r = parseCommand('launch source="PKS 2155-304 date=20231201');
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.match(r.problems[0].message, /never closed/);
    assert.match(r.problems[0].fix ?? '', /closing "/);
  }
});

test('a pair with no key is a problem', () => {
  const r = parseCommand('launch =Crab');
  assert.equal(r.ok, false);
});

test('normalizeText maps smart quotes, dashes, NBSP and strips control characters', () => {
  assert.equal(normalizeText('“a” ‘b’ c–d—e\u00A0f\u0007g'), `"a" 'b' c-d-e fg`);
});

test('stripAddress removes mention and prefix in either order, once each', () => {
  assert.equal(stripAddress('@astran /astran status'), 'status');
  assert.equal(stripAddress('/astran @astran status'), 'status');
  assert.equal(stripAddress('/astranx status'), '/astranx status');
  assert.equal(stripAddress('@astranbot status'), '@astranbot status');
  assert.equal(stripAddress('/astran'), '');
});

test('canonicalKey: case-insensitive, - and _ equivalent', () => {
  assert.equal(canonicalKey('Theta2-Cut'), 'theta2_cut');
  assert.equal(canonicalKey('DRY_RUN'), 'dry_run');
});
