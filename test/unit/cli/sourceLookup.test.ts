import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lookUpSource } from '../../../src/cli/sourceLookup.js';
import { ConfigError } from '../../../src/core/errors.js';

const LIST = `sources:\n  - { name: Crab Nebula, aliases: [Crab, M1], ra: 83.63308, dec: 22.01450 }\n  - { name: Mrk 421, aliases: [Mrk421], ra: 166.11381, dec: 38.20883 }\n`;

test('the validated list is cached, used while the YAML is unchanged, and re-read once it changes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'astran-src-'));
  try {
    const yaml = join(dir, 'sources.yaml');
    const cache = join(dir, 'cache', 'sources.json');
    writeFileSync(yaml, LIST);
    assert.deepEqual(await lookUpSource(yaml, 'crab', cache), { found: { name: 'Crab Nebula', ra: 83.63308, dec: 22.0145 } });
    assert.ok(existsSync(cache));
    // Prove the cache is what answers: doctor it, keep the YAML as it is.
    const doc = JSON.parse(readFileSync(cache, 'utf8'));
    doc.byKey.crab = { name: 'Cached Crab', ra: 1, dec: 2 };
    writeFileSync(cache, JSON.stringify(doc));
    assert.deepEqual(await lookUpSource(yaml, 'CRAB', cache), { found: { name: 'Cached Crab', ra: 1, dec: 2 } });
    // Any change of the YAML (here: same size, new time) makes it be read again.
    writeFileSync(yaml, LIST.replace('83.63308', '83.63309'));
    utimesSync(yaml, new Date(), new Date(Date.now() + 5000));
    assert.deepEqual(await lookUpSource(yaml, 'crab', cache), { found: { name: 'Crab Nebula', ra: 83.63309, dec: 22.0145 } });
    // Unknown names go to the real catalogue for suggestions.
    assert.deepEqual(await lookUpSource(yaml, 'mrk42', cache), { found: null, suggestions: ['Mrk 421'] });
    // A malformed cache is ignored.
    writeFileSync(cache, '{"version":1,"byKey":');
    assert.equal((await lookUpSource(yaml, 'm1', cache)).found?.name, 'Crab Nebula');
    // An invalid list is a ConfigError, cache or not.
    writeFileSync(yaml, 'sources:\n  - { name: X, ra: 400, dec: 0 }\n');
    await assert.rejects(lookUpSource(yaml, 'x', cache), ConfigError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
