import { App, SocketModeReceiver, webApi, type AckFn, type Receiver } from '@slack/bolt';
import type { Adapter, InboundHandler, InboundMessage, MessageRef, OutboundFile, OutboundMessage, Reply, ThreadRef } from '../../src/core/types.js';
import { ConfigError, newErrorId, UserFacingError } from '../../src/core/errors.js';
import type { KeyValueStore } from '../../src/core/KeyValueStore.js';
import { claimOnce } from '../../src/core/KeyValueStore.js';
import { RequestAck } from '../shared/RequestAck.js';
import { errorReply } from '../../src/dispatch/errorReply.js';
import type { Logger } from '../../src/log.js';
import type { SlackConfig, SlackSecrets } from './config.js';
import { SlackHttpReceiver } from './SlackHttpReceiver.js';
import { ChannelPacer } from './ChannelPacer.js';
import { boltLogger } from './boltLogger.js';
import { isUserMessage, MessageEventSchema, parseThreadKey, SlashCommandSchema, threadKey, type MessageEvent, type SlashCommand } from './slackInbound.js';
import { clampText, inboundText, mentionsUser, toMrkdwn, withMentions } from './slackText.js';

const ADAPTER = 'slack';
/** Dedupe namespaces in the key/value store: one Slack message can arrive as `message` and `app_mention`, and be
 * redelivered; a slash command's trigger_id is run once, also after a restart. */
const SEEN_NS = 'slack-msg';
const SEEN_CMD_NS = 'slack-cmd';
const jobThreadKey = (key: string) => `slack:job_thread:${key}`;
/** How long a slash command's ack state is kept to handle redeliveries (Slack retries within minutes). */
const COMMAND_MEMORY_MS = 10 * 60_000;

interface CommandState {
  /** The request's acknowledgement; a redelivery of the envelope rebinds it to the live socket. */
  ack: RequestAck;
  sentViaResponseUrl: boolean;
}

/**
 * Why the adapter could not start, as a configuration error naming the setting to check (no stack trace, no token):
 * a refused token, or an api_url that is not Slack's Web API (unreachable, HTML, 404...).
 */
function startError(err: unknown, apiUrl: string): ConfigError {
  const e = err as { code?: string; data?: { error?: string }; statusCode?: number; original?: { code?: string; message?: string } };
  const slackError = e.data?.error;
  if (slackError === 'invalid_auth' || slackError === 'not_authed' || slackError === 'account_inactive' || slackError === 'token_revoked') {
    return new ConfigError(`slack: the bot token was refused (${slackError}); check the variable named by slack.bot_token_env`);
  }
  const why = slackError ?? (e.statusCode ? `HTTP ${e.statusCode}` : e.original?.code ?? e.code ?? 'no answer');
  return new ConfigError(`slack: could not use the Slack Web API at ${apiUrl} (${why}); check slack.api_url`);
}

/** A slash command's answer as Slack takes it (ephemeral unless the core says otherwise). */
function commandPayload(reply: Reply | undefined): Record<string, unknown> | undefined {
  return reply ? { response_type: reply.ephemeral === false ? 'in_channel' : 'ephemeral', text: clampText(toMrkdwn(reply.text)) } : undefined;
}

/**
 * Slack transport on @slack/bolt: Socket Mode (default) or HTTP mode. Slash commands are acked
 * with the core's reply; jobs get a root message whose `ts` anchors the thread; follow-ups come
 * from thread messages and mentions.
 */
export class SlackAdapter implements Adapter {
  readonly name = ADAPTER;
  readonly canEdit = true;
  private readonly client: webApi.WebClient;
  private readonly pacer: ChannelPacer;
  private app?: App;
  private socketReceiver?: SocketModeReceiver;
  private httpReceiver?: SlackHttpReceiver;
  private readonly commands = new Map<string, CommandState>();
  private botUserId = '';
  private botId = '';

