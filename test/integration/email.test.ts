/**
 * The e-mail adapter against the real loopback Dovecot + Postfix (scripts/services/mail.sh up) and the real
 * dispatcher and commands (fake job control). FAILS when the mail server is not up.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ParsedMail } from 'mailparser';
import { createEmailAdapter, EmailAdapter, EXAMPLE_FOOTER } from '../../adapters/email/index.js';
import { startTestMail, type TestMail } from '../helpers/testMail.js';
import { makeServices, type FakeServices } from '../fakes/fakeServices.js';
import { createDispatcher } from '../../src/dispatch/Dispatcher.js';
import { createAuthorizer } from '../../src/dispatch/Authorizer.js';
import { commandSpecs } from '../../commands/index.js';
import { createLogger, silentLogger } from '../../src/log.js';
import { createWriteStream } from 'node:fs';
import type { InboundHandler } from '../../src/core/types.js';

// 1x1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

let mail: TestMail;
let services: FakeServices;
let handler: InboundHandler;
let adapter: EmailAdapter | null = null;
let alice: string;

const refsOf = (m: ParsedMail): string[] => (Array.isArray(m.references) ? m.references : m.references ? [m.references] : []);
const repliesTo = (id: string) => (m: ParsedMail) => m.inReplyTo === id;

// ASTRAN_TEST_LOG=file keeps the adapter's log for debugging.
const log = process.env.ASTRAN_TEST_LOG ? createLogger({ level: 'debug', destination: createWriteStream(process.env.ASTRAN_TEST_LOG) }) : silentLogger;

function newAdapter(): EmailAdapter {
  const { config, env } = mail.botConfig('astran');
  return createEmailAdapter({ config, env, log, kv: services.store.keyValues() });
}

async function startBot(): Promise<EmailAdapter> {
  const a = newAdapter();
  await a.start(handler);
  adapter = a;
  return a;
}

/** Mails are handled in arrival order: once the marker's reply is in, everything sent before it was handled. */
async function barrier(): Promise<void> {
  const id = await mail.send('alice', { subject: 'ASTRAN-JOBS', text: '' });
  await mail.waitFor('alice', repliesTo(id));
}

async function repliesInInbox(user: string, id: string): Promise<ParsedMail[]> {
  return (await mail.list(user)).map((m) => m.parsed).filter(repliesTo(id));
}

before(async () => {
  mail = await startTestMail();
  await mail.service('status'); // throws when the server is down
  await Promise.all(['astran', 'alice', 'bob', 'mallory'].map((u) => mail.clear(u)));
  alice = mail.user('alice').address;
  services = makeServices();
  handler = createDispatcher({
    services,
    authorizer: createAuthorizer({ [`email:${alice}`]: 'launcher', 'email:bob@astran.test': 'viewer' }),
    specs: commandSpecs,
    log,
  });
  services.jobs.openThread = async (request, text, jobId) => {
    if (!adapter) return null;
    const { thread } = await adapter.openThread(request, { text }, jobId);
    return thread;
  };
  await startBot();
});

after(async () => {
  await adapter?.stop();
  await mail?.close();
});

test('launch mail → threaded confirmation, thread updates with PNG attachments, follow-up in the thread', async () => {
  const requestId = await mail.send('alice', { subject: 'ASTRAN-LAUNCH', text: 'Hi ASTRAN,\n\nsource: Crab\ndate: 20231206\n\nThanks!\n-- \nAlice' });
  // Root message of the job thread (the dispatcher's ack may also arrive: both reply to the request).
  const root = await mail.waitFor('alice', (m) => m.inReplyTo === requestId && /A-\d+/.test(m.text ?? '') && /Crab Nebula 20231206/.test(m.text ?? ''));
  assert.equal(root.parsed.subject, 'Re: ASTRAN-LAUNCH');
  assert.deepEqual(refsOf(root.parsed), [requestId]);
  assert.equal(root.parsed.headers.get('auto-submitted'), 'auto-replied');
  assert.equal(services.jobs.launches.length, 1);
  assert.equal(services.jobs.launches[0].params.source, 'Crab Nebula');
  assert.equal(services.jobs.launches[0].params.nightFrom, '20231206');
  const job = services.store.findJobByThread({ adapter: 'email', key: requestId });
  assert.ok(job, 'job found by the thread key = request Message-ID');

  // A later message with images, threaded after the root.
  const sent = await adapter!.send(job.thread!, { text: '**Done**: 3 runs\n- theta2.png', files: [{ name: 'theta2.png', contentType: 'image/png', data: PNG }] });
  const update = await mail.waitFor('alice', (m) => m.messageId === sent.id);
  assert.equal(update.parsed.subject, 'Re: ASTRAN-LAUNCH');
  assert.equal(update.parsed.inReplyTo, root.parsed.messageId);
  assert.deepEqual(refsOf(update.parsed).slice(0, 2), [requestId, root.parsed.messageId]);
  assert.equal(update.parsed.attachments.length, 1);
  assert.equal(update.parsed.attachments[0].filename, 'theta2.png');
  assert.deepEqual(update.parsed.attachments[0].content, PNG);
  assert.match(String(update.parsed.html), /<b>Done<\/b>/);

  // Alice answers in the thread from her client: the first typed line is the command, quoted text ignored.
  const followId = await mail.send('alice', {
    subject: 'Re: ASTRAN-LAUNCH',
    text: `status\n\nOn Mon, ASTRAN wrote:\n> cancel\n`,
    inReplyTo: update.parsed.messageId!,
    references: [requestId, root.parsed.messageId!, update.parsed.messageId!],
  });
  const status = await mail.waitFor('alice', repliesTo(followId));
  assert.match(status.parsed.text ?? '', new RegExp(job.id));
  assert.ok(refsOf(status.parsed).includes(requestId));
  assert.equal(services.jobs.cancels.length, 0);
});

