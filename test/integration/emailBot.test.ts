/**
 * The whole bot over e-mail: the real createBot with the embedded default config (local backend, bundled H.E.S.S.
 * sample) and its e-mail adapter, built from the config section by the bot's own factory, on the real loopback
 * Dovecot + Postfix of scripts/services/mail.sh (brought up here; the test FAILS when it cannot be). The bot reads
 * the `astrane2e` mailbox; alice is the only launcher.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { resolve } from 'node:path';
import { createWriteStream } from 'node:fs';
import type { ParsedMail } from 'mailparser';
import { startTestMail, type TestMail } from '../helpers/testMail.js';
import { EXAMPLE_FOOTER } from '../../adapters/email/index.js';
import { REPO_ROOT } from '../../src/config/loadConfigFile.js';
import { createLogger, silentLogger } from '../../src/log.js';
import { startBotHarness, isPng, type BotHarness } from '../helpers/botHarness.js';

const BOT = 'astrane2e';
const JOB = 'A-0001';
const exec = promisify(execFile);
// ASTRAN_TEST_LOG=file keeps the bot's log for debugging.
const log = process.env.ASTRAN_TEST_LOG ? createLogger({ level: 'debug', destination: createWriteStream(process.env.ASTRAN_TEST_LOG) }) : silentLogger;

let mail: TestMail;
let h: BotHarness;
let alice: string;

const refsOf = (m: ParsedMail): string[] => (Array.isArray(m.references) ? m.references : m.references ? [m.references] : []);
/** Every mail of a conversation names its first message in References (or replies to it directly). */
const inConversation = (requestId: string) => (m: ParsedMail) => m.inReplyTo === requestId || refsOf(m).includes(requestId);
const repliesTo = (id: string) => (m: ParsedMail) => m.inReplyTo === id;
const conversation = async (user: string, requestId: string) => (await mail.list(user)).map((m) => m.parsed).filter(inConversation(requestId));

/** Mails are handled in arrival order: once the marker's reply is in, everything sent before it was handled. */
async function barrier(): Promise<void> {
  const id = await mail.send('alice', { subject: 'ASTRAN-JOBS', text: '' });
  await mail.waitFor('alice', repliesTo(id));
}

async function mailServerUp(): Promise<void> {
  const script = resolve(REPO_ROOT, 'scripts/services/mail.sh');
  // `up` is idempotent but reloads running daemons; skip it when both already answer (other tests may be mid-run).
  const ok = await exec('bash', [script, 'status'], { timeout: 30_000 }).then(() => true, () => false);
  if (!ok) await exec('bash', [script, 'up'], { timeout: 600_000 });
  await exec('bash', [script, 'status'], { timeout: 30_000 }); // throws (the test FAILS) when still down
}

before(async () => {
  await mailServerUp();
  mail = await startTestMail({ bot: BOT });
  // Only the bot's own mailbox is emptied: alice's is shared with other test files, so mails are matched by id.
  await mail.clear(BOT);
  alice = mail.user('alice').address;
  const { config, env } = mail.botConfig(BOT);
  h = await startBotHarness({ prefix: 'astran-mail-', adapters: { email: config }, users: { [`email:${alice}`]: 'launcher' }, env, log });
});

after(async () => {
  await h?.close();
  await mail?.close();
});

let requestId = '';
let report: ParsedMail;

