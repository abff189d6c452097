import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEmailCommand, baseSubject, quoteValue, launchParams } from '../../../../adapters/email/parseEmailCommand.js';
import { cleanBody } from '../../../../adapters/email/cleanBody.js';
import { htmlToText } from '../../../../adapters/email/htmlToText.js';

const cases: { name: string; subject: string; body: string; inThread?: boolean; text: string; understood?: boolean }[] = [
  { name: 'key=value on one line', subject: 'ASTRAN-LAUNCH', body: 'source=Crab date=20231207\n', text: 'launch source=Crab date=20231207' },
  { name: 'key: value lines', subject: 'ASTRAN-LAUNCH', body: 'Hi,\n\nsource: Crab\ndate: 20231207\n\nThanks', text: 'launch source=Crab date=20231207' },
  { name: 'value with a space is quoted', subject: 'astran-launch', body: 'source: Crab Nebula\ndate: 20231207', text: 'launch source="Crab Nebula" date=20231207' },
  { name: 'quoted value with a space', subject: 'ASTRAN-LAUNCH', body: 'source="Crab Nebula" date=20231207 dry_run', text: 'launch source="Crab Nebula" date=20231207 dry_run' },
  { name: 'quote inside value is escaped', subject: 'ASTRAN-LAUNCH', body: 'source: Cr"ab', text: "launch source='Cr\"ab'" },
  { name: '/astran launch line', subject: 'anything', body: 'please:\n/astran launch source=Crab date=20231207\n', text: 'launch source=Crab date=20231207' },
  { name: 'Re: prefix and any case', subject: 'RE: Re: astran-Launch', body: 'source=Crab date=20231207', text: 'launch source=Crab date=20231207' },
  { name: 'params in the subject', subject: 'ASTRAN-LAUNCH source=Crab date=20231207', body: '', text: 'launch source=Crab date=20231207' },
  {
    name: 'quoted text and attribution ignored',
    subject: 'Re: ASTRAN-LAUNCH',
    body: 'source=Mrk421 date=20240101\n\nOn Mon, 1 Jan 2024 at 10:00, Bob <bob@x.org> wrote:\n> source=Crab date=20231207\n',
    text: 'launch source=Mrk421 date=20240101',
  },
  { name: '> lines in the middle ignored', subject: 'ASTRAN-LAUNCH', body: '> source=Crab\nsource=Mrk501\ndate=20231207', text: 'launch source=Mrk501 date=20231207' },
  { name: 'signature ignored', subject: 'ASTRAN-LAUNCH', body: 'source=Crab date=20231207\n-- \nAlice\nemin: 5\n', text: 'launch source=Crab date=20231207' },
  { name: 'mobile footer ignored', subject: 'ASTRAN-LAUNCH', body: 'source=Crab\ndate=20231207\nSent from my iPhone\ntheta2_cut=0.5', text: 'launch source=Crab date=20231207' },
  { name: 'prose with colons ignored', subject: 'ASTRAN-LAUNCH', body: 'FYI: see below\nNote to self: none\nsource: Crab\ndate: 20231207', text: 'launch source=Crab date=20231207' },
  { name: 'typo key kept so the core can suggest', subject: 'ASTRAN-LAUNCH', body: 'sorce: Crab\ndate: 20231207', text: 'launch sorce=Crab date=20231207' },
  {
    name: 'Fwd: request read from the forwarded part',
    subject: 'Fwd: ASTRAN-LAUNCH',
    body: 'Could you run this?\n\n---------- Forwarded message ---------\nFrom: Bob <bob@x.org>\nDate: Mon, 1 Jan 2024\nSubject: ASTRAN-LAUNCH\nTo: astran@x.org\n\nsource=Crab date=20231207\n',
    text: 'launch source=Crab date=20231207',
  },
  { name: 'launch without parameters', subject: 'ASTRAN-LAUNCH', body: 'please analyse the crab', text: 'launch' },
  { name: 'ASTRAN-STATUS with id in subject', subject: 'ASTRAN-STATUS A-0042', body: '', text: 'status A-0042' },
  { name: 'ASTRAN-STATUS with id in body', subject: 'astran-status', body: 'A-0042\n', text: 'status A-0042' },
  { name: 'ASTRAN subject, command in body', subject: 'ASTRAN', body: 'jobs\n', text: 'jobs' },
  { name: 'typo in the command subject', subject: 'ASTRAN-LANCH', body: 'source=Crab', text: 'lanch source=Crab' },
  { name: 'unrelated mail gets help', subject: 'Lunch?', body: 'Pizza at noon?', text: 'help', understood: false },
  { name: 'thread reply: first typed line', subject: 'Re: ASTRAN-LAUNCH', body: 'status\n\nOn Tue, Alice wrote:\n> cancel\n', inThread: true, text: 'status' },
  { name: 'thread reply: yes', subject: 'Re: ASTRAN-LAUNCH', body: '  Yes  \n> Proceed? (yes/no)', inThread: true, text: 'Yes' },
  { name: 'thread reply: /astran prefix stripped', subject: 'Re: x', body: '/astran cancel', inThread: true, text: 'cancel' },
  { name: 'thread reply: empty body', subject: 'Re: x', body: '> quoted only', inThread: true, text: '', understood: false },
];

