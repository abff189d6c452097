import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { makeServices } from '../../fakes/fakeServices.js';
import { createLogger } from '../../../src/log.js';
import { commandSpecs } from '../../../commands/index.js';
import type { InboundMessage, Reply } from '../../../src/core/types.js';
import { createDispatcher } from '../../../src/dispatch/Dispatcher.js';
import { createAuthorizer } from '../../../src/dispatch/Authorizer.js';
import { createPreflight } from '../../../src/cli/preflight.js';
import { main } from '../../../src/cli/main.js';

const log = createLogger({ level: 'silent' });
const authorizer = createAuthorizer({ 'test:alice': 'admin', 'test:vic': 'viewer' });

function message(userId: string, text: string, onAck: (r?: Reply) => void): InboundMessage {
  return { id: `m-${Math.random()}`, identity: { adapter: 'test', userId }, text, channel: 'c', receivedAt: new Date(), ack: async (r) => onAck(r) };
}

test('the preflight answers exactly as the whole dispatcher for everything that needs no job, and passes the rest', async () => {
  const dispatcher = createDispatcher({ services: makeServices(), authorizer, specs: commandSpecs, log });
  const cases: [string, string, boolean][] = [
    ['alice', 'lanch source=Crab date=20041204', false],
    ['alice', 'source=Crab date=20041204', false],
    ['alice', 'launch source="Crab', false],
    ['alice', '', false],
    ['alice', 'yes', false],
    ['mallory', 'launch source=Crab date=20041204', false],
    ['vic', 'cancel A-0001', false],
    ['alice', 'x'.repeat(5000), false],
    ['alice', 'jobs', true],
    ['alice', 'launch source=Crab date=20041204', true],
    ['vic', 'status', true],
  ];
  for (const [user, text, needsBot] of cases) {
    const pre = createPreflight({ authorizer, specs: commandSpecs, log });
    let early: Reply | undefined | 'none' = 'none';
    await pre.handle(message(user, text, (r) => (early = r)));
    assert.equal(pre.passed, needsBot, `${user}: ${text.slice(0, 40)}`);
    if (needsBot) {
      assert.equal(early, 'none', 'nothing is answered for a command that needs the bot');
      continue;
    }
    let full: Reply | undefined;
    await dispatcher(message(user, text, (r) => (full = r)));
    assert.deepEqual(early, full, `${user}: ${text.slice(0, 40)}`);
  }
});

test('`astran run "<bad command>"` answers with exit 2 and never opens the job store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'astran-pre-'));
  try {
    let out = '';
    const stdout = new Writable({ write: (c, _e, cb) => ((out += String(c)), cb()) });
    const stderr = new Writable({ write: (_c, _e, cb) => cb() });
    const db = join(dir, 'jobs.sqlite');
    const code = await main(['run', 'lanch source=Crab date=20041204', '--db', db], { stdout, stderr, stdin: process.stdin, env: { ASTRAN_LOG_LEVEL: 'silent' }, cwd: dir });
    assert.equal(code, 2);
    assert.match(out, /I don't know the command `lanch`\. Did you mean `launch`\?/);
    assert.equal(existsSync(db), false, 'the bot (and its store) was not started');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
