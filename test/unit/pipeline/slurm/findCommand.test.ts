import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseFindOutput } from '../../../../src/pipeline/slurm/findCommand.js';

const fx = (name: string) => readFileSync(new URL(`../../../fixtures/slurm/${name}`, import.meta.url), 'utf8');

test('findSubmitted output recorded live: the array and its tasks', () => {
  assert.deepEqual(parseFindOutput(fx('find-live.txt'), 'astran-A-1-s-a1'), { ref: '1', tasks: [0, 1, 2, 3] });
  assert.equal(parseFindOutput(fx('find-none.txt'), 'astran-Z-9-none-a1'), undefined);
});

test('only sacct remembers it (squeue purged after MinJobAge)', () => {
  const text = fx('find-live.txt').replace(/^[\s\S]*?@@ASTRAN-RC 0\n/, '@@ASTRAN-RC 0\n');
  assert.deepEqual(parseFindOutput(text, 'astran-A-1-s-a1'), { ref: '1', tasks: [0, 1, 2, 3] });
});

test('the newest of two submissions with the same name wins; other names are ignored', () => {
  const text = '7_0|7|0|7|CANCELLED|None|astran-A-1-s-a1\n9_0|9|0|9|RUNNING|None|astran-A-1-s-a1\n9_1|9|1|10|RUNNING|None|astran-A-1-s-a10\n@@ASTRAN-RC 0\n@@ASTRAN-SACCT\n';
  assert.deepEqual(parseFindOutput(text, 'astran-A-1-s-a1'), { ref: '9', tasks: [0] });
  assert.throws(() => parseFindOutput('garbage', 'x'));
});
