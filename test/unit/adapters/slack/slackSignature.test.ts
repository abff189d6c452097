import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeSlackSignature, ReplayGuard, verifySlackSignature } from '../../../../adapters/slack/slackSignature.js';

// The worked example from Slack's "Verifying requests from Slack" documentation.
const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const TS = '1531420618';
const BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const SIG = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';

describe('Slack request signatures', () => {
  it('matches the documented example', () => {
    assert.equal(computeSlackSignature(SECRET, TS, BODY), SIG);
    assert.equal(computeSlackSignature(SECRET, TS, Buffer.from(BODY)), SIG);
    assert.deepEqual(verifySlackSignature(SECRET, { timestamp: TS, signature: SIG }, BODY, Number(TS) + 10), { ok: true });
  });

  it('refuses a changed body, secret or signature', () => {
    const now = Number(TS);
    assert.deepEqual(verifySlackSignature(SECRET, { timestamp: TS, signature: SIG }, BODY + 'x', now), { ok: false, reason: 'bad_signature' });
    assert.deepEqual(verifySlackSignature('other', { timestamp: TS, signature: SIG }, BODY, now), { ok: false, reason: 'bad_signature' });
    assert.deepEqual(verifySlackSignature(SECRET, { timestamp: TS, signature: SIG.slice(0, -1) }, BODY, now), { ok: false, reason: 'bad_signature' });
    assert.deepEqual(verifySlackSignature(SECRET, { timestamp: TS, signature: SIG.toUpperCase() }, BODY, now), { ok: false, reason: 'bad_signature' });
  });

  it('refuses missing headers, odd timestamps and anything older or newer than 5 minutes', () => {
    assert.deepEqual(verifySlackSignature(SECRET, { signature: SIG }, BODY, 0), { ok: false, reason: 'missing_headers' });
    assert.deepEqual(verifySlackSignature(SECRET, { timestamp: [TS], signature: SIG }, BODY, 0), { ok: false, reason: 'missing_headers' });
    assert.deepEqual(verifySlackSignature(SECRET, { timestamp: '15e8', signature: SIG }, BODY, 0), { ok: false, reason: 'bad_timestamp' });
    assert.deepEqual(verifySlackSignature(SECRET, { timestamp: TS, signature: SIG }, BODY, Number(TS) + 301), { ok: false, reason: 'stale' });
    assert.deepEqual(verifySlackSignature(SECRET, { timestamp: TS, signature: SIG }, BODY, Number(TS) - 301), { ok: false, reason: 'stale' });
    assert.deepEqual(verifySlackSignature(SECRET, { timestamp: TS, signature: SIG }, BODY, Number(TS) + 300), { ok: true });
  });

  it('ReplayGuard accepts a signature once and forgets it after the window', () => {
    const g = new ReplayGuard(600);
    assert.equal(g.check('v0=a', 1000), true);
    assert.equal(g.check('v0=a', 1001), false);
    assert.equal(g.check('v0=b', 1002), true);
    assert.equal(g.check('v0=a', 1601), true, 'expired entries are dropped');
    assert.equal(g.size, 2, 'v0=b (expires 1602) kept, v0=a re-added');
    g.check('v0=c', 5000);
    assert.equal(g.size, 1);
  });
});
