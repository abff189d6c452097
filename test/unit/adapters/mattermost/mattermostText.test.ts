/** Issue 12 failure 7, Mattermost: hostile user strings as they would be posted (table-driven). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toMattermost } from '../../../../adapters/mattermost/mattermostText.js';

const PHISH = '@channel [Reset your ASTRAN password](https://evil.example/login)';

/** A markdown link or image as Mattermost's renderer would take it: unescaped `[label](url)`. */
const LIVE_LINK = /(^|[^\\])\[[^\]]*(?<!\\)\]\(/;

const CASES: { name: string; input: string; mustNot: RegExp[]; want?: string }[] = [
  { name: 'markdown link with a broadcast', input: `requested by ${PHISH}`, mustNot: [LIVE_LINK, /(^|[^\u200B])@channel/], want: 'requested by @\u200Bchannel \\[Reset your ASTRAN password\\](https://evil.example/login)' },
  { name: 'image', input: 'by ![x](https://evil.example/track.png)', mustNot: [LIVE_LINK] },
  { name: 'reference link', input: 'by [x][1]\n[1]: https://evil.example', mustNot: [/(^|[^\\])\[x\]/] },
  { name: '@all', input: 'by @all', mustNot: [/(^|[^\u200B])@all/] },
  { name: '@here', input: 'hello @here', mustNot: [/(^|[^\u200B])@here/] },
  { name: 'right-to-left override', input: 'by evil\u202Etxt.exe', mustNot: [/\u202E/], want: 'by eviltxt.exe' },
  { name: 'bidi isolate', input: '\u2067Crab\u2069', mustNot: [/[\u2066-\u2069]/], want: 'Crab' },
];

for (const c of CASES) {
  test(`Mattermost: ${c.name}`, () => {
    const out = toMattermost(c.input);
    for (const re of c.mustNot) assert.doesNotMatch(out, re);
    if (c.want !== undefined) assert.equal(out, c.want);
  });
}

test('Mattermost: ASTRAN\'s own formatting survives; code is left literal', () => {
  assert.equal(toMattermost('🔭 *A-0001* · Crab · `status [A-0001]`'), '🔭 *A-0001* · Crab · `status [A-0001]`');
});
