import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnyCommandSpec, ParsedArgs } from '../../../../src/dispatch/CommandSpec.js';
import { intArg, textArg } from '../../../../src/dispatch/validation/argSchemas.js';
import { TestBackend } from '../../../fakes/TestBackend.js';

/** A spec whose run records the arguments it got and whose check records what it was shown. */
function probe(opts: { check?: boolean; checkPartial?: boolean } = {}) {
  const ran: unknown[] = [];
  const checked: ParsedArgs[] = [];
  const spec: AnyCommandSpec = {
    name: 'probe',
    summary: 'a test command',
    usage: 'probe name=TEXT [n=1..5]',
    examples: ['probe name=x'],
    args: [
      { name: 'name', required: true, description: 'any text', example: 'x', schema: textArg(10) },
      { name: 'n', description: 'a small number', example: '2', schema: intArg(1, 5) },
    ],
    permission: 'viewer',
    sideEffects: 'none',
    ...(opts.check
      ? {
          checkPartial: opts.checkPartial,
          async check(_ctx: unknown, args: ParsedArgs) {
            checked.push({ ...args });
            return args.name === 'taken' ? { ok: false, problems: [{ message: 'That name is taken.', fix: 'Pick another.' }] } : { ok: true, args: { checkedName: args.name } };
          },
        }
      : {}),
    async run(_ctx, args) {
      ran.push(args);
      return { text: 'ran' };
    },
  };
  return { spec, ran, checked };
}

test('without a check, the command runs with the values its schemas parsed', async () => {
  const p = probe();
  const b = new TestBackend({ specs: [p.spec] });
  assert.equal(await b.text('probe name="  a  b " n=3'), 'ran');
  assert.deepEqual(p.ran, [{ name: 'a b', n: 3 }]);
});

test('the schemas run centrally: a bad value and a missing parameter are refused before any check or run', async () => {
  const p = probe({ check: true });
  const b = new TestBackend({ specs: [p.spec] });
  const r = await b.say('probe n=9');
  assert.equal(r!.rejected, true);
  assert.match(r!.text, /2 problems/);
  assert.match(r!.text, /Missing name\. Try: `\/astran probe name=x n=9`/);
  assert.match(r!.text, /n=`9` must be a whole number from 1 to 5\. Example: `n=2`/);
  assert.deepEqual(p.checked, [], 'the domain check never saw incomplete arguments');
  assert.deepEqual(p.ran, []);
});

test('the domain check runs on valid parameters and its problems share the reply with unknown keys', async () => {
  const p = probe({ check: true });
  const b = new TestBackend({ specs: [p.spec] });
  const r = await b.say('probe name=taken colour=red');
  assert.match(r!.text, /2 problems/);
  assert.match(r!.text, /has no parameter `colour`/);
  assert.match(r!.text, /That name is taken\. Pick another\./);
  assert.deepEqual(p.ran, []);
  assert.equal(await b.text('probe name=free'), 'ran');
  assert.deepEqual(p.ran, [{ checkedName: 'free' }], 'run gets what the check returned');
});

test('checkPartial: the check also sees the values that passed when others failed, for one reply with every problem', async () => {
  const p = probe({ check: true, checkPartial: true });
  const b = new TestBackend({ specs: [p.spec] });
  const r = await b.say('probe name=taken n=0');
  assert.match(r!.text, /2 problems/);
  assert.match(r!.text, /n=`0` must be a whole number/);
  assert.match(r!.text, /That name is taken/);
  assert.deepEqual(p.checked, [{ name: 'taken' }]);
  assert.deepEqual(p.ran, []);
});
