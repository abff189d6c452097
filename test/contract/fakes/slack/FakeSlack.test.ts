import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { webApi } from '@slack/bolt';
import { MemoryJobStore } from '../../../../src/store/MemoryJobStore.js';
import { createLogger } from '../../../../src/log.js';
import { UserFacingError } from '../../../../src/core/errors.js';
import { startFakeSlack, type FakeSlack } from '../../../fakes/slack/FakeSlack.js';
import { slackAdapterForFake } from '../../../fakes/slack/adapterForFake.js';
import { Writable } from 'node:stream';

/** The fake must refuse what Slack refuses, or the adapter's tests prove nothing. */
describe('fake Slack Web API behaves like Slack', () => {
  let fake: FakeSlack;
  let bot: webApi.WebClient;
  const noRetry = { retryConfig: { retries: 0 } };

  before(async () => {
    fake = await startFakeSlack({ channels: ['C0ASTRAN'], notMemberOf: ['C0PRIVATE'] });
    bot = new webApi.WebClient(fake.botToken, { slackApiUrl: fake.url, ...noRetry });
  });
  after(async () => {
    // These tests send out-of-reference calls on purpose (to see Slack's answers); the fake must have noticed each.
    const seen = [...new Set(fake.schemaViolations)].sort();
    fake.schemaViolations.length = 0;
    await fake.close();
    assert.deepEqual(seen, [
      'chat.postMessage (args): one of text, blocks or attachments is required',
      'chat.postMessage thread_ts: a message ts',
      'files.getUploadURLExternal length: Too small: expected number to be >0',
      'files.upload: not a method ASTRAN is described to call',
    ]);
  });

  const code = async (p: Promise<unknown>) => {
    try {
      await p;
      return 'ok';
    } catch (e) {
      return (e as { data?: { error?: string } }).data?.error ?? String(e);
    }
  };

  it('authentication: not_authed, invalid_auth, token types', async () => {
    const anon = new webApi.WebClient(undefined, { slackApiUrl: fake.url, ...noRetry });
    assert.equal(await code(anon.chat.postMessage({ channel: 'C0ASTRAN', text: 'x' })), 'not_authed');
    const wrong = new webApi.WebClient('xoxb-wrong', { slackApiUrl: fake.url, ...noRetry });
    assert.equal(await code(wrong.auth.test()), 'invalid_auth');
    assert.equal(await code(bot.apps.connections.open({})), 'not_allowed_token_type');
    const app = new webApi.WebClient(fake.appToken, { slackApiUrl: fake.url, ...noRetry });
    assert.equal(await code(app.chat.postMessage({ channel: 'C0ASTRAN', text: 'x' })), 'not_allowed_token_type');
    assert.equal(await code(app.apps.connections.open({})), 'ok');
  });

  it('channels and text: channel_not_found, not_in_channel, no_text', async () => {
    assert.equal(await code(bot.chat.postMessage({ channel: 'C0NOPE', text: 'x' })), 'channel_not_found');
    assert.equal(await code(bot.chat.postMessage({ channel: 'C0PRIVATE', text: 'x' })), 'not_in_channel');
    assert.equal(await code(bot.chat.postMessage({ channel: 'C0ASTRAN' } as never)), 'no_text');
  });

  it('threads: a reply ts is resolved to its root with a warning; unknown/malformed refused', async () => {
    const root = await bot.chat.postMessage({ channel: 'C0ASTRAN', text: 'root' });
    const reply = await bot.chat.postMessage({ channel: 'C0ASTRAN', text: 'r1', thread_ts: root.ts });
    const nested = await bot.chat.postMessage({ channel: 'C0ASTRAN', text: 'r2', thread_ts: reply.ts });
    assert.equal((nested.message as { thread_ts?: string }).thread_ts, root.ts);
    assert.deepEqual(fake.calls.at(-1)!.warnings, ['thread_ts_not_root']);
    assert.equal(await code(bot.chat.postMessage({ channel: 'C0ASTRAN', text: 'x', thread_ts: '1234567890.000001' })), 'thread_not_found');
    assert.equal(await code(bot.chat.postMessage({ channel: 'C0ASTRAN', text: 'x', thread_ts: 'abc' })), 'invalid_thread_ts');
  });

  it('chat.update: message_not_found, cant_update_message', async () => {
    assert.equal(await code(bot.chat.update({ channel: 'C0ASTRAN', ts: '1234567890.000001', text: 'x' })), 'message_not_found');
    const { ts } = await fake.userMessage({ channel: 'C0ASTRAN', user: 'U0ALICE', text: 'mine' });
    assert.equal(await code(bot.chat.update({ channel: 'C0ASTRAN', ts, text: 'x' })), 'cant_update_message');
  });

  it('files: upload must happen before completion; completion needs a real thread', async () => {
    const u = await bot.files.getUploadURLExternal({ filename: 'a.png', length: 3 });
    assert.equal(await code(bot.files.completeUploadExternal({ files: [{ id: u.file_id! }], channel_id: 'C0ASTRAN' })), 'file_not_found');
    assert.equal(await code(bot.files.getUploadURLExternal({ filename: 'a.png', length: 0 })), 'invalid_arguments');
    const up = await bot.filesUploadV2({ channel_id: 'C0ASTRAN', file: Buffer.from('abc'), filename: 'b.png' });
    assert.equal(up.ok, true);
    assert.equal(await code(bot.filesUploadV2({ channel_id: 'C0ASTRAN', thread_ts: '1234567890.000001', file: Buffer.from('abc'), filename: 'c.png' })), 'thread_not_found');
  });

  it('unknown methods are refused', async () => {
    assert.equal(await code(bot.apiCall('files.upload', { channels: 'C0ASTRAN', content: 'x' })), 'unknown_method');
  });
});

describe('Slack adapter errors', () => {
  it('a failed post throws an error id and the Slack error code, never the token; the log has the detail', async () => {
    const fake = await startFakeSlack({ channels: ['C0ASTRAN'] });
    const lines: string[] = [];
    const log = createLogger({ level: 'debug', destination: new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } }) });
    const adapter = slackAdapterForFake(fake, new MemoryJobStore(), {}, log);
    await adapter.start(async (m) => m.ack());
    try {
      await assert.rejects(
        adapter.send({ adapter: 'slack', key: 'C0GONE:1234567890.000001' }, { text: 'x' }),
        (e: Error) => e instanceof UserFacingError && /cannot post in this channel/.test(e.message) && /E-[0-9A-F]{6}/.test(e.message) && /\/invite @astran/.test(e.hint ?? ''),
      );
      await assert.rejects(
        adapter.edit({ thread: { adapter: 'slack', key: 'C0ASTRAN:1234567890.000001' }, id: '1234567890.000001' }, { text: 'x' }),
        (e: Error) => /message_not_found/.test(e.message) && /E-[0-9A-F]{6}/.test(e.message) && !e.message.includes(fake.botToken),
      );
      await assert.rejects(adapter.send({ adapter: 'slack', key: 'not a key' }, { text: 'x' }));
      const all = lines.join('');
      assert.match(all, /Web API call failed/);
      assert.ok(!all.includes(fake.botToken), 'bot token never logged');
      assert.ok(!all.includes(fake.appToken), 'app token never logged');
    } finally {
      await adapter.stop();
      await fake.close();
    }
  });
});
