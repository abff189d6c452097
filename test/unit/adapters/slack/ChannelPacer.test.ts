import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { ChannelPacer } from '../../../../adapters/slack/ChannelPacer.js';

// Mocked timers and clock: the spacing is checked exactly, whatever the machine's load.
test('posts in one channel run in order and start at least the interval apart; other channels do not wait', async () => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  try {
    const pacer = new ChannelPacer(50);
    const starts: [string, number][] = [];
    const post = (channel: string, label: string, takesMs: number) =>
      pacer.run(channel, async () => {
        starts.push([label, Date.now()]);
        await new Promise((r) => setTimeout(r, takesMs));
        return label;
      });
    const all = Promise.all([post('C1', 'a', 10), post('C1', 'b', 70), post('C1', 'c', 0), post('C2', 'x', 0)]);
    for (let i = 0; i < 40; i++) {
      await new Promise((r) => setImmediate(r));
      mock.timers.tick(5);
    }
    assert.deepEqual(await all, ['a', 'b', 'c', 'x']);
    const at = Object.fromEntries(starts);
    assert.deepEqual(starts.filter(([l]) => l !== 'x').map(([l]) => l), ['a', 'b', 'c'], 'one channel keeps its order');
    assert.equal(at.a, 0);
    assert.ok(at.b >= at.a + 50, `b waits the interval after a started (${at.b})`);
    assert.ok(at.c >= at.b + 70, `c waits until b is done (${at.c})`);
    assert.equal(at.x, 0, 'another channel does not wait');
  } finally {
    mock.timers.reset();
  }
});
