import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_POST_RUNES, chunk, splitMessage, truncateMessage } from '../../../../adapters/mattermost/textLimits.js';
import { tokensEqual } from '../../../../adapters/mattermost/SlashCommandServer.js';

test('short messages are left alone', () => {
  assert.deepEqual(splitMessage('hello'), ['hello']);
  assert.equal(truncateMessage('hello'), 'hello');
  assert.deepEqual(splitMessage(''), ['']);
});

test('splitting counts code points, keeps every character, and prefers line breaks', () => {
  const text = ('🔭 line of results\n').repeat(3000); // 19 code points per line, 20 UTF-16 units
  const parts = splitMessage(text);
  assert.ok(parts.length >= 4);
  assert.equal(parts.join(''), text);
  for (const p of parts) {
    assert.ok(Array.from(p).length <= MAX_POST_RUNES);
  }
  for (const p of parts.slice(0, -1)) assert.ok(p.endsWith('\n'), 'cut at a newline');
  // No surrogate pair cut in half.
  assert.ok(parts.every((p) => !/[\uD800-\uDBFF]$/.test(p) && !/^[\uDC00-\uDFFF]/.test(p)));
});

test('text without spaces is cut hard at the limit', () => {
  const text = 'x'.repeat(MAX_POST_RUNES * 2 + 5);
  const parts = splitMessage(text);
  assert.deepEqual(parts.map((p) => p.length), [MAX_POST_RUNES, MAX_POST_RUNES, 5]);
  assert.deepEqual(splitMessage('abcd efgh', 5), ['abcd ', 'efgh']);
});

test('truncation fits the limit and says so', () => {
  const t = truncateMessage('é'.repeat(20_000));
  assert.equal(Array.from(t).length, MAX_POST_RUNES);
  assert.match(t, /\(truncated\)$/);
  assert.equal(truncateMessage('abcdefghijklmnopqrstuvwxyz', 20).length, 20);
});

test('chunk groups files by five', () => {
  assert.deepEqual(chunk([1, 2, 3, 4, 5, 6, 7], 5), [[1, 2, 3, 4, 5], [6, 7]]);
  assert.deepEqual(chunk([], 5), []);
});

test('token comparison is exact', () => {
  assert.equal(tokensEqual('abc123', 'abc123'), true);
  assert.equal(tokensEqual('abc124', 'abc123'), false);
  assert.equal(tokensEqual('abc12', 'abc123'), false);
  assert.equal(tokensEqual('', 'abc123'), false);
});
