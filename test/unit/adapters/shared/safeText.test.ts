import { test } from 'node:test';
import assert from 'node:assert/strict';
import { neutraliseBroadcasts, plainSafe, stripBidi } from '../../../../adapters/shared/safeText.js';

test('bidi controls are stripped: embeddings, overrides, isolates and marks', () => {
  for (const c of ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069', '\u200E', '\u200F', '\u061C']) {
    assert.equal(stripBidi(`a${c}b`), 'ab', `U+${c.codePointAt(0)!.toString(16)}`);
  }
  assert.equal(stripBidi('exe.\u202Egpj'), 'exe.gpj');
});

test('control characters (terminal escapes) are stripped, newlines and tabs kept', () => {
  assert.equal(plainSafe('red\u001b[31m!\u0007\r\nnext\tcol'), 'red[31m!\nnext\tcol');
});

test('broadcast mentions are made inert, other @words and e-mail addresses are left alone', () => {
  const cases: [string, string][] = [
    ['@channel', '@\u200Bchannel'],
    ['hi @here!', 'hi @\u200Bhere!'],
    ['(@all)', '(@\u200Ball)'],
    ['@Everyone', '@\u200BEveryone'],
    ['@channels', '@channels'],
    ['alice@channel.org', 'alice@channel.org'],
    ['@alice', '@alice'],
  ];
  for (const [input, want] of cases) assert.equal(neutraliseBroadcasts(input), want, input);
});
