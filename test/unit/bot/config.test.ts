import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { checkConfig, DEFAULT_CONFIG_FILE } from '../../../src/bot/config.js';
import { REPO_ROOT } from '../../../src/config/loadConfigFile.js';

/** The embedded default with `change` applied, written to a temp file (paths made absolute). */
function withChange(change: (c: Record<string, any>) => void): { file: string; done: () => void } {
  const c = parse(readFileSync(DEFAULT_CONFIG_FILE, 'utf8'));
  c.data.base = join(REPO_ROOT, 'test/fixtures/hess-dl3-dr1');
  c.sources = join(REPO_ROOT, 'config/sources.yaml');
  change(c);
  const dir = mkdtempSync(join(tmpdir(), 'astran-config-'));
  const file = join(dir, 'old.yaml');
  writeFileSync(file, stringify(c));
  return { file, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('the shipped configs follow the convention and pass check-config', () => {
  assert.deepEqual(checkConfig(DEFAULT_CONFIG_FILE), []);
});

test('check-config names the new key for every old one, root and sections alike, in one run', () => {
  const t = withChange((c) => {
    c.pipeline.dl1_wait.deadline_h = 12;
    c.pipeline.stages[0].mem = '8G';
    c.backends.slurm = { host: 'login', user: 'lst', privateKeyPath: '/k', knownHostsPath: '/kh', remoteWorkdir: '/w', vanishGraceMs: 30_000 };
    c.adapters.slack = { ack_deadline_ms: 2500 };
    c.adapters.mattermost = { url: 'https://chat.example.org', reconnect: { min_ms: 500 } };
  });
  try {
    const problems = checkConfig(t.file);
    const expect = [
      /pipeline\.dl1_wait\.deadline_h: renamed; did you mean `deadline_s: 43200`\?/,
      /pipeline\.stages\.0\.mem: renamed; did you mean `memory`\?/,
      /backends\.slurm\.privateKeyPath: renamed; did you mean `private_key_path`\?/,
      /backends\.slurm\.knownHostsPath: renamed; did you mean `known_hosts_path`\?/,
      /backends\.slurm\.remoteWorkdir: renamed; did you mean `remote_workdir`\?/,
      /backends\.slurm\.vanishGraceMs: renamed; did you mean `vanish_grace_s: 30`\?/,
      /adapters\.slack\.ack_deadline_ms: renamed; did you mean `ack_deadline_s: 2\.5`\?/,
      /adapters\.mattermost\.reconnect\.min_ms: renamed; did you mean `min_s: 0\.5`\?/,
    ];
    for (const e of expect) assert.ok(problems.some((p) => e.test(p)), `${e} in:\n${problems.join('\n')}`);
    assert.equal(problems.length, expect.length, `no "required" for the renamed keys:\n${problems.join('\n')}`);
  } finally {
    t.done();
  }
});

test('the access list is checked by its own schema, also when the rest of the file has problems', () => {
  const t = withChange((c) => {
    c.bot.colour = 'blue';
    c.auth.users = { nobody: 'admin', 'slack:U1': 'superuser' };
  });
  try {
    const problems = checkConfig(t.file);
    assert.ok(problems.some((p) => /bot: Unrecognized key: "colour"/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /auth\.users\.nobody: /.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /auth\.users\.slack:U1: must be one of viewer, launcher, admin/.test(p)), problems.join('\n'));
  } finally {
    t.done();
  }
});

test('backends.local has one schema: its limits and keys are checked by check-config', () => {
  const t = withChange((c) => {
    c.backends.local = { concurrency: 0, taskTimeoutSeconds: 5 };
  });
  try {
    const problems = checkConfig(t.file);
    assert.ok(problems.some((p) => /backends\.local\.concurrency: /.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /backends\.local: Unrecognized key: "taskTimeoutSeconds"/.test(p)), problems.join('\n'));
  } finally {
    t.done();
  }
});

test('the console section is checked by the console adapter schema', () => {
  const t = withChange((c) => {
    c.adapters.console = { enabled: 'yes', usr: 'bob' };
  });
  try {
    const problems = checkConfig(t.file);
    assert.ok(problems.some((p) => /adapters\.console\.enabled: /.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /adapters\.console: Unrecognized key: "usr"/.test(p)), problems.join('\n'));
  } finally {
    t.done();
  }
});
