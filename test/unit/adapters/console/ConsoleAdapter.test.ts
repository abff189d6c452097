import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { ConsoleAdapter } from '../../../../adapters/console/ConsoleAdapter.js';
import { MemoryKeyValueStore } from '../../../../src/store/MemoryKeyValueStore.js';
import type { InboundMessage } from '../../../../src/core/types.js';

function sink(): { out: Writable; text: () => string } {
  let buf = '';
  return { out: new Writable({ write(c, _e, cb) { buf += String(c); cb(); } }), text: () => buf };
}

const req: InboundMessage = { id: 'r', identity: { adapter: 'console', userId: 'alice' }, text: '', receivedAt: new Date(), async ack() {} };

test('console thread ids are never reused after a restart (same key/value store), and carry the job id given', async () => {
  const kv = new MemoryKeyValueStore();
  const a = new ConsoleAdapter({ user: 'alice', output: sink().out, kv });
  const t1 = await a.openThread(req, { text: 'root of A-0001' }, 'A-0001');
  assert.equal(t1.thread.key, 'T1');
  const s = sink();
  const b = new ConsoleAdapter({ user: 'alice', output: s.out, kv }); // the restarted bot
  const t2 = await b.openThread(req, { text: 'root text without any id' }, 'A-0002');
  assert.equal(t2.thread.key, 'T2');
  assert.match(s.text(), /^\[T2 A-0002\] root text/m, 'labelled with the job id passed in, not parsed from the text');
  // A line typed in the old thread is still routed there after the restart.
  let seen: InboundMessage | undefined;
  await b.start(async (m) => {
    seen = m;
    await m.ack();
  });
  await b.inject('T1: status');
  assert.deepEqual(seen?.thread, { adapter: 'console', key: 'T1' });
  assert.equal(seen?.text, 'status');
});

test('console output has bidi and terminal control characters removed', async () => {
  const s = sink();
  const a = new ConsoleAdapter({ user: 'alice', output: s.out });
  const t = await a.openThread(req, { text: 'by \u202Eevil\u001b[2J' }, 'A-0001');
  await a.send(t.thread, { text: 'x\u0007' });
  assert.doesNotMatch(s.text(), /[\u202E\u001b\u0007]/);
});
