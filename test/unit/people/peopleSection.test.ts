import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { checkConfig, configKeyDocs, DEFAULT_CONFIG_FILE } from '../../../src/bot/config.js';
import { REPO_ROOT } from '../../../src/config/loadConfigFile.js';

function check(change: (c: Record<string, any>) => void): string[] {
  const c = parse(readFileSync(DEFAULT_CONFIG_FILE, 'utf8'));
  c.data.base = join(REPO_ROOT, 'test/fixtures/hess-dl3-dr1');
  c.sources = join(REPO_ROOT, 'config/sources.yaml');
  change(c);
  const dir = mkdtempSync(join(tmpdir(), 'astran-people-'));
  try {
    writeFileSync(join(dir, 'c.yaml'), stringify(c));
    return checkConfig(join(dir, 'c.yaml'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('check-config accepts people with identities on every adapter, a role and Slurm settings', () => {
  assert.deepEqual(
    check((c) => {
      c.people = {
        alice: { name: 'Alice Example', role: 'launcher', identities: ['slack:U0ALICE', 'mattermost:8xk3alice', 'alice@iac.es'], slurm: { account: 'lst_alice', partition: 'short', qos: 'normal' } },
        bob: { role: 'admin', identities: ['console:bob'] },
      };
    }),
    [],
  );
});

test('check-config names every problem of the people section, by key', () => {
  const problems = check((c) => {
    c.people = {
      alice: { role: 'launcher', identities: ['alice@iac.es'], slurm: { account: 'lst alice', acount: 'x' } },
      Bob: { role: 'root', identities: ['slack:*'] },
      carol: { role: 'viewer', identities: ['ALICE@iac.es'] },
      dan: { role: 'viewer', identities: [], nmae: 'Dan' },
    };
  });
  const expect = [
    /people\.alice\.slurm\.account: a Slurm name/,
    /people\.alice\.slurm: Unrecognized key: "acount"/,
    /people\.Bob: a person id/,
    /people\.Bob\.role: must be one of viewer, launcher, admin/,
    /people\.Bob\.identities\.0: must look like slack:U0123ABCD/,
    /people\.dan\.identities: at least one identity/,
    /people\.dan: Unrecognized key: "nmae"/,
  ];
  for (const e of expect) assert.ok(problems.some((p) => e.test(p)), `${e}\n${problems.join('\n')}`);
  // Duplicates are found once the schema passes.
  const dup = check((c) => {
    c.people = { alice: { role: 'launcher', identities: ['alice@iac.es'] }, carol: { role: 'viewer', identities: ['email:ALICE@iac.es'] } };
  });
  assert.equal(dup.length, 1, dup.join('\n'));
  assert.match(dup[0]!, /people\.carol\.identities\.0: email:alice@iac\.es is already an identity of people\.alice/);
});

test('backends.slurm.qos is a known key', () => {
  const problems = check((c) => {
    c.backends.slurm = { host: 'login', user: 'lst', known_hosts_path: '/kh', remote_workdir: '/w', account: 'aswg', qos: 'normal', qos_x: 1 };
  });
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(problems[0]!, /backends\.slurm: Unrecognized key: "qos_x"/);
});

test('check-config --explain describes every people key and the Slurm defaults', () => {
  const docs = new Map(configKeyDocs().map((d) => [d.key, d]));
  for (const key of ['people', 'people.*', 'people.*.name', 'people.*.role', 'people.*.identities', 'people.*.slurm', 'people.*.slurm.account', 'people.*.slurm.partition', 'people.*.slurm.qos', 'backends.slurm.account', 'backends.slurm.partition', 'backends.slurm.qos']) {
    assert.ok(docs.get(key)?.description, `${key} is explained`);
  }
  assert.match(docs.get('people.*.role')!.type, /viewer, launcher, admin/);
  assert.match(docs.get('backends.slurm.account')!.description!, /standing order/);
});

test('check-config refuses an identity that is a person\'s and an auth.users entry with another role', () => {
  const problems = check((c) => {
    c.people = { alice: { role: 'launcher', identities: ['alice@iac.es'] } };
    c.auth.users['email:Alice@iac.es'] = 'admin';
  });
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(problems[0]!, /auth\.users\.email:alice@iac\.es: also an identity of people\.alice, with another role \(admin, launcher\); keep one/);
  // The same role in both is fine (an old entry kept while moving to people).
  assert.deepEqual(
    check((c) => {
      c.people = { alice: { role: 'launcher', identities: ['alice@iac.es'] } };
      c.auth.users['email:alice@iac.es'] = 'launcher';
    }),
    [],
  );
});
