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

// ---------------------------------------------------------------- per user string (src/core/userText.ts)

import { userText } from '../../../../src/core/userText.js';
import { USER_STRINGS, asTyped } from '../../../helpers/userStrings.js';

const unescapeMm = (s: string) => s.replace(/\u200B/g, '').replace(/\\(.)/g, '$1');
const PREFIX = '🔭 **A-0001** · requested by ';
const SUFFIX = ' · reply `status`';

for (const c of USER_STRINGS) {
  test(`Mattermost, per string: ${c.name} is shown as typed and inert, ASTRAN's formatting kept`, () => {
    const out = toMattermost(`🔭 **A-0001** · requested by ${userText(c.input)} · reply \`status\``);
    assert.ok(out.startsWith(PREFIX) && out.endsWith(SUFFIX), `ASTRAN's own formatting untouched: ${JSON.stringify(out)}`);
    const user = out.slice(PREFIX.length, out.length - SUFFIX.length);
    assert.equal(unescapeMm(user), asTyped(c.input), 'shown as typed');
    // Every markdown character the user typed is backslash-escaped: no link, image, emphasis, code or heading.
    assert.doesNotMatch(user.replace(/\\\\/g, ''), /(^|[^\\])[`*_~[\]()#|<>!]/, 'markdown characters escaped');
    assert.doesNotMatch(user, /[\u202A-\u202E\u2066-\u2069]/, 'bidi controls stripped');
    assert.doesNotMatch(user, /(^|[^\u200B])@(channel|here|all|everyone)\b/, 'broadcasts inert');
  });
}

test('Mattermost, per string: a user string inside ASTRAN\'s code span cannot end it', () => {
  assert.equal(toMattermost(`try \`status ${userText('A-1` @here')}\` now`), "try `status A-1' @\u200Bhere` now");
});

test("Mattermost, per string: the user's markdown no longer renders while ASTRAN's brackets stay as they were", () => {
  assert.equal(toMattermost(`[T1] ${userText('**Bob**')}`), '\\[T1\\] \\*\\*Bob\\*\\*');
});
