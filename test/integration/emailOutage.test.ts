/**
 * Issue 12, "the mail server ... for longer than every timeout": Postfix, then Dovecot too (scripts/services/mail.sh
 * stop-postfix, stop-mail) are stopped while the real bot (`astran serve`, e-mail adapter, SQLite store, local
 * backend) has six requests to answer and a job to run, for longer than every mail timeout in its config (IMAP
 * reconnect cap, outbox retry cap and outage threshold, the sent-copy wait), and started again. The bot reads the
 * requests while Postfix is down, so every answer and every job mail is in flight during the outage. Counted
 * afterwards, in the reader's mailbox:
 *
 * - every request is answered exactly once (one mail, one Message-ID): the requests stayed unread and were handed
 *   over again until their recorded answers went out; the launch is confirmed by its job's first mail, held back
 *   and sent before anything else of the job;
 * - the job ends `done`, with exactly one summary mail, and every mail once;
 * - the user is told once of the recovery: the job's requester is known on no other route (e-mail is her only one),
 *   so nothing could reach her during the outage; after it, exactly one note in the job's conversation says that the
 *   mails above were held back. No note for the requests: their answers simply arrive.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { ParsedMail } from 'mailparser';
import { startTestMail, type TestMail } from '../helpers/testMail.js';
import { writeEmailBotConfig } from '../helpers/emailBotConfig.js';
import { REPO_ROOT } from '../../src/config/loadConfigFile.js';

const exec = promisify(execFile);
const BOT = 'astrane2e';
const BIN = resolve(REPO_ROOT, 'bin/astran.js');
const SCRIPT = resolve(REPO_ROOT, 'scripts/services/mail.sh');
/** The mail timeouts configured below; the outage lasts longer than each. */
const TIMEOUTS_S = { imap_reconnect_max: 3, delivery_retry_max: 2, outage_notice: 4, sent_copy_wait: 5 };
const OUTAGE_MS = 25_000;

let mail: TestMail;
let dir: string;
let configPath: string;
let logPath: string;
let botEnv: NodeJS.ProcessEnv;
let child: ChildProcess | null = null;

/** This checkout's mail.sh (the one in mail.env may be another checkout's, without stop-postfix/stop-mail). */
const mailSh = (cmd: string) => exec('bash', [SCRIPT, cmd], { timeout: 120_000 });

async function mailServerUp(): Promise<void> {
  const ok = await exec('bash', [SCRIPT, 'status'], { timeout: 30_000 }).then(() => true, () => false);
  if (!ok) await exec('bash', [SCRIPT, 'up'], { timeout: 600_000 });
  await exec('bash', [SCRIPT, 'status'], { timeout: 30_000 }); // throws (the test FAILS) when still down
}

function startBot(): void {
  const fd = openSync(logPath, 'a');
  child = spawn(process.execPath, [BIN, 'serve', '--config', configPath], { cwd: dir, env: botEnv, stdio: ['ignore', 'ignore', fd] });
  closeSync(fd);
}

async function stopBot(): Promise<void> {
  const p = child;
  child = null;
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const gone = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill('SIGTERM');
  await gone;
}

before(async () => {
  await mailServerUp();
  mail = await startTestMail({ bot: BOT });
  await mail.clear(BOT);
  await mail.clear('alice');
  dir = mkdtempSync(join(tmpdir(), 'astran-mail-outage-'));
  logPath = join(dir, 'bot.log');
  const { config, env } = mail.botConfig(BOT, {
    rate_limit: { max: 200, window_s: 3600 },
    sent_copy: { enabled: true, wait_s: TIMEOUTS_S.sent_copy_wait },
  });
  (config.imap as Record<string, unknown>).reconnect_max_s = TIMEOUTS_S.imap_reconnect_max;
  (config.imap as Record<string, unknown>).poll_s = 2;
  configPath = writeEmailBotConfig(dir, config, mail.user('alice').address, (base) => {
    base.bot.delivery = { retry_initial_s: 0.5, retry_max_s: TIMEOUTS_S.delivery_retry_max, patience_s: 600, outage_notice_s: TIMEOUTS_S.outage_notice };
  });
  botEnv = { ...process.env, ...env, ASTRAN_CONFIG: '' };
});

