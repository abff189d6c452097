import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REQUESTER_TAG_RE, requesterTag } from '../../../src/people/requesterTag.js';
import { requesterName } from '../../../src/people/requesterName.js';
import { userText, withoutMarks } from '../../../src/core/userText.js';

test("the comment names a person by id, anyone else by their identity reduced to safe characters", () => {
  assert.equal(requesterTag({ owner: { person: 'alice', name: 'Alice' }, requester: { adapter: 'email', userId: 'alice@iac.es' } }), 'alice');
  assert.equal(requesterTag({ owner: null, requester: { adapter: 'slack', userId: 'U0123' } }), 'slack:U0123');
  assert.equal(requesterTag({ owner: null, requester: { adapter: 'email', userId: 'carol@iac.es' } }), 'email:carol@iac.es');
  // Hostile addresses (user-controlled): shell and Slurm metacharacters, newlines, a comment separator.
  for (const userId of ["o'hara$(touch /tmp/astran-pwned)@iac.es", 'x`id`;rm -rf ~@iac.es', 'a\nb|c,d@iac.es', '-rf@iac.es', 'é'.repeat(200)]) {
    const tag = requesterTag({ owner: null, requester: { adapter: 'email', userId } });
    assert.match(tag, REQUESTER_TAG_RE, userId);
    assert.doesNotMatch(tag, /['`$;|\s,()]/, userId);
  }
  assert.equal(requesterTag({ owner: null, requester: { adapter: 'email', userId: "o'hara$(x)@iac.es" } }), 'email:o_hara__x_@iac.es');
});

test("names: the person's, else the display name, else the identity, each marked as user text for the adapters to escape", () => {
  assert.equal(requesterName({ owner: { person: 'alice', name: 'Alice Example' }, requester: { adapter: 'slack', userId: 'U1', displayName: 'al' } }), userText('Alice Example'));
  assert.equal(requesterName({ owner: null, requester: { adapter: 'slack', userId: 'U1', displayName: '*boss*' } }), userText('*boss*'));
  assert.equal(withoutMarks(requesterName({ owner: null, requester: { adapter: 'slack', userId: 'U1' } })), 'slack:U1');
});
