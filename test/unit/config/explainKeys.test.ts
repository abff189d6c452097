import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { formatKeyDocs, keyDocs, keysIn } from '../../../src/config/explainKeys.js';

const schema = z
  .object({
    a: z.number().min(0).max(90).default(8).describe('A number.'),
    b: z.object({ c: z.enum(['x', 'y']).default('x').describe('C.'), d: z.boolean().optional() }).strict().prefault({}).describe('B section.'),
    list: z.array(z.object({ name: z.string().describe('Name.') })).default([]),
    map: z.record(z.string(), z.string()).default({}).describe('A map.'),
    open: z.object({ fixed: z.string() }).catchall(z.string().describe('Any other.')),
    int: z.number().int().positive(),
  })
  .strict();

test('every key with its type, limits, default and description, from the zod schema alone', () => {
  const docs = keyDocs(schema);
  assert.deepEqual(
    docs.map((d) => [d.key, d.type, d.required, d.default ?? null, d.description]),
    [
      ['a', 'number, ≥ 0, ≤ 90', false, '8', 'A number.'],
      ['b', 'section', false, null, 'B section.'],
      ['b.c', 'one of: x, y', false, '"x"', 'C.'],
      ['b.d', 'true or false', false, null, null],
      ['list', 'list of section', false, '[]', null],
      ['list[].name', 'text', true, null, 'Name.'],
      ['map', 'map of name → text', false, null, 'A map.'],
      ['open', 'section', true, null, null],
      ['open.fixed', 'text', true, null, null],
      ['open.*', 'text', false, null, 'Any other.'],
      ['int', 'whole number, > 0', true, null, null],
    ],
  );
  // A section schema is placed under its key in the file.
  assert.deepEqual(keyDocs(z.object({ host: z.string().describe('H.') }), 'backends.slurm').map((d) => d.key), ['backends.slurm.host']);
});

test('the printout marks the keys set in the file, never their values, and counts undocumented keys', () => {
  const raw = { a: 3, b: { c: 'x' }, list: [{ name: 'secret-value' }], map: { k: 'v' } };
  assert.deepEqual([...keysIn(raw)].sort(), ['a', 'b', 'b.c', 'list', 'list[].name', 'map', 'map.k']);
  const text = formatKeyDocs(keyDocs(schema), keysIn(raw));
  assert.match(text, /^\* a \(number, ≥ 0, ≤ 90; default 8\)\n {4}A number\.$/m);
  assert.match(text, /^ {2}b\.d \(true or false; optional\)\n {4}\(no description yet\)$/m);
  assert.match(text, /^\* list\[\]\.name \(text; required\)$/m);
  assert.doesNotMatch(text, /secret-value/);
  assert.match(text, /11 keys, 5 without a description yet/);
});
