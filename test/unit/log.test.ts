import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, redactText } from '../../src/log.js';

function capture() {
  const lines: string[] = [];
  const dest = new Writable({
    write(c, _e, cb) {
      lines.push(String(c));
      cb();
    },
  });
  return { log: createLogger({ level: 'debug', destination: dest }), lines };
}

test('token-shaped text is redacted from free text', () => {
  assert.equal(redactText('using xoxb-123-456-abcDEF now'), 'using [REDACTED] now');
  assert.equal(redactText('app xapp-1-A0-123-abc'), 'app [REDACTED]');
  assert.equal(redactText('Authorization: Bearer abcdefghijklmnop'), 'Authorization: Bearer [REDACTED]');
  assert.equal(redactText('-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----'), '[REDACTED]');
  assert.equal(redactText('nothing secret here'), 'nothing secret here');
});

test('secret-named fields and token-looking messages never reach a log line; the job id does', async () => {
  const { log, lines } = capture();
  const job = log.child({ job: 'A-0042' });
  job.info({ config: { token: 'mm-secret-token', password: 'hunter2' }, headers: { authorization: 'Token abc' } }, 'connecting with xoxb-999-888-zzz');
  job.warn({ slack: { botToken: 'xoxb-1-2-3', signingSecret: 's3cr3t' } }, 'slack ready');
  await new Promise((r) => setImmediate(r));
  const all = lines.join('');
  for (const secret of ['mm-secret-token', 'hunter2', 'Token abc', 'xoxb-999-888-zzz', 'xoxb-1-2-3', 's3cr3t']) assert.ok(!all.includes(secret), `leaked ${secret}`);
  assert.equal(lines.length, 2);
  for (const l of lines) assert.equal(JSON.parse(l).job, 'A-0042', 'every line of a job carries its id');
});
