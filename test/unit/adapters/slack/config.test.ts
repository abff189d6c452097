import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveSlackSecrets, SlackConfigSchema } from '../../../../adapters/slack/config.js';
import { ConfigError } from '../../../../src/core/errors.js';
import { ChannelPacer } from '../../../../adapters/slack/ChannelPacer.js';

describe('Slack config and secrets', () => {
  it('defaults to Socket Mode with env var names, no secrets in the file', () => {
    const c = SlackConfigSchema.parse({});
    assert.equal(c.mode, 'socket');
    assert.equal(c.bot_token_env, 'SLACK_BOT_TOKEN');
    assert.equal(c.app_token_env, 'SLACK_APP_TOKEN');
    assert.equal(c.http.path, '/slack/events');
    assert.equal(c.command, '/astran');
    assert.equal(SlackConfigSchema.safeParse({ bot_token: 'xoxb-1' }).success, false, 'unknown keys (inline secrets) refused');
    assert.equal(SlackConfigSchema.safeParse({ ack_deadline_s: 5 }).success, false, 'ack deadline must stay under 3 s');
  });

  it('a missing variable gives an error naming it', () => {
    const socket = SlackConfigSchema.parse({});
    assert.throws(() => resolveSlackSecrets(socket, { SLACK_BOT_TOKEN: 'xoxb-1' }), (e: unknown) => e instanceof ConfigError && /SLACK_APP_TOKEN/.test(e.message));
    const http = SlackConfigSchema.parse({ mode: 'http', signing_secret_env: 'MY_SECRET' });
    assert.throws(() => resolveSlackSecrets(http, { SLACK_BOT_TOKEN: 'xoxb-1' }), /MY_SECRET/);
    assert.throws(() => resolveSlackSecrets(socket, { SLACK_BOT_TOKEN: 'xapp-1', SLACK_APP_TOKEN: 'xapp-2' }), /bot token/);
    const s = resolveSlackSecrets(http, { SLACK_BOT_TOKEN: 'xoxb-1', MY_SECRET: 's3' });
    assert.deepEqual(s, { botToken: 'xoxb-1', appToken: undefined, signingSecret: 's3' });
  });
});

describe('ChannelPacer', () => {
  it('runs posts of one channel in order, spaced; other channels are not held up', async () => {
    const p = new ChannelPacer(40);
    const log: { ch: string; i: number; at: number }[] = [];
    const t0 = Date.now();
    const jobs = [0, 1, 2].map((i) => p.run('C1', async () => log.push({ ch: 'C1', i, at: Date.now() - t0 })));
    jobs.push(p.run('C2', async () => log.push({ ch: 'C2', i: 0, at: Date.now() - t0 })));
    await Promise.all(jobs);
    const c1 = log.filter((l) => l.ch === 'C1');
    assert.deepEqual(c1.map((l) => l.i), [0, 1, 2]);
    for (let i = 1; i < c1.length; i++) assert.ok(c1[i].at - c1[i - 1].at >= 38, 'spaced by the interval');
    assert.ok(log.findIndex((l) => l.ch === 'C2') < log.findIndex((l) => l.ch === 'C1' && l.i === 1), 'C2 did not wait for C1');
  });

  it('a failing post does not block the next one', async () => {
    const p = new ChannelPacer(0);
    await assert.rejects(p.run('C1', async () => { throw new Error('boom'); }));
    assert.equal(await p.run('C1', async () => 7), 7);
  });
});

describe('Slack app manifest', () => {
  it('declares the command, scopes and events the adapter relies on, with Socket Mode on', async () => {
    const { readFileSync } = await import('node:fs');
    const { parse } = await import('yaml');
    const m = parse(readFileSync(new URL('../../../../config/slack-app-manifest.yaml', import.meta.url), 'utf8'));
    assert.deepEqual(m.features.slash_commands.map((c: { command: string }) => c.command), [SlackConfigSchema.parse({}).command]);
    assert.deepEqual(
      [...m.oauth_config.scopes.bot].sort(),
      ['app_mentions:read', 'channels:history', 'chat:write', 'commands', 'files:write', 'groups:history'],
    );
    assert.deepEqual([...m.settings.event_subscriptions.bot_events].sort(), ['app_mention', 'message.channels', 'message.groups']);
    assert.equal(m.settings.socket_mode_enabled, true);
  });
});
