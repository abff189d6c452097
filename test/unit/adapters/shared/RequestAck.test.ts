import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestAck } from '../../../../adapters/shared/RequestAck.js';
import type { Reply } from '../../../../src/core/types.js';
import { silentLogger } from '../../../../src/log.js';

function rig(deadlineMs?: number) {
  const now: (Reply | undefined)[] = [];
  const later: Reply[] = [];
  const ack = new RequestAck({
    what: 'test request',
    log: silentLogger,
    deadlineMs,
    placeholder: { text: 'Working on it…' },
    respond: async (r) => void now.push(r),
    followUp: async (r) => void later.push(r),
  });
  return { ack, now, later };
}

test('the first answer goes out on the immediate channel, once', async () => {
  const { ack, now, later } = rig(1000);
  await ack.ack({ text: 'one' });
  await ack.ack({ text: 'two' });
  await ack.settle();
  assert.deepEqual(now, [{ text: 'one' }]);
  assert.deepEqual(later, []);
  assert.equal(ack.acked, true);
});

test('past the deadline: the placeholder closes the immediate channel and the answer is a follow-up', async () => {
  const { ack, now, later } = rig(20);
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(now, [{ text: 'Working on it…' }]);
  await ack.ack({ text: 'late answer' });
  assert.deepEqual(later, [{ text: 'late answer' }]);
});

test('fail(): one error reply with an error id, never after an answer', async () => {
  const a = rig();
  const id = await a.ack.fail(new Error('boom /secret/path'));
  assert.match(id, /^E-[0-9A-F]{6}$/);
  assert.equal(a.now.length, 1);
  assert.ok(a.now[0]?.text.includes(id) && !a.now[0].text.includes('/secret/path'), a.now[0]?.text);
  assert.equal(a.now[0]?.rejected, true);
  const b = rig();
  await b.ack.ack({ text: 'done' });
  await b.ack.fail(new Error('after'));
  assert.deepEqual(b.now, [{ text: 'done' }], 'an answered request gets no second reply');
});

test('a broken immediate channel: the answer still reaches the user as a follow-up; rebind moves a redelivery to the live channel', async () => {
  const later: Reply[] = [];
  const broken = new RequestAck({ what: 't', log: silentLogger, respond: async () => { throw new Error('socket closed'); }, followUp: async (r) => void later.push(r) });
  await broken.ack({ text: 'answer' });
  assert.deepEqual(later, [{ text: 'answer' }]);

  const live: (Reply | undefined)[] = [];
  const re = new RequestAck({ what: 't', log: silentLogger, respond: async () => { throw new Error('dead socket'); } });
  re.rebind(async (r) => void live.push(r));
  await re.ack({ text: 'via the new socket' });
  assert.deepEqual(live, [{ text: 'via the new socket' }]);
});

test('settle(): an unanswered request still gets an empty acknowledgement', async () => {
  const { ack, now } = rig(1000);
  await ack.settle();
  assert.deepEqual(now, [undefined]);
  assert.equal(ack.closed, true);
});