test('typo mail → help reply with the fix and an example to copy; no job', async () => {
  const before = services.jobs.launches.length;
  const id = await mail.send('alice', { subject: 'astran-launch', text: 'sorce=Crab date=20231206' });
  const reply = await mail.waitFor('alice', repliesTo(id));
  assert.match(reply.parsed.text ?? '', /source/);
  assert.ok((reply.parsed.text ?? '').includes(EXAMPLE_FOOTER.trim().split('\n')[2]));
  assert.equal(services.jobs.launches.length, before);

  // A mail that matches no form gets the help text and the example.
  const id2 = await mail.send('alice', { subject: 'Lunch?', text: 'Pizza at noon?' });
  const help = await mail.waitFor('alice', repliesTo(id2));
  assert.match(help.parsed.text ?? '', /launch/);
  assert.ok((help.parsed.text ?? '').includes('Subject: ASTRAN-LAUNCH'));
});

test('HTML-only launch mail is read through its text', async () => {
  const before = services.jobs.launches.length;
  const id = await mail.send('alice', { subject: 'ASTRAN-LAUNCH', html: '<p>source=Crab<br>date=20231209</p><blockquote>source=Mrk421</blockquote>' });
  await mail.waitFor('alice', (m) => m.inReplyTo === id && /A-\d+/.test(m.text ?? ''));
  assert.equal(services.jobs.launches.length, before + 1);
  assert.equal(services.jobs.launches.at(-1)!.params.nightFrom, '20231209');
});

test('an unauthenticated or unknown sender gets no reply at all (no backscatter) and no job; a viewer is told', async () => {
  const before = services.jobs.launches.length;
  // mallory@evil.test: no DKIM signature, so the server's Authentication-Results say dkim=none.
  const id = await mail.send('mallory', { subject: 'ASTRAN-LAUNCH', text: 'source=Crab date=20231206' });
  // A signed sender not on the access list.
  const stranger = await mail.send('alice', { subject: 'ASTRAN-LAUNCH', text: 'source=Crab date=20231206', fromHeader: 'carol@astran.test' });
  // A viewer may not launch: known and authenticated, so the refusal is sent.
  const id2 = await mail.send('bob', { subject: 'ASTRAN-LAUNCH', text: 'source=Crab date=20231206' });
  await mail.waitFor('bob', repliesTo(id2));
  await barrier();
  assert.equal(services.jobs.launches.length, before);
  for (const u of ['mallory', 'alice']) {
    const got = (await mail.list(u)).map((m) => m.parsed).filter((m) => m.inReplyTo === id || m.inReplyTo === stranger);
    assert.deepEqual(got.map((m) => m.subject), [], `nothing sent to ${u}`);
  }
});

test('the same mail delivered twice (same Message-ID) is handled once', async () => {
  const before = services.jobs.launches.length;
  const messageId = `<dup-${Date.now()}@astran.test>`;
  await mail.send('alice', { subject: 'ASTRAN-LAUNCH', text: 'source=Crab date=20231206', messageId });
  await mail.send('alice', { subject: 'ASTRAN-LAUNCH', text: 'source=Crab date=20231206', messageId });
  await barrier();
  assert.equal(services.jobs.launches.length, before + 1);
  const replies = await repliesInInbox('alice', messageId);
  assert.ok(replies.length >= 1 && replies.length <= 2, `replies: ${replies.length}`); // ack + thread root, once
  const roots = replies.filter((m) => /Crab Nebula 20231206/.test(m.text ?? ''));
  assert.equal(roots.length, 1);
});

test('mail arriving while the bot is stopped is processed once after start', async () => {
  await adapter!.stop();
  adapter = null;
  const before = services.jobs.launches.length;
  const ids: string[] = [];
  for (const night of ['20231206', '20231209', '20231206']) ids.push(await mail.send('alice', { subject: 'ASTRAN-LAUNCH', text: `source=Crab date=${night}` }));
  await startBot();
  const isRoot = (m: ParsedMail) => /Crab Nebula 2023\d{4}/.test(m.text ?? ''); // the job thread's root message
  for (const id of ids) await mail.waitFor('alice', (m) => m.inReplyTo === id && isRoot(m));
  // Restart again: nothing is processed a second time.
  await adapter!.stop();
  await startBot();
  await barrier();
  assert.equal(services.jobs.launches.length, before + 3);
  for (const id of ids) assert.equal((await repliesInInbox('alice', id)).filter(isRoot).length, 1);
});