  constructor(
    private readonly config: SlackConfig,
    private readonly secrets: SlackSecrets,
    private readonly log: Logger,
    private readonly kv: KeyValueStore,
  ) {
    this.client = new webApi.WebClient(secrets.botToken, {
      slackApiUrl: config.api_url,
      logger: boltLogger(log),
      retryConfig: { retries: config.api_retries, factor: 2, minTimeout: 250, maxTimeout: 10_000 },
    });
    this.pacer = new ChannelPacer(config.min_post_interval_s * 1000);
  }

  /** HTTP mode: URL of the bound events endpoint (after start). */
  get httpUrl(): string | undefined {
    return this.httpReceiver?.url;
  }

  /** The bot's own user id (from auth.test at start). */
  get botUser(): string {
    return this.botUserId;
  }

  async start(onMessage: InboundHandler): Promise<void> {
    const auth = await this.client.auth.test().catch((err: unknown) => {
      throw startError(err, this.config.api_url);
    });
    if (!auth.user_id) throw new ConfigError(`slack: ${this.config.api_url} answered auth.test without a bot user id; check slack.api_url`);
    this.botUserId = auth.user_id;
    this.botId = auth.bot_id ?? '';

    const logger = boltLogger(this.log);
    let receiver: Receiver;
    if (this.config.mode === 'socket') {
      receiver = this.socketReceiver = new SocketModeReceiver({
        appToken: this.secrets.appToken!,
        logger,
        clientPingTimeout: this.config.client_ping_timeout_s * 1000,
        installerOptions: { clientOptions: { slackApiUrl: this.config.api_url } },
      });
    } else {
      this.httpReceiver = new SlackHttpReceiver({
        signingSecret: this.secrets.signingSecret!,
        host: this.config.http.host,
        port: this.config.http.port,
        path: this.config.http.path,
        maxBodyBytes: this.config.http.max_body_bytes,
        log: this.log,
      });
      receiver = this.httpReceiver;
    }
    // botId/botUserId given: bolt skips its own auth.test and its ignoreSelf middleware knows us.
    const app = new App({
      token: this.secrets.botToken,
      botId: this.botId || undefined,
      botUserId: this.botUserId,
      receiver,
      logger,
      clientOptions: { slackApiUrl: this.config.api_url },
      ignoreSelf: true,
      // No conversation-store lookups: we keep no per-conversation state in bolt (cheaper acks).
      convoStore: false,
    });
    app.command(this.config.command, async ({ body, ack }) => this.onCommand(body, ack, onMessage));
    app.event('app_mention', async ({ event }) => this.onEvent(event, onMessage));
    app.event('message', async ({ event }) => this.onEvent(event, onMessage));
    app.error(async (err) => {
      this.log.error({ errorId: newErrorId(), err: { message: err.message, code: (err as { code?: string }).code } }, 'slack: bolt error');
    });
    await app.start();
    this.app = app;
    this.log.info({ mode: this.config.mode, botUserId: this.botUserId }, 'slack adapter started');
  }

  async stop(): Promise<void> {
    const app = this.app;
    this.app = undefined;
    if (!app) return;
    if (this.socketReceiver) {
      // bolt's SocketModeReceiver.stop does not wait for the close handshake; wait for it here.
      await this.socketReceiver.client.disconnect();
      this.socketReceiver = undefined;
    } else await app.stop();
  }

  // ------------------------------------------------------------------ inbound

