/**
 * E-mail request latency against the real loopback Dovecot + Postfix (scripts/services/mail.sh up):
 * from SMTP acceptance of a launch mail to the bot's confirmation being in the sender's INBOX.
 *
 *   npx tsx bench/email-latency.ts [--mails 20] [--poll-mails 10] [--poll-seconds 2]
 *
 * Two runs of the same adapter, real dispatcher and commands (job control recorded, no cluster):
 *  - IDLE: the adapter as configured by default (IDLE, autoIdleDelay 100 ms).
 *  - Poller baseline: IDLE off, polling every --poll-seconds; mails are sent at a random phase of the
 *    poll cycle. Its numbers are scaled to a one-minute poller: latency = processing + wait for the next
 *    poll, and the wait is uniform on [0, P), so median ≈ measured median − P/2 + 30 s and
 *    max ≈ measured max − P + 60 s (stated as an estimate, not measured with a 60 s poll).
 * Arrival is detected by polling the sender's INBOX every 25 ms (IMAP SEARCH on In-Reply-To), so the
 * figures include up to ~25 ms of detection slack. Results: printed, and bench/out/email-latency.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { ImapFlow } from 'imapflow';
import { createEmailAdapter, type EmailAdapter } from '../adapters/email/index.js';
import { startTestMail, type TestMail } from '../test/helpers/testMail.js';
import { makeServices } from '../test/fakes/fakeServices.js';
import { createDispatcher } from '../src/dispatch/Dispatcher.js';
import { createAuthorizer } from '../src/dispatch/Authorizer.js';
import { commandSpecs } from '../commands/index.js';
import { silentLogger } from '../src/log.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return v;
}

const N = arg('mails', 20);
const POLL_N = arg('poll-mails', 10);
const POLL_S = arg('poll-seconds', 2);
const BOT = 'astranbench';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function watcher(mail: TestMail): Promise<{ waitFor(id: string, timeoutMs: number): Promise<number>; close(): Promise<void> }> {
  const u = mail.user('alice');
  const c = new ImapFlow({ host: mail.env.MAIL_HOST, port: mail.env.MAIL_IMAP_PORT, secure: false, doSTARTTLS: true, tls: { ca: mail.ca }, auth: { user: u.address, pass: u.password }, logger: false, disableAutoIdle: true });
  await c.connect();
  await c.mailboxOpen('INBOX');
  return {
    async waitFor(id, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = await c.search({ header: { 'in-reply-to': id } }, { uid: true });
        if (found && found.length > 0) return Date.now();
        if (Date.now() > deadline) throw new Error(`no reply to ${id} within ${timeoutMs} ms`);
        await sleep(25);
      }
    },
    async close() {
      await c.logout();
    },
  };
}

async function run(mail: TestMail, label: string, n: number, imapOverrides: Record<string, unknown>, randomPhaseMs: number): Promise<{ fromAccepted: number[]; fromSubmit: number[] }> {
  await mail.clear(BOT);
  await mail.clear('alice');
  const services = makeServices();
  const alice = mail.user('alice').address;
  const handler = createDispatcher({ services, authorizer: createAuthorizer({ [`email:${alice}`]: 'launcher' }), specs: commandSpecs, log: silentLogger });
  const { config, env } = mail.botConfig(BOT);
  const adapter: EmailAdapter = createEmailAdapter({ config: { ...config, rate_limit: { max: 10_000, window_s: 3600 }, imap: { ...(config.imap as object), ...imapOverrides } }, env, log: silentLogger, kv: services.store.keyValues() });
  services.jobs.openThread = async (request, text, jobId) => (await adapter.openThread(request, { text }, jobId)).thread;
  await adapter.start(handler);
  const w = await watcher(mail);
  const fromAccepted: number[] = [];
  const fromSubmit: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      if (randomPhaseMs > 0) await sleep(Math.random() * randomPhaseMs);
      else await sleep(200);
      const t0 = Date.now();
      const id = await mail.send('alice', { subject: 'ASTRAN-LAUNCH', text: `source=Crab date=${i % 2 ? '20231206' : '20231209'}` });
      const t1 = Date.now();
      const t2 = await w.waitFor(id, randomPhaseMs + 30_000);
      fromAccepted.push(t2 - t1);
      fromSubmit.push(t2 - t0);
      process.stderr.write(`${label} ${i + 1}/${n}: ${t2 - t1} ms\n`);
    }
  } finally {
    await w.close();
    await adapter.stop();
  }
  return { fromAccepted, fromSubmit };
}

const mail = await startTestMail({ bot: BOT });
const idle = await run(mail, 'idle', N, {}, 0);
const poll = await run(mail, `poll${POLL_S}s`, POLL_N, { idle: false, poll_s: POLL_S }, POLL_S * 1000);
await mail.close();

const P = POLL_S * 1000;
const result = {
  mails: N,
  idle: { median_ms: median(idle.fromAccepted), max_ms: Math.max(...idle.fromAccepted), min_ms: Math.min(...idle.fromAccepted), median_from_submit_ms: median(idle.fromSubmit), samples_ms: idle.fromAccepted },
  poller_measured: { poll_s: POLL_S, mails: POLL_N, median_ms: median(poll.fromAccepted), max_ms: Math.max(...poll.fromAccepted), samples_ms: poll.fromAccepted },
  poller_60s_estimate: { median_ms: Math.round(median(poll.fromAccepted) - P / 2 + 30_000), max_ms: Math.round(Math.max(...poll.fromAccepted) - P + 60_000) },
  goal_median_ms: 1500,
};
mkdirSync('bench/out', { recursive: true });
writeFileSync('bench/out/email-latency.json', JSON.stringify(result, null, 2));
console.log(`e-mail launch → confirmation in the sender's INBOX (from SMTP acceptance), ${N} mails`);
console.log(`  IDLE adapter:          median ${result.idle.median_ms} ms, max ${result.idle.max_ms} ms (min ${result.idle.min_ms} ms; from submission start median ${result.idle.median_from_submit_ms} ms)`);
console.log(`  poller, ${POLL_S} s (measured, ${POLL_N} mails): median ${result.poller_measured.median_ms} ms, max ${result.poller_measured.max_ms} ms`);
console.log(`  poller, 60 s (scaled estimate): median ≈ ${result.poller_60s_estimate.median_ms} ms, max ≈ ${result.poller_60s_estimate.max_ms} ms`);
console.log(`  goal: median < 1500 ms → ${result.idle.median_ms < 1500 ? 'met' : 'NOT met'}`);
