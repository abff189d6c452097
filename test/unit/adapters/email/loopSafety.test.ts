import { test } from 'node:test';
import assert from 'node:assert/strict';
import { automatedReason } from '../../../../adapters/email/loopSafety.js';
import { parseHeaderBlock, messageIdsIn } from '../../../../adapters/email/headers.js';

const base = 'Return-Path: <alice@astran.test>\r\nFrom: Alice <alice@astran.test>\r\nTo: astran@astran.test\r\nSubject: ASTRAN-LAUNCH\r\nMessage-ID: <1@x>\r\n';
const table: { name: string; extra: string; replace?: [RegExp, string]; automated: boolean }[] = [
  { name: 'plain human mail', extra: '', automated: false },
  { name: 'Auto-Submitted: no', extra: 'Auto-Submitted: no\r\n', automated: false },
  { name: 'Auto-Submitted: auto-replied', extra: 'Auto-Submitted: auto-replied\r\n', automated: true },
  { name: 'Auto-Submitted: auto-generated (comment)', extra: 'Auto-Submitted: auto-generated (vacation)\r\n', automated: true },
  { name: 'Precedence: bulk', extra: 'Precedence: bulk\r\n', automated: true },
  { name: 'Precedence: list', extra: 'Precedence: List\r\n', automated: true },
  { name: 'Precedence: junk', extra: 'Precedence: junk\r\n', automated: true },
  { name: 'Precedence: first-class', extra: 'Precedence: first-class\r\n', automated: false },
  { name: 'empty Return-Path', extra: '', replace: [/Return-Path: <alice@astran.test>/, 'Return-Path: <>'], automated: true },
  { name: 'MAILER-DAEMON sender', extra: '', replace: [/From: Alice <alice@astran.test>/, 'From: Mail Delivery System <MAILER-DAEMON@astran.test>'], automated: true },
  { name: 'postmaster sender', extra: '', replace: [/From: Alice <alice@astran.test>/, 'From: postmaster@x.org'], automated: true },
  { name: 'our own address', extra: '', replace: [/From: Alice <alice@astran.test>/, 'From: ASTRAN <Astran@astran.test>'], automated: true },
  { name: 'List-Id', extra: 'List-Id: <lst.lists.example>\r\n', automated: true },
  { name: 'List-Unsubscribe', extra: 'List-Unsubscribe: <mailto:u@x>\r\n', automated: true },
  { name: 'X-Auto-Response-Suppress: All', extra: 'X-Auto-Response-Suppress: All\r\n', automated: true },
  { name: 'X-Auto-Response-Suppress: None', extra: 'X-Auto-Response-Suppress: None\r\n', automated: false },
  { name: 'X-Autoreply', extra: 'X-Autoreply: yes\r\n', automated: true },
  { name: 'delivery report', extra: 'Content-Type: multipart/report; report-type=delivery-status;\r\n boundary="b"\r\n', automated: true },
  { name: 'folded header is unfolded', extra: 'Auto-Submitted:\r\n auto-replied\r\n', automated: true },
];

for (const c of table) {
  test(`loop safety: ${c.name}`, () => {
    let raw = base + c.extra + '\r\nbody\r\n';
    if (c.replace) raw = raw.replace(c.replace[0], c.replace[1]);
    const reason = automatedReason(parseHeaderBlock(raw), ['astran@astran.test']);
    assert.equal(reason !== null, c.automated, `reason=${reason}`);
  });
}

test('headers: body lines are never headers, Message-IDs are extracted', () => {
  const f = parseHeaderBlock('Subject: a\r\nReferences: <a@x>\r\n <b@y> <c@z>\r\n\r\nAuto-Submitted: auto-replied\r\n');
  assert.deepEqual(f.map((x) => x.name), ['subject', 'references']);
  assert.deepEqual(messageIdsIn(f[1].value), ['<a@x>', '<b@y>', '<c@z>']);
});