test('ASTRAN-LAUNCH mail → one threaded confirmation, then the final report with text, HTML and 6 PNGs', { timeout: 90_000 }, async () => {
  const t0 = Date.now();
  requestId = await mail.send('alice', { subject: 'ASTRAN-LAUNCH', text: 'source=Crab date=20041204' });
  const confirmation = (await mail.waitFor('alice', repliesTo(requestId), 20_000)).parsed;
  const confirmMs = Date.now() - t0;
  assert.equal(confirmation.subject, 'Re: ASTRAN-LAUNCH');
  assert.deepEqual(refsOf(confirmation), [requestId]);
  assert.equal(confirmation.headers.get('auto-submitted'), 'auto-replied');
  const ctext = confirmation.text ?? '';
  assert.match(ctext, new RegExp(JOB), 'names the job id');
  assert.match(ctext, /Crab Nebula · night 20041204 · 2 run\(s\)/);
  assert.match(ctext, /[Rr]eply .*status/, 'says how to ask for status by mail');
  assert.doesNotMatch(ctext, /\/astran/, 'no chat slash-command syntax in a mail');



  const job = h.store.findJobByThread({ adapter: 'email', key: requestId });
  assert.equal(job?.id, JOB, 'the job thread is the request conversation');
  const final = await h.waitFinal(JOB);
  assert.equal(final.state, 'done', JSON.stringify(final.error));

  report = (await mail.waitFor('alice', (m) => inConversation(requestId)(m) && (m.text ?? '').includes(`${JOB}* done`), 30_000)).parsed;
  const reportMs = Date.now() - t0;
  assert.equal(report.subject, 'Re: ASTRAN-LAUNCH');
  assert.equal(refsOf(report)[0], requestId, 'threaded in the same conversation');
  assert.ok(refsOf(report).includes(confirmation.messageId!), 'after the confirmation');
  assert.match(report.text ?? '', /σ\* \(Li & Ma\)|σ \(Li & Ma\)/);
  assert.ok(typeof report.html === 'string' && /<(b|strong)>/.test(report.html), 'an HTML part');
  const pngs = report.attachments.filter((a) => a.contentType === 'image/png');
  assert.equal(pngs.length, 6, 'six plots attached (the sample carries IRFs: light curve and spectrum too)');
  for (const a of pngs) {
    assert.match(a.filename ?? '', /\.png$/);
    assert.ok(isPng(a.content), `${a.filename} is a PNG`);
  }
  assert.deepEqual(new Set(pngs.map((a) => a.filename)), new Set((final.result as { images: string[] }).images));

  // Everything alice got for this launch: one confirmation, milestones only (no progress spam), the report.
  const all = await conversation('alice', requestId);
  const texts = all.map((m) => (m.text ?? '').split('\n')[0]);
  console.log(`confirmation after ${confirmMs} ms, report after ${reportMs} ms; ${all.length} mails for one launch: ${JSON.stringify(texts)}`);
  assert.equal(all.filter((m) => new RegExp(JOB).test(m.text ?? '') && m.inReplyTo === requestId).length, 1, 'exactly one confirmation');
  assert.ok(all.length <= 3, `at most confirmation + milestone + report, got ${all.length}`);
  assert.ok(all.every((m) => m.subject === 'Re: ASTRAN-LAUNCH'));
});

test('a reply "status" in the thread → an answer for that job, threaded', async () => {
  assert.ok(report, 'needs the launch test');
  const followId = await mail.send('alice', {
    subject: 'Re: ASTRAN-LAUNCH',
    text: 'status\n\nOn Thu, ASTRAN wrote:\n> cancel\n',
    inReplyTo: report.messageId!,
    references: [...refsOf(report), report.messageId!],
  });
  const answer = (await mail.waitFor('alice', repliesTo(followId))).parsed;
  assert.equal(answer.subject, 'Re: ASTRAN-LAUNCH');
  assert.equal(refsOf(answer)[0], requestId, 'in the job conversation');
  assert.match(answer.text ?? '', new RegExp(`${JOB}.*Crab Nebula`));
  assert.match(answer.text ?? '', /State: done/);
  assert.equal(h.store.getJob(JOB)!.cancelRequestedBy, null, 'quoted text is not a command');
});

test('a typo mail → help reply with an example to copy; no job', async () => {
  const jobs = h.store.listJobs().length;
  const id = await mail.send('alice', { subject: 'ASTRAN-LAUNCH', text: 'sorce=Crab date=20041204' });
  const reply = (await mail.waitFor('alice', repliesTo(id))).parsed;
  const text = reply.text ?? '';
  assert.match(text, /source/);
  assert.ok(text.includes('Subject: ASTRAN-LAUNCH') && text.includes(EXAMPLE_FOOTER.trim().split('\n')[3].trim()), 'the example to copy');
  assert.equal(h.store.listJobs().length, jobs);
});

test('an unknown sender (authenticated or not) → no reply at all and no job; an auto-reply → nothing', async () => {
  const jobs = h.store.listJobs().length;
  const id = await mail.send('mallory', { subject: 'ASTRAN-LAUNCH', text: 'source=Crab date=20041204' });
  const unknown = await mail.send('bob', { subject: 'ASTRAN-LAUNCH', text: 'source=Crab date=20041204' });
  await barrier();
  for (const [u, req] of [['mallory', id], ['bob', unknown]] as const) {
    const got = (await mail.list(u)).map((m) => m.parsed).filter(repliesTo(req));
    assert.deepEqual(got.map((m) => m.subject), [], `no answer to ${u} (an answer to a forged From would be backscatter)`);
  }
  assert.equal(h.store.listJobs().length, jobs);

  const auto = await mail.send('alice', { subject: 'ASTRAN-LAUNCH', text: 'source=Crab date=20041204', headers: { 'Auto-Submitted': 'auto-replied' } });
  const vacation = await mail.send('alice', { subject: 'Out of office: ASTRAN-LAUNCH', text: 'I am away.', headers: { 'Auto-Submitted': 'auto-replied', 'X-Autoreply': 'yes' } });
  await barrier();
  const answered = (await mail.list('alice')).map((m) => m.parsed).filter((m) => m.inReplyTo === auto || m.inReplyTo === vacation);
  assert.deepEqual(answered.map((m) => m.subject), [], 'no answer to auto-replies');
  assert.equal(h.store.listJobs().length, jobs, 'no job from an auto-reply');
});