test('Dovecot restart → the bot reconnects and processes new mail', async () => {
  const a = adapter!;
  const connections = a.connections;
  await mail.service('restart-dovecot');
  const id = await mail.send('alice', { subject: 'ASTRAN-STATUS', text: '' });
  const reply = await mail.waitFor('alice', repliesTo(id), 30_000);
  assert.ok(reply);
  assert.ok(a.connections > connections, 'a new IMAP connection was made');
});

test('auto-replies, bounces and list mail get no answer and start nothing', async () => {
  const before = services.jobs.launches.length;
  const body = 'source=Crab date=20231206';
  const ids = [
    await mail.send('alice', { subject: 'ASTRAN-LAUNCH', text: body, headers: { 'Auto-Submitted': 'auto-replied' } }),
    await mail.send('alice', { subject: 'Re: ASTRAN-LAUNCH', text: body, headers: { Precedence: 'bulk' } }),
    await mail.send('alice', { subject: 'ASTRAN-LAUNCH', text: body, headers: { 'List-Id': '<lst.example.org>' } }),
    await mail.send('alice', { subject: 'ASTRAN-LAUNCH', text: body, envelopeFrom: '' }),
  ];
  await barrier();
  assert.equal(services.jobs.launches.length, before);
  for (const id of ids) assert.deepEqual(await repliesInInbox('alice', id), []);
});

test('processed mail is flagged and moved to the Processed folder', async () => {
  const id = await mail.send('alice', { subject: 'ASTRAN-JOBS', text: '' });
  await mail.waitFor('alice', repliesTo(id));
  const inbox = await mail.list('astran');
  assert.equal(inbox.filter((m) => m.parsed.messageId === id).length, 0);
  const processed = await mail.list('astran', 'Processed');
  assert.equal(processed.filter((m) => m.parsed.messageId === id).length, 1);
});

test('implicit TLS (IMAPS/SMTPS), rate limit (one notice, then silence) and size limit', async () => {
  await adapter!.stop();
  adapter = null;
  const { config, env } = mail.botConfig('astran', { rate_limit: { max: 2, window_s: 3600 }, max_bytes: 20_000 });
  const a = createEmailAdapter({
    config: {
      ...config,
      imap: { ...(config.imap as object), port: mail.env.MAIL_IMAPS_PORT, security: 'tls' },
      smtp: { ...(config.smtp as object), port: mail.env.MAIL_SMTPS_PORT, security: 'tls' },
    },
    env,
    log,
    kv: services.store.keyValues(),
  });
  await a.start(handler);
  try {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await mail.send('bob', { subject: 'ASTRAN-JOBS', text: '' }));
    // Mails are handled in order: once a later mail of another sender is answered, bob's four were handled.
    const big = await mail.send('alice', { subject: 'ASTRAN-LAUNCH', text: 'source=Crab date=20231206', attachments: [{ filename: 'big.bin', content: Buffer.alloc(40_000, 7) }] });
    const tooLarge = await mail.waitFor('alice', repliesTo(big));
    assert.match(tooLarge.parsed.text ?? '', /too large/);
    const replies = await Promise.all(ids.map((id) => repliesInInbox('bob', id)));
    assert.deepEqual(replies.map((r) => r.length), [1, 1, 1, 0]);
    assert.match(replies[0][0].text ?? '', /Active|No jobs|A-\d+/);
    assert.match(replies[2][0].text ?? '', /more than 2 mails/);
  } finally {
    await a.stop();
  }
  await startBot();
});

test('a wrong IMAP password makes start() fail with a message naming the setting, not the secret', async () => {
  const { config } = mail.botConfig('astran');
  const a = createEmailAdapter({ config, env: { ASTRAN_TEST_MAIL_PASS_ASTRAN: 'wrong-password-123' }, log, kv: services.store.keyValues() });
  await assert.rejects(a.start(handler), (err: Error) => /login refused/.test(err.message) && !err.message.includes('wrong-password-123'));
  await a.stop();
});

test('polling mode (no IDLE) processes new mail', async () => {
  await adapter!.stop();
  adapter = null;
  const { config, env } = mail.botConfig('astran');
  const a = createEmailAdapter({ config: { ...config, imap: { ...(config.imap as object), idle: false, poll_s: 0.5 } }, env, log, kv: services.store.keyValues() });
  await a.start(handler);
  try {
    const id = await mail.send('alice', { subject: 'ASTRAN-SOURCES', text: '' });
    const reply = await mail.waitFor('alice', repliesTo(id));
    assert.match(reply.parsed.text ?? '', /Crab/);
  } finally {
    await a.stop();
  }
  await startBot();
});
