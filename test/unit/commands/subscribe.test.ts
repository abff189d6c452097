/** subscribe / unsubscribe / subscriptions through the REAL dispatcher (grammar, roles, help, did-you-mean). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestBackend } from '../../fakes/TestBackend.js';

test('subscribe stores one subscription of this place and person, with config-default cuts filled in', async () => {
  const b = new TestBackend();
  const reply = await b.say('/astran subscribe source=crab', { channel: 'C7' });
  assert.equal(reply!.rejected, undefined);
  assert.match(reply!.text, /Subscribed test channel C7 to \*Crab Nebula\* \(θ² < 0\.02 deg², 3 OFF\)/);
  assert.match(reply!.text, /alert at once when a night is ≥ 5σ/);
  const subs = b.services.watch.store.listSubscriptions();
  assert.equal(subs.length, 1);
  assert.deepEqual(subs[0].place, { adapter: 'test', channel: 'C7' });
  assert.deepEqual([subs[0].subscriber.adapter, subs[0].subscriber.userId], ['test', 'alice']);
  assert.deepEqual(subs[0].cuts, { theta2_cut: 0.02, off_regions: 3 });
  assert.equal(subs[0].alertSigma, null, 'unset thresholds follow the config default');
});

test('a message typed in a thread subscribes the thread’s channel', async () => {
  const b = new TestBackend();
  await b.say('subscribe Crab alert_sigma=6 alert_rate=2.5 theta2_cut=0.03 off_regions=1 emin=0.2 emax=20', { channel: 'C9', thread: 'C9:123.4' });
  const [s] = b.services.watch.store.listSubscriptions({ place: { adapter: 'test', channel: 'C9' } });
  assert.deepEqual(s.cuts, { theta2_cut: 0.03, off_regions: 1, emin: 0.2, emax: 20 });
  assert.equal(s.alertSigma, 6);
  assert.equal(s.alertRate, 2.5);
});

test('duplicate, unknown source, bad values and mixed ToO get specific replies and store nothing more', async () => {
  const b = new TestBackend();
  await b.say('subscribe source=Crab');
  const dup = await b.say('subscribe source="Crab Nebula" theta2_cut=0.05');
  assert.equal(dup!.rejected, true);
  assert.match(dup!.text, /You have already subscribed test channel C1 to Crab Nebula \(θ² < 0\.02 deg², 3 OFF\)\..*unsubscribe source="Crab Nebula"/s);
  const unknown = await b.text('subscribe source=Crabb');
  assert.match(unknown, /I don't know the source `Crabb`\. Did you mean .*Crab/);
  const bad = await b.text('subscribe source=Mrk421 alert_sigma=-1 emin=10 emax=1');
  assert.match(bad, /alert_sigma=`-1` must be a number above 0/);
  assert.match(bad, /emin \(10 TeV\) must be below emax \(1 TeV\)/);
  const both = await b.text('subscribe source=Crab ra=10 dec=20');
  assert.match(both, /Give either source= \(a known source\) or ra= and dec=/);
  const half = await b.text('subscribe ra=10');
  assert.match(half, /needs both ra= and dec= \(dec is missing\)/);
  const typo = await b.text('subscribe source=Crab alert_sigmaa=4');
  assert.match(typo, /has no parameter `alert_sigmaa`.*alert_sigma/);
  const verb = await b.text('subscrib source=Crab');
  assert.match(verb, /subscribe/);
  assert.equal(b.services.watch.store.listSubscriptions().length, 1);
});

test('a target of opportunity subscribes by position; a known source name is refused as a ToO name', async () => {
  const b = new TestBackend();
  const ok = await b.text('subscribe ra=288.26 dec=19.77 name=GRB_261201A alert_sigma=4');
  assert.match(ok, /GRB_261201A \(ToO at RA 288\.26°, Dec 19\.77°\)/);
  const [s] = b.services.watch.store.listSubscriptions();
  assert.deepEqual(s.too, { ra: 288.26, dec: 19.77 });
  const named = await b.text('subscribe ra=83.6 dec=22 name=Crab');
  assert.match(named, /`Crab` is the name of Crab Nebula in the source list/);
  const unnamed = await b.text('subscribe ra=1.5 dec=-2');
  assert.match(unnamed, /ToO J0006-0200 \(ToO at RA 1\.5°, Dec -2°\)/);
});

test('roles: viewers cannot subscribe; subscriptions all is for admins', async () => {
  const b = new TestBackend();
  const r = await b.say('subscribe source=Crab', { user: 'vera' });
  assert.equal(r!.rejected, true);
  assert.equal(b.services.watch.store.listSubscriptions().length, 0);
  await b.say('subscribe source=Crab', { user: 'alice', channel: 'C1' });
  await b.say('subscribe source=Mrk421', { user: 'bob', channel: 'C2' });
  assert.match(await b.text('subscriptions', { user: 'vera', channel: 'C1' }), /Subscriptions of test channel C1 \(1\)\*\n• Crab Nebula — θ² < 0\.02 deg², 3 OFF · alert ≥ 5σ · by alice/);
  assert.match(await b.text('subscriptions all', { user: 'vera' }), /Only ASTRAN admins/);
  const all = await b.text('subscriptions all', { user: 'admin', channel: 'C3' });
  assert.match(all, /2 in 2 places/);
  assert.match(all, /Mrk 421 .* by bob/);
  assert.match(await b.text('subscriptions', { channel: 'C3' }), /has no subscriptions/);
});

test('unsubscribe: own subscription, all of mine, someone else’s only for admins', async () => {
  const b = new TestBackend();
  await b.say('subscribe source=Crab', { user: 'alice' });
  await b.say('subscribe source=Mrk421', { user: 'alice' });
  await b.say('subscribe source=Crab', { user: 'bob' });
  await b.say('subscribe source=Geminga', { user: 'bob' });
  assert.match(await b.text('unsubscribe source=Geminga', { user: 'alice' }), /Geminga is subscribed here by bob, not by you/);
  assert.match(await b.text('unsubscribe source=M1', { user: 'alice' }), /Unsubscribed test channel C1 from Crab Nebula\./);
  assert.match(await b.text('unsubscribe source=Crab', { user: 'alice' }), /Crab Nebula is subscribed here by bob, not by you/);
  assert.match(await b.text('unsubscribe source=PKS2155', { user: 'alice' }), /no subscription to `PKS2155`.*Yours here: `Mrk 421`/);
  assert.match(await b.text('unsubscribe', { user: 'alice' }), /Which subscription\?/);
  assert.match(await b.text('unsubscribe all', { user: 'alice' }), /from Mrk 421\./);
  assert.match(await b.text('unsubscribe source=Geminga', { user: 'admin' }), /from Geminga \(of bob\)/);
  assert.deepEqual(b.services.watch.store.listSubscriptions().map((s) => [s.source, s.subscriber.userId]), [['Crab Nebula', 'bob']]);
  const viewer = await b.say('unsubscribe all', { user: 'vera' });
  assert.equal(viewer!.rejected, true);
});

test('help lists the new commands from their specs', async () => {
  const b = new TestBackend();
  const help = await b.text('help');
  for (const c of ['subscribe', 'unsubscribe', 'subscriptions']) assert.match(help, new RegExp(c));
  assert.match(await b.text('help subscribe'), /alert_rate/);
});
