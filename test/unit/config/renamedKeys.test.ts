import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { explainIssues } from '../../../src/config/renamedKeys.js';

const Schema = z
  .object({
    remote_workdir: z.string(),
    wait: z.object({ deadline_s: z.number().default(60) }).strict().prefault({}),
    stages: z.array(z.object({ name: z.string(), memory: z.string().optional() }).strict()).default([]),
  })
  .strict();
const RENAMED = [
  { from: 'remoteWorkdir', to: 'remote_workdir' },
  { from: 'wait.deadline_h', to: 'deadline_s', scale: 3600 },
  { from: 'stages.*.mem', to: 'memory' },
];

function explain(value: unknown) {
  const r = Schema.safeParse(value);
  assert.equal(r.success, false);
  return explainIssues(r.error!.issues, value, RENAMED).map((i) => `${i.path.join('.')}: ${i.message}`);
}

test('an old key name gets a "did you mean" with the new key, and no "required" for the key it stands for', () => {
  assert.deepEqual(explain({ remoteWorkdir: '/w' }), ['remoteWorkdir: renamed; did you mean `remote_workdir`? (keys are snake_case now)']);
});

test('a renamed duration is shown converted to seconds; list items are matched at any index', () => {
  assert.deepEqual(explain({ remote_workdir: '/w', wait: { deadline_h: 12 }, stages: [{ name: 'a' }, { name: 'b', mem: '8G' }] }), [
    'wait.deadline_h: renamed; did you mean `deadline_s: 43200`? (keys are snake_case and durations are in seconds now)',
    'stages.1.mem: renamed; did you mean `memory`? (keys are snake_case now)',
  ]);
});

test('unknown keys that were never renamed, and every other problem, keep their own messages', () => {
  assert.deepEqual(explain({ remote_workdir: 3, colour: 'blue', stages: [{ name: 'a', mem2: '1G' }] }), [
    'remote_workdir: Invalid input: expected string, received number',
    'stages.0: Unrecognized key: "mem2"',
    ': Unrecognized key: "colour"',
  ]);
});
