import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSecrets } from '../../../src/config/readSecrets.js';
import { ConfigError } from '../../../src/core/errors.js';

test('readSecrets: values trimmed, unneeded secrets skipped, every missing variable named at once, no value leaked', () => {
  assert.deepEqual(readSecrets({ A: ' x ', B: 'y' }, 'T', { a: 'A', b: undefined }), { a: 'x' });
  assert.throws(
    () => readSecrets({ A: 'leak-me', B: '  ' }, 'Slack adapter', { a: 'A', b: 'B', c: 'C' }),
    (e: unknown) => e instanceof ConfigError && e.message === 'Slack adapter: environment variables B, C are not set' && !e.message.includes('leak-me') && e.issues.join() === 'set B,set C',
  );
  assert.throws(() => readSecrets({}, 'email', { v: 'PW' }), /email: environment variable PW is not set/);
});
