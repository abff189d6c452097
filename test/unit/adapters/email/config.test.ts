import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EmailConfigSchema } from '../../../../adapters/email/config.js';
import { createEmailAdapter } from '../../../../adapters/email/index.js';
import { MemoryJobStore } from '../../../../src/store/MemoryJobStore.js';
import { silentLogger } from '../../../../src/log.js';

const server = { host: 'imap.iac.es', port: 993, user: 'astran@iac.es', password_env: 'ASTRAN_IMAP_PASSWORD' };
const base = { address: 'astran@iac.es', imap: server, smtp: { ...server, port: 465, password_env: 'ASTRAN_SMTP_PASSWORD' } };

test('email config: defaults', () => {
  const c = EmailConfigSchema.parse(base);
  assert.equal(c.imap.security, 'tls');
  assert.equal(c.imap.idle_restart_s, 1500);
  assert.equal(c.imap.mailbox, 'INBOX');
  assert.deepEqual(c.rate_limit, { max: 10, window_s: 3600 });
  assert.equal(c.require_auth_results, false);
});

test('email config: plain only on loopback, IDLE restart ≤ 29 min, auth results need a trusted id, env names only', () => {
  assert.equal(EmailConfigSchema.safeParse({ ...base, imap: { ...server, security: 'plain' } }).success, false);
  assert.equal(EmailConfigSchema.safeParse({ ...base, imap: { ...server, host: '127.0.0.1', security: 'plain' } }).success, true);
  assert.equal(EmailConfigSchema.safeParse({ ...base, imap: { ...server, idle_restart_s: 1800 } }).success, false);
  assert.equal(EmailConfigSchema.safeParse({ ...base, require_auth_results: true }).success, false);
  assert.equal(EmailConfigSchema.safeParse({ ...base, require_auth_results: true, trusted_authserv_id: 'mx.iac.es' }).success, true);
  assert.equal(EmailConfigSchema.safeParse({ ...base, imap: { ...server, password_env: 'hunter2 is my password' } }).success, false);
  assert.equal(EmailConfigSchema.safeParse({ ...base, address: 'not an address' }).success, false);
  // Typos in keys are reported, not silently ignored.
  assert.equal(EmailConfigSchema.safeParse({ ...base, imap: { ...server, pasword_env: 'X' } }).success, false);
  assert.equal(EmailConfigSchema.safeParse({ ...base, rate_limt: { max: 1, window_s: 60 } }).success, false);
});

test('a missing password variable is an error naming the variable, not a value', () => {
  const deps = { config: base, log: silentLogger, kv: new MemoryJobStore().keyValues() };
  assert.throws(() => createEmailAdapter({ ...deps, env: {} }), /ASTRAN_IMAP_PASSWORD/);
  assert.throws(() => createEmailAdapter({ ...deps, env: { ASTRAN_IMAP_PASSWORD: 'x' } }), /ASTRAN_SMTP_PASSWORD/);
  const a = createEmailAdapter({ ...deps, env: { ASTRAN_IMAP_PASSWORD: 'x', ASTRAN_SMTP_PASSWORD: 'y' } });
  assert.equal(a.canEdit, false);
  assert.equal(a.name, 'email');
});
