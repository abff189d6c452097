import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Poller } from '../../../src/orchestrator/Poller.js';
import { silentLogger } from '../../../src/log.js';
import type { ClusterBackend, StageStatus, TaskEvent, TaskState } from '../../../src/pipeline/ClusterBackend.js';

/** Just what the Poller uses: poll() answers from a script, onTaskEvent() lets the test emit events. */
function backend(states: TaskState[]) {
  let listener: ((e: TaskEvent) => void) | undefined;
  const calls: number[] = [];
  const b = {
    polls: 0,
    async poll(refs: string[]) {
      calls.push(Date.now());
      const state = states[Math.min(b.polls++, states.length - 1)]!;
      return new Map<string, StageStatus>(refs.map((r) => [r, { ref: r, state, tasks: [{ index: 0, state }] }]));
    },
    onTaskEvent(l: (e: TaskEvent) => void) {
      listener = l;
      return () => (listener = undefined);
    },
    emit: (e: TaskEvent) => listener?.(e),
    calls,
  };
  return b;
}

test('an event makes the next poll come at once instead of after the interval; the poll still decides', async () => {
  const b = backend(['running', 'completed']);
  const p = new Poller(b as unknown as ClusterBackend, 10_000, silentLogger);
  try {
    const t0 = Date.now();
    const done = p.watch('7');
    b.emit({ ref: '99', index: 0, exitCode: 0 }); // not watched: nothing happens
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(b.polls, 0);
    b.emit({ ref: '7', index: 0, exitCode: 0 });
    b.emit({ ref: '7', index: 0, exitCode: 0 }); // a duplicate line changes nothing
    // First poll still says running (squeue: COMPLETING): quick follow-ups until the poll agrees.
    const s = await done;
    assert.equal(s.state, 'completed');
    assert.equal(b.polls, 2);
    assert.ok(Date.now() - t0 < 2000, `settled after ${Date.now() - t0} ms with a 10 s interval`);
    assert.equal(p.eventPolls, 2);
  } finally {
    p.stop();
  }
});

test('without events the interval is kept (a lost event only costs time)', async () => {
  const b = backend(['completed']);
  const p = new Poller(b as unknown as ClusterBackend, 400, silentLogger);
  try {
    const t0 = Date.now();
    await p.watch('8');
    assert.ok(Date.now() - t0 >= 380);
    assert.equal(p.eventPolls, 0);
  } finally {
    p.stop();
  }
});
