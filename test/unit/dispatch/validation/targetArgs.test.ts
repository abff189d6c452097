import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestBackend } from '../../../fakes/TestBackend.js';
import { makeServices, TEST_NOW } from '../../../fakes/fakeServices.js';
import { defaultTargetName, degreesArg } from '../../../../src/dispatch/validation/targetArgs.js';

const TOO_RUNS = [
  { runId: 9001, night: '20231206', source: 'GRB_231206A' },
  { runId: 9002, night: '20231206', source: 'GRB_231206A' },
  { runId: 9003, night: '20231206', source: 'ToO J1915+1946' },
];

function bot() {
  return new TestBackend({ services: makeServices({ runs: TOO_RUNS, now: TEST_NOW }) });
}

test('degrees: decimal with optional unit, ranges enforced, nothing else accepted', () => {
  const ra = degreesArg(0, 360, true);
  assert.equal(ra.parse('83.633'), 83.633);
  assert.equal(ra.parse('83.633deg'), 83.633);
  assert.equal(ra.parse(' 0 '), 0);
  for (const bad of ['360', '-1', '1e3', 'abc', '12h30m', '83.6;rm -rf /', '$(id)', '', '83.6 deg x', 'NaN', 'Infinity'])
    assert.equal(ra.safeParse(bad).success, false, bad);
  const dec = degreesArg(-90, 90);
  assert.equal(dec.parse('-30.2°'), -30.2);
  assert.equal(dec.parse('90'), 90);
  assert.equal(dec.safeParse('90.01').success, false);
});

test('default target name is IAU style from the coordinates', () => {
  assert.equal(defaultTargetName(288.7647, 19.7733), 'ToO J1915+1946');
  assert.equal(defaultTargetName(329.71694, -30.22559), 'ToO J2158-3013');
  assert.equal(defaultTargetName(0, -0.5), 'ToO J0000-0030');
});

test('launch with ra/dec/name: a target of opportunity reaches the job with its coordinates', async () => {
  const b = bot();
  const reply = await b.say('launch ra=288.7647 dec=19.7733deg name=GRB_231206A date=20231206', { user: 'alice' });
  assert.match(reply!.text, /Launched \*A-\d+\*: GRB_231206A, night 20231206, 2 runs \(9001, 9002\)/);
  const l = b.services.jobs.launches[0];
  assert.deepEqual(l.params.target, { ra: 288.7647, dec: 19.7733 });
  assert.equal(l.params.source, 'GRB_231206A');
});

test('launch with ra/dec and no name: named from the coordinates', async () => {
  const b = bot();
  const reply = await b.say('launch ra=288.7647 dec=19.7733 date=20231206', { user: 'alice' });
  assert.match(reply!.text, /ToO J1915\+1946, night 20231206, 1 run \(9003\)/);
});

test('a listed source keeps no target block', async () => {
  const b = new TestBackend();
  await b.say('launch source=Crab date=20231206', { user: 'alice' });
  assert.equal(b.services.jobs.launches[0].params.target, undefined);
});

const REFUSED: [string, (string | RegExp)[]][] = [
  ['launch ra=288.76 date=20231206', ['needs both ra= and dec= (dec is missing)']],
  ['launch dec=19.77 date=20231206', ['(ra is missing)']],
  ['launch name=GRB date=20231206', ['name= names a target of opportunity given by ra= and dec=']],
  ['launch source=Crab ra=1 dec=2 date=20231206', ['either source= (a known source) or ra= and dec=']],
  ['launch ra=360 dec=0 date=20231206', ['ra=`360` must be decimal degrees from 0 to below 360']],
  ['launch ra=10 dec=-91 date=20231206', ['dec=`-91` must be decimal degrees from -90 to 90']],
  ['launch ra=10 dec=1 name="a;b" date=20231206', ['name=`a;b` may contain only letters']],
  ['launch ra=10 dec=1 name="$(reboot)" date=20231206', ['may contain only letters']],
  ['launch ra=10 dec=1 name=../../etc date=20231206', ['must start with a letter or digit']],
  ['launch ra=83.63 dec=22.01 name=crab date=20231206', ['is the name of Crab Nebula in the source list', 'source="Crab Nebula"']],
  ['launch ra=10 dec=1 name=Nothing date=20231206', ['no runs of Nothing on 20231206', 'no night has runs of Nothing']],
  ['launch ra=10 dec=1', ['Missing date.']],
  ['launch date=20231206', ['Missing source.']],
  ['launch source=Crabb date=20231206', ['for a target of opportunity give ra= and dec=']],
];

for (const [input, expected] of REFUSED) {
  test(`ToO refused: ${input}`, async () => {
    const b = bot();
    const reply = await b.say(input, { user: 'alice' });
    for (const e of expected) assert.ok(reply!.text.includes(e as string), `expected ${JSON.stringify(e)} in:\n${reply!.text}`);
    assert.equal(b.services.jobs.launches.length, 0);
  });
}
