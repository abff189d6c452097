import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EmailConfigSchema } from '../../../../adapters/email/config.js';
import { createEmailAdapter } from '../../../../adapters/email/index.js';
import { MemoryJobStore } from '../../../../src/store/MemoryJobStore.js';
import { silentLogger } from '../../../../src/log.js';

const server = { host: 'imap.iac.es', port: 993, user: 'astran@iac.es', password_env: 'ASTRAN_IMAP_PASSWORD' };
const base = { address: 'astran@iac.es', imap: server, smtp: { ...server, port: 465, password_env: 'ASTRAN_SMTP_PASSWORD' }, trusted_authserv_id: 'mx.iac.es' };
const { trusted_authserv_id: _unused, ...noAuthserv } = base;

test('email config: defaults', () => {
  const c = EmailConfigSchema.parse(base);
  assert.equal(c.imap.security, 'tls');
  assert.equal(c.imap.idle_restart_s, 1500);
  assert.equal(c.imap.mailbox, 'INBOX');
  assert.deepEqual(c.rate_limit, { max: 10, window_s: 3600 });
  assert.equal(c.require_auth_results, true, 'sender authentication fails closed by default');
  assert.equal(c.dkim, undefined);
});

test('email config: plain only on loopback, IDLE restart ≤ 29 min, auth results need a trusted id, env names only', () => {
  assert.equal(EmailConfigSchema.safeParse({ ...base, imap: { ...server, security: 'plain' } }).success, false);
  assert.equal(EmailConfigSchema.safeParse({ ...base, imap: { ...server, host: '127.0.0.1', security: 'plain' } }).success, true);
  assert.equal(EmailConfigSchema.safeParse({ ...base, imap: { ...server, idle_restart_s: 1800 } }).success, false);
  const missing = EmailConfigSchema.safeParse(noAuthserv);
  assert.equal(missing.success, false, 'on by default, so a trusted authserv-id is required');
  assert.match(JSON.stringify(missing.error?.issues), /trusted_authserv_id/);
  assert.match(JSON.stringify(missing.error?.issues), /require_auth_results: false/, 'says how to opt out');
  assert.equal(EmailConfigSchema.safeParse({ ...noAuthserv, require_auth_results: false }).success, true);
  assert.equal(EmailConfigSchema.safeParse({ ...base, trusted_authserv_id: [] }).success, false);
  assert.equal(EmailConfigSchema.safeParse({ ...base, dkim: { domain: 'iac.es', selector: 'astran2026', private_key_file: '/etc/astran/dkim.pem' } }).success, true);
  assert.equal(EmailConfigSchema.safeParse({ ...base, dkim: { domain: 'iac.es', selector: 'a b', private_key_file: '/k' } }).success, false);
  assert.equal(EmailConfigSchema.safeParse({ ...base, dkim: { domain: 'iac.es', selector: 's', private_key: '-----BEGIN' } }).success, false, 'the key itself never goes in the config');
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

test('DKIM: an unreadable or non-PEM key file is a configuration error naming the setting, never the key', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'astran-dkim-'));
  const env = { ASTRAN_IMAP_PASSWORD: 'x', ASTRAN_SMTP_PASSWORD: 'y' };
  const deps = { log: silentLogger, kv: new MemoryJobStore().keyValues(), env };
  assert.throws(() => createEmailAdapter({ ...deps, config: { ...base, dkim: { domain: 'iac.es', selector: 's', private_key_file: join(dir, 'missing.pem') } } }), /email\.dkim\.private_key_file: cannot read .*ENOENT/);
  writeFileSync(join(dir, 'bad.pem'), 'secret-not-a-key');
  assert.throws(
    () => createEmailAdapter({ ...deps, config: { ...base, dkim: { domain: 'iac.es', selector: 's', private_key_file: join(dir, 'bad.pem') } } }),
    (e: unknown) => /not a PEM private key/.test((e as Error).message) && !(e as Error).message.includes('secret-not-a-key'),
  );
});
