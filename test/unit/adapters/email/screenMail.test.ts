import { test } from 'node:test';
import assert from 'node:assert/strict';
import { screenMail } from '../../../../adapters/email/screenMail.js';
import { RateLimiter } from '../../../../adapters/email/RateLimiter.js';
import { parseHeaderBlock } from '../../../../adapters/email/headers.js';
import { EmailConfigSchema } from '../../../../adapters/email/config.js';
import { ThreadIndex } from '../../../../adapters/email/ThreadIndex.js';
import { MemoryJobStore } from '../../../../src/store/MemoryJobStore.js';

const server = { host: 'mail.iac.es', port: 993, user: 'astran@iac.es', password_env: 'P' };
const config = (extra: object = {}) => EmailConfigSchema.parse({ address: 'astran@iac.es', imap: server, smtp: server, trusted_authserv_id: 'mx.iac.es', ...extra });
/** A mail as the receiving server delivers it: its own Authentication-Results on top (pass unless `ar` says otherwise). */
const headers = (extra = '', ar = 'Authentication-Results: mx.iac.es; dkim=pass header.d=iac.es\r\n') =>
  parseHeaderBlock(`${ar}Return-Path: <alice@iac.es>\r\n${extra}From: alice@iac.es\r\nSubject: ASTRAN-LAUNCH\r\n\r\n`);

test('screenMail: a normal mail is accepted', () => {
  const v = screenMail({ fields: headers(), from: 'alice@iac.es', tooLarge: false, config: config(), limiter: new RateLimiter(10, 3600_000), nowMs: 0 });
  assert.deepEqual(v, { action: 'accept' });
});

test('screenMail: require_auth_results: false accepts mail without a verdict', () => {
  const v = screenMail({ fields: headers('', ''), from: 'alice@iac.es', tooLarge: false, config: config({ require_auth_results: false }), limiter: new RateLimiter(10, 3600_000), nowMs: 0 });
  assert.deepEqual(v, { action: 'accept' });
});

test('screenMail: automated mail and unusable senders are dropped without an answer', () => {
  const limiter = new RateLimiter(10, 3600_000);
  assert.equal(screenMail({ fields: headers('Auto-Submitted: auto-replied\r\n'), from: 'alice@iac.es', tooLarge: false, config: config(), limiter, nowMs: 0 }).action, 'drop');
  assert.equal(screenMail({ fields: headers(), from: undefined, tooLarge: false, config: config(), limiter, nowMs: 0 }).action, 'drop');
  assert.equal(screenMail({ fields: headers(), from: 'not-an-address', tooLarge: false, config: config(), limiter, nowMs: 0 }).action, 'drop');
  // Automated mail wins over size: a huge bounce gets no "too large" answer.
  assert.equal(screenMail({ fields: headers('Precedence: bulk\r\n'), from: 'alice@iac.es', tooLarge: true, config: config(), limiter, nowMs: 0 }).action, 'drop');
});

test('screenMail: required Authentication-Results (the default)', () => {
  const c = config({ trusted_authserv_id: ['mx.iac.es'] });
  const limiter = new RateLimiter(10, 3600_000);
  const none = screenMail({ fields: headers('', ''), from: 'alice@iac.es', tooLarge: false, config: c, limiter, nowMs: 0 });
  assert.equal(none.action, 'drop', 'no verdict: no answer at all');
  assert.match(none.action === 'drop' ? none.reason : '', /not authenticated: no Authentication-Results/, 'the log says why');
  // A forged "pass" in the body of the headers below the server's own dkim=none does not count.
  const forged = headers('Authentication-Results: mx.iac.es; dkim=pass header.d=iac.es\r\n', 'Authentication-Results: mx.iac.es; dkim=none\r\n');
  assert.equal(screenMail({ fields: forged, from: 'alice@iac.es', tooLarge: false, config: c, limiter, nowMs: 0 }).action, 'drop');
  const pass = headers();
  assert.equal(screenMail({ fields: pass, from: 'alice@iac.es', tooLarge: false, config: c, limiter, nowMs: 0 }).action, 'accept');
  assert.equal(screenMail({ fields: pass, from: 'mallory@evil.test', tooLarge: false, config: c, limiter, nowMs: 0 }).action, 'drop');
});

test('screenMail: rate limit answers once, size limit answers with an example', () => {
  const limiter = new RateLimiter(1, 3600_000);
  const s = (tooLarge = false) => screenMail({ fields: headers(), from: 'alice@iac.es', tooLarge, config: config(), limiter, nowMs: 0 });
  assert.equal(s().action, 'accept');
  const notice = s();
  assert.equal(notice.action, 'answer');
  assert.equal(notice.action === 'answer' && notice.withExample, false);
  assert.equal(s().action, 'drop');
  const big = screenMail({ fields: headers(), from: 'bob@iac.es', tooLarge: true, config: config({ max_bytes: 50_000 }), limiter, nowMs: 0 });
  assert.equal(big.action, 'answer');
  assert.ok(big.action === 'answer' && big.withExample && /50 kB/.test(big.text));
});

test('ThreadIndex: follow-ups find the thread by In-Reply-To or any References entry, across instances', () => {
  const store = new MemoryJobStore();
  const a = new ThreadIndex(store.keyValues());
  a.open('<req@x>', { to: 'alice@iac.es', subject: 'ASTRAN-LAUNCH' });
  a.add('<req@x>', '<root@bot>');
  a.add('<req@x>', '<update@bot>');
  const b = new ThreadIndex(store.keyValues()); // e.g. after a restart: state is in the store
  assert.equal(b.lookup(['<update@bot>'], []), '<req@x>');
  assert.equal(b.lookup([], ['<other@y>', '<root@bot>']), '<req@x>');
  assert.equal(b.lookup(['<req@x>'], []), '<req@x>');
  assert.equal(b.lookup(['<unknown@y>'], ['<other@y>']), undefined);
  assert.deepEqual(b.get('<req@x>')?.chain, ['<req@x>', '<root@bot>', '<update@bot>']);
  for (let i = 0; i < 50; i++) b.add('<req@x>', `<m${i}@bot>`);
  const chain = b.get('<req@x>')!.chain;
  assert.equal(chain.length, 21);
  assert.equal(chain[0], '<req@x>');
  assert.equal(chain.at(-1), '<m49@bot>');
  // Old ids dropped from the chain still map to the thread.
  assert.equal(b.lookup(['<m0@bot>'], []), '<req@x>');
});
