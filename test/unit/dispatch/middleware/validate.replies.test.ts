import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestBackend } from '../../../fakes/TestBackend.js';

// Table: what alice (launcher) types → substrings that must appear in the one reply (all problems at once).
const ROWS: [input: string, expected: (string | RegExp)[]][] = [
  ['launch source=Crab', ['Missing date.', 'Try: `/astran launch source=Crab date=20231209`']],
  ['launch date=20231206', ['Missing source.', '`/astran launch source=Crab date=20231206`']],
  ['launch', ['Missing source and date.', 'source=Crab date=20231209']],
  ['launch source="Crab Nebula"', ['Missing date.', 'source="Crab Nebula" date=20231209']],
  ['launch source=Crabb date=20231206', ["don't know the source `Crabb`", 'Did you mean `Crab Nebula`']],
  ['launch source=Mrk42 date=20231206', ['Did you mean', 'Mrk 421']],
  ['launch source=Crab date=20231301', ['month 13 does not exist']],
  ['launch source=Crab date=20230230', ['February 2023 has 28 days']],
  ['launch source=Crab date=20991231', ['in the future', 'has not begun yet']],
  ['launch source=Crab date=20231001..20231209', ['covers 70 nights; the limit is 31']],
  ['launch source=Crab date=20231207', ['no runs of Crab Nebula on 20231207', 'observed on 20231206 (3 runs) and 20231209 (2 runs)', 'Try: `/astran launch source=Crab date=20231206`']],
  ['launch source=Crab date=20231101..20231105', ['no runs of Crab Nebula from 20231101 to 20231105', '20231206 (3 runs) and 20231209 (2 runs)']],
  ['launch source=Geminga date=20231206', ['no runs of Geminga', 'no night has runs of Geminga']],
  ['launch source=Crab date=20231206 runs=1801,1999', ['Run 1999 is not a run of Crab Nebula on 20231206', '1801, 1802, 1803']],
  ['launch source=Crab date=20231206 runs=18a1', ['runs=`18a1` must be a comma-separated list']],
  ['launch source=Crab date=20231206 theta2_cut=0', ['theta2_cut=`0` must be a number above 0 and at most 0.5']],
  ['launch source=Crab date=20231206 theta2_cut=0.6', ['at most 0.5']],
  ['launch source=Crab date=20231206 theta2_cut=abc', ['must be a number']],
  ['launch source=Crab date=20231206 off_regions=0', ['off_regions=`0` must be a whole number from 1 to 5']],
  ['launch source=Crab date=20231206 off_regions=2.5', ['whole number from 1 to 5']],
  ['launch source=Crab date=20231206 emin=10 emax=1', ['emin (10 TeV) must be below emax (1 TeV)']],
  ['launch source=Crab date=20231206 emin=-1', ['emin=`-1` must be a number above 0']],
  ['launch source=Crab date=20231206 dry_run=maybe', ['dry_run=`maybe` must be yes or no']],
  ['launch source=Crab date=20231206 force=perhaps', ['force=`perhaps` must be yes or no']],
  ['launch source=Crab date=20231206 theta2cut=0.1', ['no parameter `theta2cut`', 'Did you mean `theta2_cut`']],
  ['launch source=Crab date=20231206 offregions=2', ['Did you mean `off_regions`']],
  ['launch source=Crab source=Mrk421 date=20231206', ['`source` is given twice']],
  ['launch Crab date=20231206', ["don't know what to do with `Crab`", 'key=value, e.g. `source=Crab`']],
  ['status A-0001 extra', ["don't know what to do with `extra`", 'Usage: `/astran status [JOB]`']],
  ['lanch source=Crab', ["don't know the command `lanch`", 'Did you mean `launch`']],
  ['stauts', ['Did you mean `status`']],
  ['frobnicate', ["don't know the command", '`/astran help`']],
  ['source=Crab date=yesterday', ['Start with a command', '/astran launch source=Crab date=yesterday']],
  ['help lanch', ['no command `lanch`', 'help launch']],
  ['status B-', ['is not a job id']],
  ['status A-0999', ['There is no job `A-0999`']],
  ['nights', ['Missing source.', '`/astran nights source=Crab`']],
  ['nights source=Crabby', ['Did you mean `Crab Nebula`']],
  ['sources all=yes', ['no parameter `all`', 'takes no parameters']],
  ['launch source="PKS 2155-304 date=20231201', ['never closed']],
  // Several problems in one reply, each with its fix.
  [
    'launch source=Crabb date=2023-13-01 theta2_cut=0.7 off_regions=9 emin=5 emax=1',
    ['5 problems', 'Crab Nebula', 'month 13', 'theta2_cut=`0.7`', 'off_regions=`9`', 'emin (5 TeV) must be below emax (1 TeV)'],
  ],
];

for (const [input, expected] of ROWS) {
  test(`reply to ${JSON.stringify(input)}`, async () => {
    const b = new TestBackend();
    const reply = await b.say(input);
    assert.ok(reply, 'a reply');
    for (const e of expected) {
      if (typeof e === 'string') assert.ok(reply.text.includes(e), `expected ${JSON.stringify(e)} in:\n${reply.text}`);
      else assert.match(reply.text, e);
    }
    assert.equal(reply.rejected, true, 'invalid input is marked rejected');
    assert.equal(b.services.jobs.launches.length, 0, 'nothing launched');
  });
}

test('a valid launch with every option reaches JobControl with typed, canonical parameters', async () => {
  const b = new TestBackend();
  const reply = await b.say('/astran launch Source=crab date=2023-12-06 runs=1803,1801 theta2-cut=0.03 off_regions=2 emin=0.1 emax=10 dry_run=yes force=no');
  assert.match(reply!.text, /^Launched \*A-0001\*: Crab Nebula, night 20231206, 2 runs \(1801, 1803\) — dry run/);
  assert.equal(reply!.rejected, undefined);
  const [call] = b.services.jobs.launches;
  assert.deepEqual(call.params, {
    source: 'Crab Nebula',
    nightFrom: '20231206',
    nightTo: '20231206',
    runs: [1801, 1803],
    runNights: { '1801': '20231206', '1803': '20231206' },
    theta2_cut: 0.03,
    off_regions: 2,
    emin: 0.1,
    emax: 10,
    dry_run: true,
    force: false,
  });
  assert.deepEqual(call.runs.map((r) => r.runId), [1801, 1803]);
});

test('yesterday, ranges and aliases resolve; bare flags mean yes', async () => {
  const b = new TestBackend();
  await b.say('launch source=“PKS 2155” date=20231201..yesterday force');
  await b.say('launch source=crab date=yesterday');
  const [a, c] = b.services.jobs.launches;
  assert.equal(a.params.source, 'PKS 2155-304');
  assert.equal(a.params.nightFrom, '20231201');
  assert.equal(a.params.nightTo, '20231209');
  assert.equal(a.params.force, true);
  assert.deepEqual(c.runs.map((r) => r.runId), [1901, 1902]);
  assert.equal(c.params.nightFrom, '20231209');
});
