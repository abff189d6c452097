/** Issue 12 failure 7, Slack: hostile user strings as they would be posted (table-driven). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toMrkdwn } from '../../../../adapters/slack/slackText.js';

const PHISH = '@channel [Reset your ASTRAN password](https://evil.example/login)';

const CASES: { name: string; input: string; mustNot: RegExp[]; want?: string }[] = [
  { name: 'markdown link with a broadcast', input: `requested by ${PHISH}`, mustNot: [/<https?:/, /\|Reset/, /(^|[^\u200B])@channel/], want: 'requested by @\u200Bchannel [Reset your ASTRAN password](https://evil.example/login)' },
  { name: 'Slack special mention', input: 'by <!channel> and <!here|here>', mustNot: [/<!/], want: 'by &lt;!channel&gt; and &lt;!here|here&gt;' },
  { name: 'Slack user mention', input: 'by <@U0ADMIN>', mustNot: [/<@/] },
  { name: 'Slack link syntax', input: 'by <https://evil.example|Crab>', mustNot: [/<https/] },
  { name: 'entity smuggling', input: 'by &lt;!channel&gt;', mustNot: [/<!/], want: 'by &amp;lt;!channel&amp;gt;' },
  { name: 'right-to-left override', input: 'by evil\u202Etxt.exe', mustNot: [/\u202E/], want: 'by eviltxt.exe' },
  { name: 'isolates', input: 'by \u2066x\u2069', mustNot: [/[\u2066-\u2069]/] },
  { name: '@here and @everyone', input: 'by @here @everyone', mustNot: [/(^|[^\u200B])@(here|everyone)/] },
  { name: 'inside code', input: 'source `<!channel> @channel`', mustNot: [/<!/] },
];

for (const c of CASES) {
  test(`Slack: ${c.name}`, () => {
    const out = toMrkdwn(c.input);
    for (const re of c.mustNot) assert.doesNotMatch(out, re);
    if (c.want !== undefined) assert.equal(out, c.want);
  });
}

test('Slack: ASTRAN\'s own formatting survives', () => {
  assert.equal(toMrkdwn('🔭 **A-0001** · Crab · `status A-0001`'), '🔭 *A-0001* · Crab · `status A-0001`');
});

// ---------------------------------------------------------------- per user string (src/core/userText.ts)

import { userText } from '../../../../src/core/userText.js';
import { USER_STRINGS, asTyped } from '../../../helpers/userStrings.js';

const decodeSlack = (s: string) => s.replace(/\u200B/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const PREFIX = '🔭 *A-0001* · requested by ';
const SUFFIX = ' · reply `status`';

for (const c of USER_STRINGS) {
  test(`Slack, per string: ${c.name} is shown as typed and inert, ASTRAN's formatting kept`, () => {
    const out = toMrkdwn(`🔭 **A-0001** · requested by ${userText(c.input)} · reply \`status\``);
    assert.ok(out.startsWith(PREFIX) && out.endsWith(SUFFIX), `ASTRAN's own formatting untouched: ${JSON.stringify(out)}`);
    const user = out.slice(PREFIX.length, out.length - SUFFIX.length);
    assert.equal(decodeSlack(user), asTyped(c.input), 'shown as typed');
    assert.doesNotMatch(user, /[<>]/, 'no Slack link, special or user mention');
    assert.doesNotMatch(user, /[\u202A-\u202E\u2066-\u2069]/, 'bidi controls stripped');
    assert.doesNotMatch(user, /(^|[^\u200B])@(channel|here|all|everyone)\b/, 'broadcasts inert');
    // Slack has no escape character: every formatting character is fenced by zero-width spaces, so none pairs up.
    assert.doesNotMatch(user, /(^|[^\u200B])[*_~`]|[*_~`](?!\u200B)/, 'no bold, italics, strike or code from the user');
  });
}

test('Slack, per string: a user string inside ASTRAN\'s code span cannot end it', () => {
  const out = toMrkdwn(`try \`status ${userText('A-1` <!channel> *x*')}\` now`);
  assert.equal(out, "try `status A-1' &lt;!channel&gt; *x*` now");
});

test('Slack, per string: a typed mark cannot turn ASTRAN\'s text into user text or back', () => {
  const out = toMrkdwn(`**bold** ${userText('*a*\uE001 **b**')} **end**`);
  assert.equal(out, '*bold* \u200B*\u200Ba\u200B*\u200B \u200B*\u200B\u200B*\u200Bb\u200B*\u200B\u200B*\u200B *end*');
});
