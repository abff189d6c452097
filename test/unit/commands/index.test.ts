import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandSpecs } from '../../../commands/index.js';
import { parseCommand } from '../../../src/dispatch/parsing/parseCommand.js';
import { bindArgs } from '../../../src/dispatch/parsing/bindArgs.js';
import { checkArgs } from '../../../src/dispatch/validation/checkArgs.js';
import { exampleValue } from '../../../src/dispatch/CommandSpec.js';
import { ROLES } from '../../../src/core/services.js';

const NOW = new Date('2023-12-10T09:30:00Z');

// Help is rendered from the specs, so the specs themselves must be complete and their examples valid.
for (const spec of commandSpecs) {
  test(`spec ${spec.name} is complete and its examples parse`, () => {
    assert.match(spec.name, /^[a-z]+$/);
    assert.ok(spec.summary.length > 10 && spec.usage.startsWith(spec.name) && spec.sideEffects);
    assert.ok(ROLES.includes(spec.permission));
    assert.ok(spec.examples.length > 0);
    assert.ok(spec.args.filter((a) => a.positional).length <= 1, 'at most one positional');
    for (const a of spec.args) {
      assert.match(a.name, /^[a-z][a-z0-9_]*$/, 'canonical key');
      assert.ok(a.description.length > 5, `${a.name} has a description`);
      const ex = exampleValue(a, NOW);
      assert.ok(a.schema.safeParse(ex).success, `${spec.name}.${a.name} example ${ex} passes its own schema`);
    }
    for (const ex of spec.examples) {
      const r = parseCommand(ex);
      assert.ok(r.ok, ex);
      assert.equal(r.command.verb, spec.name, ex);
      const bound = bindArgs(spec, r.command);
      assert.deepEqual(bound.problems, [], ex);
      assert.deepEqual(checkArgs(spec, bound.values, NOW).problems, [], ex);
    }
  });
}

test('command names are unique', () => {
  const names = commandSpecs.map((s) => s.name);
  assert.equal(new Set(names).size, names.length);
  assert.deepEqual([...names].sort(), ['cancel', 'help', 'jobs', 'launch', 'nights', 'sources', 'status', 'subscribe', 'subscriptions', 'unsubscribe']);
});

test('only cancel asks for confirmation; launch, cancel, subscribe and unsubscribe need launcher, the rest viewer', () => {
  for (const s of commandSpecs) {
    assert.equal(Boolean(s.confirmation), s.name === 'cancel', s.name);
    assert.equal(s.permission, ['launch', 'cancel', 'subscribe', 'unsubscribe'].includes(s.name) ? 'launcher' : 'viewer', s.name);
  }
  assert.equal(commandSpecs.find((s) => s.name === 'cancel')!.confirmation!.timeoutMs, 120_000);
});
