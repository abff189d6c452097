/** Mentions of an outbound message (standing-order alerts) become Slack `<@U…>` only for real Slack user ids. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toMrkdwn, withMentions } from '../../../../adapters/slack/slackText.js';

test('mentions are appended after escaping; text that looks like a mention stays escaped', () => {
  const text = toMrkdwn('🚨 Alert for <@U999> and <!channel>');
  const out = withMentions(text, [
    { adapter: 'slack', userId: 'U0123ABC' },
    { adapter: 'slack', userId: 'W42XYZ' },
    { adapter: 'slack', userId: 'U0123ABC' }, // once
    { adapter: 'mattermost', userId: 'U777' }, // another platform's id
    { adapter: 'slack', userId: 'U1> <!here' }, // not an id
  ]);
  assert.match(out, /&lt;@U999&gt;/, 'the typed one is not a mention');
  assert.doesNotMatch(out, /<!channel>|<!here>/);
  assert.ok(out.endsWith('\n<@U0123ABC> <@W42XYZ>'), out);
  assert.equal(withMentions('x', undefined), 'x');
  assert.equal(withMentions('x', []), 'x');
});
