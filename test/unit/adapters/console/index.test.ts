import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createConsoleAdapter } from '../../../../adapters/console/index.js';
import { ConfigError } from '../../../../src/core/errors.js';
import type { InboundMessage } from '../../../../src/core/types.js';

const quiet = () => new Writable({ write(_c, _e, cb) { cb(); } });

async function identityOf(config: unknown): Promise<InboundMessage['identity'] | undefined> {
  const a = createConsoleAdapter({ config, output: quiet() });
  let seen: InboundMessage | undefined;
  await a.start(async (m) => {
    seen = m;
    await m.ack();
  });
  await a.inject('help');
  return seen?.identity;
}

test('the console adapter speaks as the configured user, `local` when the section is absent', async () => {
  assert.deepEqual(await identityOf({ enabled: true, user: 'lstanalyzer' }), { adapter: 'console', userId: 'lstanalyzer', displayName: 'lstanalyzer' });
  assert.deepEqual(await identityOf(undefined), { adapter: 'console', userId: 'local', displayName: 'local' });
});

test('a bad adapters.console section is a ConfigError naming the key', () => {
  assert.throws(
    () => createConsoleAdapter({ config: { enabled: true, usr: 'bob' }, output: quiet() }),
    (e: unknown) => e instanceof ConfigError && e.issues.some((i) => /^adapters\.console/.test(i) && /usr/.test(i)),
  );
});
