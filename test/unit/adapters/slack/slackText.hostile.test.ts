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