  private async onCommand(body: unknown, boltAck: AckFn<string | Record<string, unknown>>, onMessage: InboundHandler): Promise<void> {
    const parsed = SlashCommandSchema.safeParse(body);
    if (!parsed.success) {
      const errorId = newErrorId();
      this.log.warn({ errorId, issues: parsed.error.issues.map((i) => i.path.join('.')) }, 'slack: malformed slash command');
      await boltAck(commandPayload(errorReply(errorId)));
      return;
    }
    const cmd = parsed.data;
    const known = this.commands.get(cmd.trigger_id);
    if (known) {
      // Slack redelivers an envelope only when it never got our ack (the socket dropped).
      if (!known.ack.closed) known.ack.rebind((reply) => boltAck(commandPayload(reply))); // still deciding: answer on the live socket
      else {
        await boltAck();
        if (known.ack.reply && !known.sentViaResponseUrl) await this.respond(cmd, commandPayload(known.ack.reply)!).catch(() => undefined);
      }
      return;
    }
    // Durable guard (a replay, or a redelivery after a restart): never run a command twice.
    if (!claimOnce(this.kv, `${SEEN_CMD_NS}:${cmd.trigger_id}`)) {
      this.log.warn({ user: cmd.user_id }, 'slack: slash command with a trigger_id seen before; not run');
      await boltAck();
      return;
    }
    const state: CommandState = {
      sentViaResponseUrl: false,
      // Slack shows an error after 3 s: ack empty before that and send the real answer via response_url.
      ack: new RequestAck({
        what: 'slack slash command',
        log: this.log,
        deadlineMs: this.config.ack_deadline_s * 1000,
        respond: (reply) => boltAck(commandPayload(reply)),
        followUp: async (reply) => {
          state.sentViaResponseUrl = true;
          await this.respond(cmd, commandPayload(reply)!);
        },
      }),
    };
    this.commands.set(cmd.trigger_id, state);
    setTimeout(() => this.commands.delete(cmd.trigger_id), COMMAND_MEMORY_MS).unref();
    const msg: InboundMessage = {
      id: cmd.trigger_id,
      identity: { adapter: ADAPTER, userId: cmd.user_id, displayName: cmd.user_name },
      text: cmd.text,
      channel: cmd.channel_id,
      receivedAt: new Date(),
      ack: state.ack.ack,
    };
    try {
      await onMessage(msg);
    } catch (err) {
      await state.ack.fail(err, { trigger: cmd.trigger_id });
    } finally {
      await state.ack.settle();
    }
  }