for (const c of cases) {
  test(`parseEmailCommand: ${c.name}`, () => {
    const r = parseEmailCommand(c.subject, c.body, c.inThread ?? false);
    assert.equal(r.text, c.text);
    assert.equal(r.understood, c.understood ?? true);
  });
}

test('HTML-only mail: quote blocks dropped, text kept', () => {
  const html = '<html><head><style>p{}</style></head><body><div>source=Crab&nbsp;date=20231207</div><div><br></div>' +
    '<div class="gmail_quote"><div>On Mon Bob wrote:</div><blockquote>source=Mrk421</blockquote></div></body></html>';
  const text = htmlToText(html);
  assert.equal(parseEmailCommand('ASTRAN-LAUNCH', text, false).text, 'launch source=Crab date=20231207');
  assert.equal(htmlToText('<p>a &amp; b &lt;c&gt; &#65;&#x42;</p><blockquote>x<blockquote>y</blockquote>z</blockquote>w'), 'a & b <c> AB\n\nw');
});

test('baseSubject strips reply/forward prefixes and tags', () => {
  assert.equal(baseSubject('Re: Fwd: [ext] AW: ASTRAN-LAUNCH'), 'ASTRAN-LAUNCH');
  assert.equal(baseSubject('RE[2]: FW: hello'), 'hello');
  assert.equal(baseSubject('Report: x'), 'Report: x');
});

test('quoteValue quotes only when needed', () => {
  assert.equal(quoteValue('Crab'), 'Crab');
  assert.equal(quoteValue('20231201..20231203'), '20231201..20231203');
  assert.equal(quoteValue('a b'), '"a b"');
  assert.equal(quoteValue('a=b'), '"a=b"');
  assert.equal(quoteValue('$(rm -rf /)'), '"$(rm -rf /)"');
  assert.equal(quoteValue('back\\slash'), '"back\\slash"');
  assert.equal(quoteValue(`it's "x"`), `"it's x"`);
  assert.equal(quoteValue(''), '""');
});

test('launchParams keeps = inside values and lower-cases keys', () => {
  assert.deepEqual(launchParams(['Source=Crab note=a=b']), ['source=Crab', 'note="a=b"']);
});

test('cleanBody separates typed lines from a forwarded message', () => {
  const b = cleanBody('hello\r\n\r\nBegin forwarded message:\r\n\r\nFrom: x\r\nSubject: y\r\n\r\njobs\r\n');
  assert.deepEqual(b.lines, ['hello']);
  assert.deepEqual(b.forwarded, ['jobs']);
});

test('quoted values round-trip through the core command parser', async () => {
  const { parseCommand } = await import('../../../../src/dispatch/parsing/parseCommand.js');
  for (const v of ['Crab', 'Crab Nebula', 'PKS 2155-304', 'a=b', 'Cr"ab', "O'Brien", '20231201..20231203', '$(touch x); `id`']) {
    const out = parseCommand(`launch source=${quoteValue(v)} date=20231207`);
    assert.ok(out.ok, v);
    assert.deepEqual(out.command.pairs.map((p) => [p.key, p.value]), [['source', v], ['date', '20231207']], v);
  }
});
