/**
 * Issue 12 item 8: `serve` with a wrong Slack api_url must not die with a raw WebAPIPlatformError stack trace. The
 * adapter's start fails with a ConfigError naming the setting, which the CLI prints as one line (exit code 2).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createSlackAdapter } from '../../../../adapters/slack/index.js';
import { MemoryKeyValueStore } from '../../../../src/store/MemoryKeyValueStore.js';
import { ConfigError } from '../../../../src/core/errors.js';
import { silentLogger } from '../../../../src/log.js';

const env = { SLACK_BOT_TOKEN: 'xoxb-test-token-not-real', SLACK_APP_TOKEN: 'xapp-test-token-not-real' };

async function server(handler: (status: (n: number) => void) => { status: number; body: string; type: string }): Promise<{ url: string; close: () => Promise<void> }> {
  const s: Server = createServer((req, res) => {
    const r = handler(() => undefined);
    res.writeHead(r.status, { 'content-type': r.type });
    res.end(r.body);
  });
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/api/`, close: () => new Promise((ok) => s.close(() => ok())) };
}

test('an api_url that is not Slack (HTML 404): ConfigError naming slack.api_url, no token in it', async () => {
  const srv = await server(() => ({ status: 404, body: '<html>not here</html>', type: 'text/html' }));
  try {
    const a = createSlackAdapter({ config: { api_url: srv.url, api_retries: 0 }, env, log: silentLogger, kv: new MemoryKeyValueStore() });
    await assert.rejects(a.start(async () => {}), (e: unknown) => e instanceof ConfigError && /slack\.api_url/.test(e.message) && e.message.includes(srv.url) && !e.message.includes(env.SLACK_BOT_TOKEN));
  } finally {
    await srv.close();
  }
});

test('a refused token: ConfigError naming the token setting', async () => {
  const srv = await server(() => ({ status: 200, body: JSON.stringify({ ok: false, error: 'invalid_auth' }), type: 'application/json' }));
  try {
    const a = createSlackAdapter({ config: { api_url: srv.url, api_retries: 0 }, env, log: silentLogger, kv: new MemoryKeyValueStore() });
    await assert.rejects(a.start(async () => {}), (e: unknown) => e instanceof ConfigError && /invalid_auth/.test(e.message) && /bot_token_env/.test(e.message));
  } finally {
    await srv.close();
  }
});

test('astran serve with an unreachable Slack api_url: one clear line, exit 2, no stack trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'astran-slack-url-'));
  try {
    const cfg = join(dir, 'astran.yaml');
    const defaults = resolve(new URL('../../../../config', import.meta.url).pathname);
    // Port 9 (discard) on loopback: nothing listens; refused at once.
    writeFileSync(cfg, `sources: ${defaults}/sources.yaml\ndata: { base: /nonexistent, night_index: dl3_obs_index, dl3_store: "{base}" }\npaths: { dl3_dir: "{base}", dl3: "{base}/x{run}.fits.gz", dl3_index: "{base}/obs-index.fits.gz" }\npipeline: { stages: [] }\nstore: { path: ${dir}/astran.db }\nadapters:\n  slack: { api_url: "http://127.0.0.1:9/api/", api_retries: 0 }\nauth: { users: {} }\n`);
    const bin = resolve(new URL('../../../../bin/astran.js', import.meta.url).pathname);
    const r = spawnSync(process.execPath, [bin, 'serve', '--config', cfg], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env, ASTRAN_CONFIG: '' }, timeout: 60_000 });
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /slack: could not use the Slack Web API at http:\/\/127\.0\.0\.1:9\/api\/ .*check slack\.api_url/);
    assert.doesNotMatch(r.stderr, /WebAPI\w*Error|\n\s+at /, 'no raw error class or stack');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
