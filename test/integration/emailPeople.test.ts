/**
 * People over real e-mail (loopback Postfix + Dovecot of scripts/services/mail.sh; the test FAILS when they are down):
 * the e-mail adapter's identity (`email:<address>`) is the configured person's, so `jobs mine` by mail lists the job
 * she launched from Slack, under her configured name; a sender who is nobody's identity stays unanswered.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { resolve } from 'node:path';
import { startTestMail, type TestMail } from '../helpers/testMail.js';
import { REPO_ROOT } from '../../src/config/loadConfigFile.js';
import { silentLogger } from '../../src/log.js';
import { startBotHarness, type BotHarness } from '../helpers/botHarness.js';

const BOT = 'astrane2e';
const exec = promisify(execFile);

let mail: TestMail;
let h: BotHarness;

before(async () => {
  const script = resolve(REPO_ROOT, 'scripts/services/mail.sh');
  const ok = await exec('bash', [script, 'status'], { timeout: 30_000 }).then(() => true, () => false);
  if (!ok) await exec('bash', [script, 'up'], { timeout: 600_000 });
  await exec('bash', [script, 'status'], { timeout: 30_000 });
  mail = await startTestMail({ bot: BOT });
  await mail.clear(BOT);
  const alice = mail.user('alice').address;
  const { config, env } = mail.botConfig(BOT);
  h = await startBotHarness({
    prefix: 'astran-mail-people-',
    adapters: { email: config },
    // Nobody by pattern: only people get in.
    users: {},
    people: { alice: { name: 'Alice Example', role: 'launcher', identities: ['slack:U0ALICE', alice.toUpperCase()] } },
    env,
    log: silentLogger,
  });
});

after(async () => {
  await h?.close();
  await mail?.close();
});

test('`jobs mine` by mail lists the job the same person launched from Slack; a stranger gets no answer', async () => {
  const job = h.store.createJob({
    params: { source: 'Crab Nebula', nightFrom: '20041204', nightTo: '20041204' },
    requester: { adapter: 'slack', userId: 'U0ALICE', displayName: 'alice.s' },
    owner: { person: 'alice', name: 'Alice Example' },
    runIds: [23523],
  });
  const other = h.store.createJob({
    params: { source: 'Crab Nebula', nightFrom: '20041204', nightTo: '20041204' },
    requester: { adapter: 'slack', userId: 'U0DAN', displayName: 'dan' },
    runIds: [23526],
  });
  const req = await mail.send('alice', { subject: 'ASTRAN-JOBS', text: 'mine' });
  const answer = await mail.waitFor('alice', (m) => m.inReplyTo === req, 30_000);
  const text = answer.parsed.text ?? '';
  assert.match(text, new RegExp(`${job.id} \\(Crab Nebula, 20041204, queued\\) — Alice Example`), text);
  assert.doesNotMatch(text, new RegExp(other.id), text);

  // Bob is nobody's identity and matches no pattern: no reply at all (fail closed), even with people configured.
  const stranger = await mail.send('bob', { subject: 'ASTRAN-JOBS', text: '' });
  const marker = await mail.send('alice', { subject: 'ASTRAN-JOBS', text: '' });
  await mail.waitFor('alice', (m) => m.inReplyTo === marker, 30_000);
  const toBob = (await mail.list('bob')).map((m) => m.parsed).filter((m) => m.inReplyTo === stranger);
  assert.deepEqual(toBob.map((m) => m.subject), []);
});
