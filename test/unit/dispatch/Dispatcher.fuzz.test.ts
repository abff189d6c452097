import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestBackend } from '../../fakes/TestBackend.js';
import { seedJob } from '../../fakes/fakeServices.js';

/** Deterministic PRNG (mulberry32) so a failure can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  'launch', 'status', 'cancel', 'jobs', 'sources', 'nights', 'help', 'yes', '/astran', '@astran', '<@U1>', 'source=', 'date=',
  'runs=', 'theta2_cut=', 'off_regions=', 'emin=', 'emax=', 'dry_run', 'force=', 'Crab', 'yesterday', '20231206', '..', '=',
  '"', "'", '“', '”', '‘', '’', '–', '—', '\u00A0', ' ', ' ', ' ', ',', '`', '<!channel>', '\\', '\n', '\u0000', 'A-0001',
  '${x}', '$(rm -rf /)', '%s', '\u202E', '𝔸', '🔭', 'é', '\uFFFF', '\uD800',
];

function randomText(r: () => number): string {
  const n = Math.floor(r() * 12);
  let s = '';
  for (let i = 0; i < n; i++) {
    const roll = r();
    if (roll < 0.7) s += PIECES[Math.floor(r() * PIECES.length)];
    else if (roll < 0.9) s += String.fromCharCode(Math.floor(r() * 0x3000));
    else s += String.fromCodePoint(Math.floor(r() * 0x10ffff) & ~0x800); // avoid lone surrogates' range start
  }
  return s;
}

test('5000 random strings: each acknowledged exactly once with non-empty text, never a throw', async () => {
  const seed = 20231206;
  const r = rng(seed);
  const b = new TestBackend();
  seedJob(b.services, { adapter: 'test', userId: 'alice' }, { thread: { adapter: 'test', key: 'T1' } });
  const users = ['alice', 'bob', 'vera', 'admin', 'eve'];
  for (let i = 0; i < 5000; i++) {
    const text = randomText(r);
    const user = users[Math.floor(r() * users.length)];
    const thread = r() < 0.3 ? 'T1' : undefined;
    let reply;
    try {
      reply = await b.say(text, { user, thread });
    } catch (e) {
      assert.fail(`seed ${seed} #${i} ${JSON.stringify(text)}: ${(e as Error).message}`);
    }
    assert.ok(reply && typeof reply.text === 'string' && reply.text.trim().length > 0, `empty reply for ${JSON.stringify(text)}`);
    assert.doesNotMatch(reply.text, /\n\s+at |node:internal|\/work\//, `internal detail leaked for ${JSON.stringify(text)}`);
    assert.ok(!reply.text.includes('<!channel>'), 'user text cannot form a mention');
  }
  assert.equal(b.acks.length, 5000);
});

test('edge inputs: huge, blank, quotes only, lone surrogates, control characters, nested mentions', async () => {
  const b = new TestBackend();
  const inputs = [
    'x'.repeat(100_000),
    'launch source=' + 'a'.repeat(3000),
    '   ',
    '\u0000\u0001\u0002',
    '"',
    "'''",
    '""""""',
    '\uD800\uDFFF\uDC00',
    '=',
    '==',
    'launch ==',
    '<@U1> <@U2> <@U3> help',
    '@astran @astran @astran',
    '/astran /astran /astran',
    'launch source=Crab date=20231206..',
    'launch source=Crab date=..20231206',
    'launch source=Crab date=99999999',
    'launch source=Crab date=00000000',
    'launch source=Crab date=20231206 runs=' + '1,'.repeat(2000),
    'launch source=Crab date=20231206 emin=1e400',
    'launch source=Crab date=20231206 theta2_cut=NaN',
    'launch source=Crab date=20231206 theta2_cut=Infinity',
    'status 99999999999999999999',
    'cancel __proto__',
    'launch __proto__=1 constructor=2 toString=3',
    'help __proto__',
  ];
  for (const text of inputs) {
    const r = await b.say(text);
    assert.ok(r && r.text.trim().length > 0, `reply for ${JSON.stringify(text.slice(0, 40))}`);
    assert.ok(r.text.length < 4000, 'replies stay short');
  }
  assert.equal(b.services.jobs.launches.length, 0);
});
