import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkHostKey, hostPattern, knownHostsLine, parseKnownHosts } from '../../../../src/pipeline/slurm/knownHosts.js';

// Two real ed25519 public keys (generated with ssh-keygen for this test).
function newKey(dir: string, name: string): { type: string; b64: string; blob: Buffer } {
  const f = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', f]);
  const [type, b64] = readFileSync(f + '.pub', 'utf8').trim().split(/\s+/);
  return { type: type!, b64: b64!, blob: Buffer.from(b64!, 'base64') };
}
const dir = mkdtempSync(join(tmpdir(), 'astran-kh-'));
const k1 = newKey(dir, 'k1');
const k2 = newKey(dir, 'k2');

test('hostPattern uses [host]:port except on port 22', () => {
  assert.equal(hostPattern('cp01', 22), 'cp01');
  assert.equal(hostPattern('127.0.0.1', 2222), '[127.0.0.1]:2222');
});

test('match, mismatch (changed key) and unknown host', () => {
  const e = parseKnownHosts(`# comment\n\n[127.0.0.1]:2222 ${k1.type} ${k1.b64}\ncp01,cp02 ${k2.type} ${k2.b64}\n`);
  assert.equal(checkHostKey(e, '127.0.0.1', 2222, k1.blob), 'match');
  assert.equal(checkHostKey(e, '127.0.0.1', 2222, k2.blob), 'mismatch');
  assert.equal(checkHostKey(e, '127.0.0.1', 22, k1.blob), 'unknown', 'the port is part of the name');
  assert.equal(checkHostKey(e, 'cp02', 22, k2.blob), 'match');
  assert.equal(checkHostKey(e, 'cp03', 22, k2.blob), 'unknown');
});

test('hashed entries written by ssh-keygen -H are matched', () => {
  const f = join(dir, 'known_hosts');
  writeFileSync(f, `[127.0.0.1]:2222 ${k1.type} ${k1.b64}\n`);
  execFileSync('ssh-keygen', ['-H', '-f', f], { stdio: 'ignore' });
  const text = readFileSync(f, 'utf8');
  assert.match(text, /^\|1\|/);
  const e = parseKnownHosts(text);
  assert.equal(checkHostKey(e, '127.0.0.1', 2222, k1.blob), 'match');
  assert.equal(checkHostKey(e, '127.0.0.1', 2222, k2.blob), 'mismatch');
  assert.equal(checkHostKey(e, '127.0.0.2', 2222, k1.blob), 'unknown');
});

test('@revoked keys are refused, @cert-authority lines and garbage skipped', () => {
  const e = parseKnownHosts(`@revoked cp01 ${k1.type} ${k1.b64}\ncp01 ${k1.type} ${k1.b64}\n@cert-authority *.x ${k2.type} ${k2.b64}\nnot a valid line\n`);
  assert.equal(checkHostKey(e, 'cp01', 22, k1.blob), 'revoked');
  assert.equal(e.length, 2);
});

test('knownHostsLine writes what parseKnownHosts reads back', () => {
  const line = knownHostsLine('127.0.0.1', 2222, k2.blob);
  assert.equal(line, `[127.0.0.1]:2222 ssh-ed25519 ${k2.b64}\n`);
  assert.equal(checkHostKey(parseKnownHosts(line), '127.0.0.1', 2222, k2.blob), 'match');
});
