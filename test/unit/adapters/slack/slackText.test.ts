import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clampText, inboundText, mentionsUser, toMrkdwn } from '../../../../adapters/slack/slackText.js';
import { parseThreadKey, threadKey, SlashCommandSchema, MessageEventSchema, isUserMessage } from '../../../../adapters/slack/slackInbound.js';

describe('Slack text at the edge', () => {
  it('strips the bot mention and decodes entities and links', () => {
    assert.equal(inboundText('<@UBOT> launch Crab 20240101', 'UBOT'), 'launch Crab 20240101');
    assert.equal(inboundText('<@UBOT|astran>   status   A-0001', 'UBOT'), 'status A-0001');
    assert.equal(inboundText('launch source=&lt;Crab&gt; a&amp;b', 'UBOT'), 'launch source=<Crab> a&b');
    assert.equal(inboundText('see <https://example.org|example.org> <mailto:x@y.z|x@y.z>', 'UBOT'), 'see example.org x@y.z');
    assert.equal(inboundText('hi <@UOTHER>', 'UBOT'), 'hi <@UOTHER>');
    assert.equal(mentionsUser('x <@UBOT|astran>', 'UBOT'), true);
    assert.equal(mentionsUser('x <@UBOTX>', 'UBOT'), false);
  });

  it('translates light markdown to mrkdwn and escapes control characters outside code', () => {
    assert.equal(toMrkdwn('**Done**: 5 σ'), '*Done*: 5 σ');
    assert.equal(toMrkdwn('- a\n- b'), '• a\n• b');
    // ASTRAN writes no links: a markdown link can only be echoed user text, so it stays literal (no <url|label>).
    assert.equal(toMrkdwn('[log](https://x.org/a)'), '[log](https://x.org/a)');
    assert.equal(toMrkdwn('a < b & c > d'), 'a &lt; b &amp; c &gt; d');
    assert.equal(toMrkdwn('`**raw**` **b**'), '`**raw**` *b*');
    assert.equal(toMrkdwn('```\n- x <y>\n```'), '```\n- x &lt;y&gt;\n```');
    assert.equal(toMrkdwn('## Result'), '*Result*');
  });

  it('clamps long text under the Slack limit', () => {
    const s = clampText('x'.repeat(50000));
    assert.ok(s.length <= 39000);
    assert.match(s, /truncated\)$/);
    assert.equal(clampText('short'), 'short');
  });

  it('thread keys round-trip and malformed keys are refused', () => {
    const k = threadKey('C0123ABC', '1700000000.000100');
    assert.equal(k, 'C0123ABC:1700000000.000100');
    assert.deepEqual(parseThreadKey(JSON.parse(JSON.stringify(k))), { channel: 'C0123ABC', ts: '1700000000.000100' });
    assert.throws(() => parseThreadKey('C0123ABC:abc'));
    assert.throws(() => parseThreadKey('x; rm -rf /:1.2'));
  });

  it('validates payloads strictly', () => {
    const ok = SlashCommandSchema.safeParse({ command: '/astran', text: 'help', user_id: 'U1', channel_id: 'C1', trigger_id: 't', response_url: 'https://hooks.slack.com/x' });
    assert.equal(ok.success, true);
    assert.equal(SlashCommandSchema.safeParse({ command: '/astran', user_id: 'bob', channel_id: 'C1', trigger_id: 't', response_url: 'https://h/x' }).success, false);
    assert.equal(SlashCommandSchema.safeParse({ command: '/astran', user_id: 'U1', channel_id: 'C1', trigger_id: 't', response_url: 'file:///etc/passwd' }).success, false);
    const e = MessageEventSchema.parse({ type: 'message', subtype: 'message_changed', ts: '1.2', channel: 'C1' });
    assert.equal(isUserMessage(e), false);
    assert.equal(isUserMessage(MessageEventSchema.parse({ type: 'message', subtype: 'thread_broadcast', user: 'U1', ts: '1.2', channel: 'C1' })), true);
  });
});
