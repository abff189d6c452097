import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMattermostAdapter, MattermostConfigSchema } from '../../../../adapters/mattermost/index.js';
import { ConfigError } from '../../../../src/core/errors.js';
import { MemoryJobStore } from '../../../../src/store/MemoryJobStore.js';
import { silentLogger } from '../../../../src/log.js';

const store = new MemoryJobStore();

test('defaults: token env names, reconnect backoff, no slash endpoint unless listen is set', () => {
  const c = MattermostConfigSchema.parse({ url: 'https://chat.example.org/' });
  assert.equal(c.url, 'https://chat.example.org');
  assert.equal(c.bot_token_env, 'MATTERMOST_BOT_TOKEN');
  assert.equal(c.slash_token_env, 'MATTERMOST_SLASH_TOKEN');
  assert.deepEqual(c.reconnect, { min_s: 1, max_s: 60 });
  assert.equal(c.listen, undefined);
  const l = MattermostConfigSchema.parse({ url: 'http://127.0.0.1:8065', listen: {} });
  assert.deepEqual(l.listen, { host: '127.0.0.1', port: 8066, path: '/mattermost/command' });
});

test('bad config is a ConfigError naming the setting; secrets are never accepted in config', () => {
  assert.throws(() => createMattermostAdapter({ config: { url: 'ftp://x' }, env: {}, log: silentLogger, kv: store.keyValues() }), (e: unknown) => e instanceof ConfigError && /mattermost\.url/.test(e.message));
  assert.throws(() => createMattermostAdapter({ config: { url: 'https://x.org', bot_token: 'abc' }, env: {}, log: silentLogger, kv: store.keyValues() }), ConfigError);
});

test('a missing secret variable is named in the error', () => {
  assert.throws(
    () => createMattermostAdapter({ config: { url: 'https://x.org', bot_token_env: 'MM_TOKEN' }, env: {}, log: silentLogger, kv: store.keyValues() }),
    (e: unknown) => e instanceof ConfigError && e.message.includes('MM_TOKEN') && !e.message.includes('MATTERMOST_SLASH_TOKEN'),
  );
  assert.throws(
    () => createMattermostAdapter({ config: { url: 'https://x.org', listen: {} }, env: { MATTERMOST_BOT_TOKEN: 't0k3n' }, log: silentLogger, kv: store.keyValues() }),
    (e: unknown) => e instanceof ConfigError && e.message.includes('MATTERMOST_SLASH_TOKEN'),
  );
  const a = createMattermostAdapter({ config: { url: 'https://x.org' }, env: { MATTERMOST_BOT_TOKEN: 't0k3n' }, log: silentLogger, kv: store.keyValues() });
  assert.equal(a.name, 'mattermost');
  assert.equal(a.canEdit, true);
});
