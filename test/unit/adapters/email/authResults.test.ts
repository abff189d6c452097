import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAuthResults, parseAuthResults, domainsAligned } from '../../../../adapters/email/authResults.js';

test('parseAuthResults: methods, results, properties, comments, version', () => {
  const p = parseAuthResults('mx.iac.es 1; (comment; with semicolon) dkim=pass (good sig) header.d=iac.es header.s="sel 1"; spf=fail smtp.mailfrom=x@y.org; dmarc=pass header.from=iac.es');
  assert.ok(p);
  assert.equal(p.authservId, 'mx.iac.es');
  assert.deepEqual(p.results.map((r) => `${r.method}=${r.result}`), ['dkim=pass', 'spf=fail', 'dmarc=pass']);
  assert.equal(p.results[0].props['header.d'], 'iac.es');
  assert.equal(p.results[0].props['header.s'], 'sel 1');
  assert.deepEqual(parseAuthResults('mx.iac.es; none')?.results, []);
  assert.equal(parseAuthResults(''), null);
});

const table: { name: string; headers: string[]; from: string; ok: boolean; by?: string }[] = [
  { name: 'dkim pass aligned', headers: ['mx.iac.es; dkim=pass header.d=iac.es'], from: 'alice@iac.es', ok: true, by: 'dkim' },
  { name: 'dkim pass via header.i', headers: ['mx.iac.es; dkim=pass header.i=@iac.es'], from: 'alice@iac.es', ok: true, by: 'dkim' },
  { name: 'dkim pass, subdomain aligned', headers: ['mx.iac.es; dkim=pass header.d=iac.es'], from: 'alice@mail.iac.es', ok: true, by: 'dkim' },
  { name: 'spf pass aligned', headers: ['mx.iac.es; dkim=none; spf=pass smtp.mailfrom=alice@iac.es'], from: 'Alice@IAC.es', ok: true, by: 'spf' },
  { name: 'dkim pass for another domain', headers: ['mx.iac.es; dkim=pass header.d=evil.test'], from: 'alice@iac.es', ok: false },
  { name: 'spf pass for another domain', headers: ['mx.iac.es; spf=pass smtp.mailfrom=bounce@evil.test'], from: 'alice@iac.es', ok: false },
  { name: 'dkim fail', headers: ['mx.iac.es; dkim=fail header.d=iac.es; spf=softfail smtp.mailfrom=iac.es'], from: 'alice@iac.es', ok: false },
  { name: 'untrusted authserv-id', headers: ['attacker.example; dkim=pass header.d=iac.es'], from: 'alice@iac.es', ok: false },
  { name: 'forged header below the real one is ignored', headers: ['mx.iac.es; dkim=fail header.d=iac.es', 'mx.iac.es; dkim=pass header.d=iac.es'], from: 'alice@iac.es', ok: false },
  { name: 'no header', headers: [], from: 'alice@iac.es', ok: false },
  { name: 'look-alike domain not aligned', headers: ['mx.iac.es; dkim=pass header.d=notiac.es'], from: 'alice@iac.es', ok: false },
  { name: 'dmarc pass for the From domain', headers: ['mx.iac.es; dkim=pass header.d=esp.example; spf=none; dmarc=pass header.from=iac.es'], from: 'alice@iac.es', ok: true, by: 'dmarc' },
  { name: 'dmarc pass for another domain', headers: ['mx.iac.es; dmarc=pass header.from=evil.test'], from: 'alice@iac.es', ok: false },
  { name: 'dmarc fail', headers: ['mx.iac.es; dmarc=fail header.from=iac.es'], from: 'alice@iac.es', ok: false },
  { name: 'only untrusted servers', headers: ['attacker.example; dmarc=pass header.from=iac.es', 'gmail.example; dkim=pass header.d=iac.es'], from: 'alice@iac.es', ok: false },
  { name: 'another server added its own above ours: ours still counts', headers: ['filter.iac.es; spam=pass', 'mx.iac.es; dkim=pass header.d=iac.es'], from: 'alice@iac.es', ok: true, by: 'dkim' },
  { name: 'a forged pass from an untrusted id above our fail', headers: ['attacker.example; dkim=pass header.d=iac.es', 'mx.iac.es; dkim=none'], from: 'alice@iac.es', ok: false },
  { name: 'authserv-id that merely contains ours', headers: ['evil-mx.iac.es.attacker.example; dkim=pass header.d=iac.es'], from: 'alice@iac.es', ok: false },
];

for (const c of table) {
  test(`checkAuthResults: ${c.name}`, () => {
    const v = checkAuthResults(c.headers, ['MX.iac.es'], c.from);
    assert.equal(v.ok, c.ok, JSON.stringify(v));
    if (v.ok) assert.equal(v.by, c.by);
  });
}

test('domainsAligned', () => {
  assert.equal(domainsAligned('iac.es', 'IAC.ES.'), true);
  assert.equal(domainsAligned('a.iac.es', 'iac.es'), true);
  assert.equal(domainsAligned('xiac.es', 'iac.es'), false);
});
