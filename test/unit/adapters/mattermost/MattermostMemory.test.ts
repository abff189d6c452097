import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MattermostMemory } from '../../../../adapters/mattermost/MattermostMemory.js';
import { MemoryJobStore } from '../../../../src/store/MemoryJobStore.js';

test('the last-seen mark survives a restart but is held back during a catch-up', () => {
  const store = new MemoryJobStore();
  const m = new MattermostMemory(store.keyValues(), 3);
  assert.equal(m.lastSeen, 0);
  m.noteSeen(1000);
  m.noteSeen(900); // older posts never move the mark back
  assert.equal(new MattermostMemory(store.keyValues(), 3).lastSeen, 1000);
  m.hold();
  m.noteSeen(2000);
  assert.equal(m.lastSeen, 2000);
  assert.equal(new MattermostMemory(store.keyValues(), 3).lastSeen, 1000, 'not stored while held');
  m.release();
  assert.equal(new MattermostMemory(store.keyValues(), 3).lastSeen, 2000);
});

test('recent channels: most recent first, bounded; threads remember their channel', () => {
  const store = new MemoryJobStore();
  const m = new MattermostMemory(store.keyValues(), 3);
  for (const c of ['a', 'b', 'c', 'd', 'b']) m.rememberChannel(c);
  assert.deepEqual(m.recentChannels(), ['b', 'd', 'c']);
  m.rememberThread('root1', 'e');
  assert.deepEqual(m.recentChannels(), ['e', 'b', 'd']);
  assert.equal(new MattermostMemory(store.keyValues(), 3).channelOfThread('root1'), 'e');
  assert.equal(m.channelOfThread('nope'), undefined);
  store.keyValues().write('mattermost:channels', 'not json');
  assert.deepEqual(m.recentChannels(), []);
});