after(async () => {
  await stopBot();
  // Whatever happened, the shared services are left up.
  await exec('bash', [SCRIPT, 'start-mail'], { timeout: 120_000 }).catch(() => undefined);
  await mail?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const repliesTo = (id: string) => (m: ParsedMail) => m.inReplyTo === id;
/** The end of the bot's log, for failure messages (the temp folder is removed afterwards). */
const logTail = () => readFileSync(logPath, 'utf8').split('\n').slice(-40).join('\n');

test('Postfix and Dovecot down past every mail timeout: every request answered once, the job summary once, one recovery note', { timeout: 300_000 }, async () => {
  // Requests waiting in the bot's mailbox, the bot not yet running: a launch and five others.
  const launch = await mail.send('alice', { subject: 'ASTRAN-LAUNCH', text: 'source=Crab date=20041204' });
  const requests: string[] = [launch];
  for (const k of [{ subject: 'ASTRAN-JOBS' }, { subject: 'ASTRAN-HELP' }, { subject: 'ASTRAN', text: 'status A-0001' }, { subject: 'ASTRAN-SOURCES' }, { subject: 'ASTRAN-JOBS' }]) {
    requests.push(await mail.send('alice', { text: '', ...k }));
  }
  const inBotBox = async () => (await mail.list(BOT).catch(() => [])).filter((m) => requests.includes(m.parsed.messageId ?? '')).length;
  for (const t0 = Date.now(); (await inBotBox()) < requests.length; ) {
    assert.ok(Date.now() - t0 < 30_000, 'the requests reached the bot mailbox');
    await new Promise((r) => setTimeout(r, 200));
  }

  // The outage starts with Postfix: the bot reads the requests, launches the job, and every answer and every
  // job mail (confirmation, progress, summary) fails to send. Then Dovecot goes too.
  await mailSh('stop-postfix');
  const downAt = Date.now();
  startBot();
  const logHas = (needle: string, id: string) => readFileSync(logPath, 'utf8').split('\n').some((l) => l.includes(needle) && l.includes(id));
  for (const t0 = Date.now(); !requests.every((id) => logHas('email: request', id)); ) {
    assert.ok(Date.now() - t0 < 120_000, `the bot read every request; log:\n${logTail()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  await mailSh('stop-mail');
  await assert.rejects(exec('bash', [SCRIPT, 'status'], { timeout: 30_000 }), 'the mail server is really down');
  await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - downAt))));
  const outageS = (Date.now() - downAt) / 1000;
  for (const [name, s] of Object.entries(TIMEOUTS_S)) assert.ok(outageS > s, `the outage (${outageS} s) outlasts ${name} (${s} s)`);
  assert.equal((await mail.list('alice').catch(() => [])).length, 0, 'nothing reached alice during the outage');
  await mailSh('start-mail');
  await exec('bash', [SCRIPT, 'status'], { timeout: 30_000 });

  // Everything arrives after the recovery.
  const inbox = async () => (await mail.list('alice').catch(() => [])).map((m) => m.parsed);
  const summaryOf = (m: ParsedMail) => /Crab/.test(m.text ?? '') && /σ/.test(m.text ?? '') && /A-0001/.test(m.text ?? '');
  const t0 = Date.now();
  for (;;) {
    const got = await inbox();
    const answered = requests.filter((id) => got.some(repliesTo(id))).length;
    const note = got.filter((m) => /did not take ASTRAN's messages/.test(m.text ?? '')).length;
    if (answered === requests.length && got.some(summaryOf) && note >= 1) break;
    assert.ok(Date.now() - t0 < 150_000, `after the recovery: ${answered}/${requests.length} answered, summary ${got.some(summaryOf)}, note ${note}; log:\n${logTail()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  await new Promise((r) => setTimeout(r, 4000)); // anything repeated would be here by now
  await stopBot();

  const got = await inbox();
  for (const [i, id] of requests.entries()) {
    const answers = got.filter(repliesTo(id));
    assert.equal(answers.length, 1, `request ${i + 1} answered exactly once (got ${answers.length})`);
  }
  assert.match(got.find(repliesTo(launch))?.text ?? '', /A-0001/, 'the launch is confirmed by its job mail, held back and sent first');
  // Every mail alice got is there once (Message-IDs unique), the summary and the note included.
  const ids = got.map((m) => m.messageId);
  assert.equal(new Set(ids).size, ids.length, 'no mail twice');
  assert.equal(got.filter(summaryOf).length, 1, 'one summary');
  const notes = got.filter((m) => /did not take ASTRAN's messages/.test(m.text ?? ''));
  assert.equal(notes.length, 1, 'told once of the recovery');
  assert.match(notes[0].text ?? '', /e-mail did not take ASTRAN's messages for \d+s: the messages above were held back and delivered late \(job A-0001\)/);
  assert.equal(got.filter((m) => /cannot post to the job's/.test(m.text ?? '')).length, 0, 'no outage notice: e-mail was her only route');

  const db = new Database(join(dir, 'astran.db'), { readonly: true });
  try {
    const job = db.prepare("SELECT state FROM jobs WHERE id = 'A-0001'").get() as { state: string };
    assert.equal(job.state, 'done');
    const kinds = (db.prepare("SELECT kind FROM job_events WHERE job_id = 'A-0001'").all() as { kind: string }[]).map((r) => r.kind);
    assert.equal(kinds.filter((k) => k === 'delivery_outage_start').length, 1, 'one delivery outage recorded');
    assert.equal(kinds.filter((k) => k === 'delivery_outage_end').length, 1);
    const failed = db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE state != 'delivered'").get() as { n: number };
    assert.equal(failed.n, 0, 'every job mail delivered');
    // Each job mail's Message-ID comes from its outbox idempotency key (salted with the store's secret), so every
    // retry of it was the same mail: exactly one of each reached alice.
    const salt = (db.prepare("SELECT value FROM meta WHERE key = 'email:id_salt'").get() as { value: string }).value;
    const domain = mail.user(BOT).address.split('@')[1];
    const keys = (db.prepare("SELECT key FROM outbox WHERE job_id = 'A-0001'").all() as { key: string }[]).map((r) => r.key);
    assert.ok(keys.length >= 3, `the job's mails: ${keys.join(', ')}`);
    for (const key of keys) {
      const id = `<astran.post.${createHash('sha256').update(`${salt}\u0000post\u0000${key}`).digest('hex').slice(0, 32)}@${domain}>`;
      assert.equal(got.filter((m) => m.messageId === id).length, 1, `${key}: one mail with its derived Message-ID`);
    }
  } finally {
    db.close();
  }
});