  /** Late answers to a slash command go to its response_url (valid 30 min, 5 uses). */
  private async respond(cmd: SlashCommand, payload: Record<string, unknown>): Promise<void> {
    const url = new URL(cmd.response_url);
    const api = new URL(this.config.api_url);
    // Only Slack's own hosts (or the configured API host, e.g. a test fake) get our POSTs.
    if (!(url.protocol === 'https:' && url.hostname.endsWith('.slack.com')) && url.origin !== api.origin) {
      this.log.warn({ host: url.hostname }, 'slack: response_url host refused');
      return;
    }
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ ...payload, replace_original: false }),
    });
    if (!res.ok) this.log.warn({ status: res.status }, 'slack: response_url POST failed');
  }

  private async onEvent(event: unknown, onMessage: InboundHandler): Promise<void> {
    const parsed = MessageEventSchema.safeParse(event);
    if (!parsed.success) return; // message kinds we do not handle (no channel, odd subtypes...)
    const e = parsed.data;
    // Never turn our own posts into messages.
    if (e.user === this.botUserId || (this.botId && e.bot_id === this.botId)) return;
    const isBot = e.bot_id !== undefined || e.subtype === 'bot_message';
    if (!isBot && !isUserMessage(e)) return; // edits, joins, deletions...
    const userId = e.user ?? e.bot_id;
    if (!userId) return;
    if (e.type === 'message') {
      // Top-level channel chatter is not for us; top-level mentions arrive as app_mention.
      if (!e.thread_ts) return;
      const ours = this.kv.read(jobThreadKey(threadKey(e.channel, e.thread_ts))) !== undefined;
      if (!ours && !mentionsUser(e.text, this.botUserId)) return;
    }
    if (!claimOnce(this.kv, `${SEEN_NS}:${e.channel}:${e.ts}`)) return;

    const ack = new RequestAck({ what: 'slack message', log: this.log, respond: async (reply) => (reply ? this.replyToEvent(e, reply) : undefined) });
    const msg: InboundMessage = {
      id: `${e.channel}:${e.ts}`,
      identity: { adapter: ADAPTER, userId, isBot },
      text: inboundText(e.text, this.botUserId),
      thread: e.thread_ts ? { adapter: ADAPTER, key: threadKey(e.channel, e.thread_ts) } : undefined,
      channel: e.channel,
      receivedAt: new Date(),
      ack: ack.ack,
    };
    try {
      await onMessage(msg);
    } catch (err) {
      await ack.fail(err, { message: msg.id });
    }
  }

  /** Answer a thread message or mention: in its thread (a top-level mention starts one). */
  private async replyToEvent(e: MessageEvent, reply: Reply): Promise<void> {
    const text = clampText(toMrkdwn(reply.text));
    const threadTs = e.thread_ts ?? e.ts;
    if (reply.ephemeral && e.user && !e.bot_id) {
      await this.call('chat.postEphemeral', () => this.client.chat.postEphemeral({ channel: e.channel, user: e.user!, text, thread_ts: e.thread_ts }));
      return;
    }
    await this.pacer.run(e.channel, () => this.call('chat.postMessage', () => this.client.chat.postMessage({ channel: e.channel, text, thread_ts: threadTs })));
  }

  // ------------------------------------------------------------------ outbound

  async openThread(request: InboundMessage, root: OutboundMessage, jobId?: string): Promise<{ thread: ThreadRef; root: MessageRef }> {
    const channel = request.channel;
    if (!channel) throw new Error('Slack openThread: the request has no channel');
    const res = await this.pacer.run(channel, () =>
      this.call('chat.postMessage', () => this.client.chat.postMessage({ channel, text: clampText(withMentions(toMrkdwn(root.text || ' '), root.mentions)) })),
    );
    if (!res.ts) throw new Error('Slack chat.postMessage returned no ts');
    // A user id as the channel (a direct message) is answered with the DM's own channel id: the thread lives there.
    const posted = typeof res.channel === 'string' && res.channel ? res.channel : channel;
    const thread: ThreadRef = { adapter: ADAPTER, key: threadKey(posted, res.ts) };
    // Replies in this thread are for ASTRAN even without a mention.
    if (jobId) this.kv.write(jobThreadKey(thread.key), jobId);
    if (root.files?.length) await this.upload(posted, res.ts, root.files);
    return { thread, root: { thread, id: res.ts } };
  }

  async send(thread: ThreadRef, message: OutboundMessage): Promise<MessageRef> {
    const { channel, ts: rootTs } = parseThreadKey(thread.key);
    const text = message.text.trim() !== '' ? message.text : (message.files ?? []).map((f) => f.name).join(', ') || ' ';
    const res = await this.pacer.run(channel, () =>
      this.call('chat.postMessage', () => this.client.chat.postMessage({ channel, thread_ts: rootTs, text: clampText(withMentions(toMrkdwn(text), message.mentions)) })),
    );
    if (!res.ts) throw new Error('Slack chat.postMessage returned no ts');
    if (message.files?.length) await this.upload(channel, rootTs, message.files);
    return { thread, id: res.ts };
  }

  async edit(ref: MessageRef, message: OutboundMessage): Promise<void> {
    const { channel } = parseThreadKey(ref.thread.key);
    await this.call('chat.update', () => this.client.chat.update({ channel, ts: ref.id, text: clampText(toMrkdwn(message.text || ' ')) }));
  }

  /** files.uploadV2: getUploadURLExternal, POST the bytes, completeUploadExternal into the ROOT's thread. */
  private async upload(channel: string, rootTs: string, files: OutboundFile[]): Promise<void> {
    await this.call('files.uploadV2', () =>
      this.client.filesUploadV2({
        channel_id: channel,
        thread_ts: rootTs,
        file_uploads: files.map((f) => ({ file: f.data, filename: f.name, title: f.title ?? f.name, ...(f.title ? { alt_text: f.title } : {}) })),
      }),
    );
  }

  /** Run a Web API call; failures are logged in detail under an error id and rethrown without secrets. */
  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const errorId = newErrorId();
      const e = err as { code?: string; data?: { error?: string }; message?: string };
      const slackError = e.data?.error ?? e.code ?? 'request_failed';
      this.log.error({ errorId, method: what, slackError, message: e.message }, 'slack: Web API call failed');
      if (slackError === 'not_in_channel' || slackError === 'channel_not_found') {
        // The one failure users can fix themselves.
        throw new UserFacingError(`I cannot post in this channel (error ${errorId}).`, 'Invite me first: /invite @astran');
      }
      throw new Error(`Slack ${what} failed: ${slackError} (error ${errorId})`);
    }
  }
}
