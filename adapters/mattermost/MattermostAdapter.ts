import { createHash } from 'node:crypto';
import mm from '@mattermost/client';
import type { Adapter, InboundHandler, InboundMessage, MessageRef, OutboundFile, OutboundMessage, ThreadRef } from '../../src/core/types.js';
import type { KeyValueStore } from '../../src/core/KeyValueStore.js';
import { claimOnce } from '../../src/core/KeyValueStore.js';
import type { Logger } from '../../src/log.js';
import { RequestAck } from '../shared/RequestAck.js';
import { toMattermost } from './mattermostText.js';
import { retryRateLimits } from './rateLimitRetry.js';
import type { MattermostConfig, MattermostSecrets } from './config.js';
import { MattermostMemory } from './MattermostMemory.js';
import { MattermostSocket } from './MattermostSocket.js';
import { SlashCommandServer } from './SlashCommandServer.js';
import { ChannelSchema, FileUploadResponseSchema, MeSchema, MentionsSchema, PostedDataSchema, PostListSchema, PostSchema, type MMPost, type SlashPayload, type SocketFrame } from './schemas.js';
import { MAX_FILES_PER_POST, chunk, splitMessage, truncateMessage } from './textLimits.js';

export const ADAPTER_NAME = 'mattermost';
/** Key/value namespaces: every post id is handled at most once; the threads this adapter opened for jobs. */
const seenPostKey = (postId: string) => `mattermost-post:${postId}`;
const jobThreadKey = (rootId: string) => `mattermost:job_thread:${rootId}`;

type Client = InstanceType<typeof mm.Client4>;


export interface MattermostAdapterDeps {
  config: MattermostConfig;
  secrets: MattermostSecrets;
  log: Logger;
  kv: KeyValueStore;
  /** Ping interval of the WebSocket (tests shorten it). */
  pingIntervalMs?: number;
}

/**
 * The outbox's idempotency key as Mattermost's `pending_post_id` (one per post of a message): the server returns the
 * post it already created for that id instead of a second one, for 30 s (deduplicateCreatePost in app/post.go), which
 * covers a retry after a lost answer. Not in the API reference's request schema; the server reads it from the Post.
 */
function pendingPostId(key: string | undefined, part: number): { pending_post_id?: string } {
  return key ? { pending_post_id: `astran:${createHash('sha256').update(`${key}#${part}`).digest('hex').slice(0, 32)}` } : {};
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Mattermost adapter: REST v4 through Client4, events over the WebSocket, an optional slash-command
 * endpoint. Thread key = the root post id. Posts seen over the WebSocket or fetched while catching
 * up after a reconnect are deduplicated through the key/value store, so each is handled once.
 */
export class MattermostAdapter implements Adapter {
  readonly name = ADAPTER_NAME;
  readonly canEdit = true;

  private readonly client: Client;
  private socket: MattermostSocket | null = null;
  private slash: SlashCommandServer | null = null;
  private handler: InboundHandler | null = null;
  private me: { id: string; username: string } | null = null;
  private mentionRe: RegExp | null = null;
  private readonly memory: MattermostMemory;
  private catchUpChain: Promise<void> = Promise.resolve();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly deps: MattermostAdapterDeps) {
    this.client = new mm.Client4();
    this.client.setUrl(deps.config.url);
    this.client.setToken(deps.secrets.botToken);
    this.client.setIncludeCookies(false);
    retryRateLimits(this.client, deps.log);
    this.memory = new MattermostMemory(deps.kv, deps.config.catchup_channels);
  }

  /** URL of the slash-command endpoint once started (undefined when not configured). */
  get slashCommandUrl(): string | undefined {
    return this.slash?.url;
  }

  /** The slash-command endpoint, when configured and started. */
  get slashCommandServer(): SlashCommandServer | undefined {
    return this.slash ?? undefined;
  }

  /** The bot's own user id (after start). */
  get botUserId(): string | undefined {
    return this.me?.id;
  }

  async start(onMessage: InboundHandler): Promise<void> {
    const { config, secrets, log } = this.deps;
    this.handler = onMessage;
    const me = MeSchema.parse(await this.client.getMe());
    this.me = { id: me.id, username: me.username };
    this.mentionRe = new RegExp(`(^|[^\\w.-])@${escapeRe(me.username)}(?![\\w-])`, 'i');
    log.info({ botUserId: me.id }, 'mattermost adapter connected');

    if (config.listen) {
      this.slash = new SlashCommandServer({
        ...config.listen,
        token: secrets.slashToken!,
        ackDeadlineMs: config.ack_deadline_s * 1000,
        kv: this.deps.kv,
        serverOrigin: new URL(config.url).origin,
        log,
        toInbound: (p) => this.slashToInbound(p),
      });
      await this.slash.start(onMessage);
    }

    const wsUrl = config.url.replace(/^http/i, 'ws') + '/api/v4/websocket';
    this.socket = new MattermostSocket({
      url: wsUrl,
      token: secrets.botToken,
      log,
      minDelayMs: config.reconnect.min_s * 1000,
      maxDelayMs: Math.max(config.reconnect.min_s, config.reconnect.max_s) * 1000,
      pingIntervalMs: this.deps.pingIntervalMs,
      onEvent: (f) => this.onSocketEvent(f),
      onHello: (reconnected) => this.onHello(reconnected),
    });
    this.socket.start();
  }

  async stop(): Promise<void> {
    await this.socket?.stop();
    await this.slash?.stop();
    await this.catchUpChain.catch(() => undefined);
    await Promise.allSettled([...this.inFlight]);
    this.memory.persist();
  }

  /** Resolves when the running catch-up (if any) and the in-flight message handlers have finished. */
  async whenIdle(): Promise<void> {
    await this.catchUpChain.catch(() => undefined);
    await Promise.allSettled([...this.inFlight]);
  }

  get socketConnected(): boolean {
    return this.socket?.connected ?? false;
  }

  // ---------- outbound ----------

  /**
   * A new thread in a place without a request: a channel id, or `@<user id>` for a direct message with that user
   * (the direct channel is created, or found, by POST /channels/direct). Notices to a job's owner use the latter.
   */
  async openThreadIn(place: string, root: OutboundMessage, jobId?: string): Promise<{ thread: ThreadRef; root: MessageRef }> {
    let channel = place;
    if (place.startsWith('@')) {
      if (!this.me) throw new Error('mattermost: not started');
      channel = ChannelSchema.parse(await this.client.createDirectChannel([this.me.id, place.slice(1)])).id;
    }
    const request: InboundMessage = {
      id: `astran-open-${root.idempotencyKey ?? channel}`,
      identity: { adapter: ADAPTER_NAME, userId: this.me?.id ?? 'astran', isBot: true },
      text: '',
      channel,
      receivedAt: new Date(),
      ack: async () => {},
    };
    return this.openThread(request, root, jobId);
  }

  async openThread(request: InboundMessage, root: OutboundMessage, jobId?: string): Promise<{ thread: ThreadRef; root: MessageRef }> {
    if (request.thread && request.thread.adapter === ADAPTER_NAME) {
      // A mention: the job lives in the mention's own thread.
      if (jobId) this.deps.kv.write(jobThreadKey(request.thread.key), jobId);
      const ref = await this.send(request.thread, root);
      return { thread: request.thread, root: ref };
    }
    const channelId = request.channel;
    if (!channelId) throw new Error('mattermost openThread: request has no channel');
    const [first, ...rest] = splitMessage(toMattermost(root.text));
    const post = await this.createPost({ channel_id: channelId, message: first, ...pendingPostId(root.idempotencyKey, 0) });
    if (jobId) this.deps.kv.write(jobThreadKey(post.id), jobId);
    const thread: ThreadRef = { adapter: ADAPTER_NAME, key: post.id };
    this.memory.rememberThread(post.id, channelId);
    if (rest.length > 0 || (root.files?.length ?? 0) > 0) {
      await this.postInThread(channelId, post.id, rest.join(''), root.files ?? [], rest.length > 0, root.idempotencyKey, 1);
    }
    return { thread, root: { thread, id: post.id } };
  }

  async send(thread: ThreadRef, message: OutboundMessage): Promise<MessageRef> {
    const channelId = await this.channelOf(thread.key);
    const id = await this.postInThread(channelId, thread.key, toMattermost(message.text), message.files ?? [], true, message.idempotencyKey);
    return { thread, id };
  }

  async edit(ref: MessageRef, message: OutboundMessage): Promise<void> {
    // Files cannot be replaced meaningfully in place; edits carry text (progress) only.
    await this.client.patchPost({ id: ref.id, message: truncateMessage(toMattermost(message.text)) });
  }

  /** Post text (split to fit) then the files in groups of at most 5; returns the first post's id. */
  private async postInThread(channelId: string, rootId: string, text: string, files: OutboundFile[], postText: boolean, key?: string, part0 = 0): Promise<string> {
    let part = part0;
    const fileIds = files.length > 0 ? await this.upload(channelId, files) : [];
    const groups = chunk(fileIds, MAX_FILES_PER_POST);
    const chunks = postText && text.length > 0 ? splitMessage(text) : [];
    let firstId: string | undefined;
    for (let i = 0; i < chunks.length; i++) {
      const attach = i === chunks.length - 1 ? groups.shift() : undefined;
      const p = await this.createPost({ channel_id: channelId, root_id: rootId, message: chunks[i], ...(attach ? { file_ids: attach } : {}), ...pendingPostId(key, part++) });
      firstId ??= p.id;
    }
    for (const g of groups) {
      const p = await this.createPost({ channel_id: channelId, root_id: rootId, message: '', file_ids: g, ...pendingPostId(key, part++) });
      firstId ??= p.id;
    }
    if (firstId === undefined) {
      // Nothing to post (empty text, no files): still return a real message so edits work.
      const p = await this.createPost({ channel_id: channelId, root_id: rootId, message: '…', ...pendingPostId(key, part++) });
      firstId = p.id;
    }
    return firstId;
  }

  private async upload(channelId: string, files: OutboundFile[]): Promise<string[]> {
    const ids: string[] = [];
    for (const group of chunk(files, MAX_FILES_PER_POST)) {
      const form = new FormData();
      form.append('channel_id', channelId);
      for (const f of group) form.append('files', new Blob([new Uint8Array(f.data)], { type: f.contentType }), f.name);
      const res = FileUploadResponseSchema.parse(await this.client.uploadFile(form));
      ids.push(...res.file_infos.map((i) => i.id));
    }
    return ids;
  }

  private async createPost(post: { channel_id: string; message: string; root_id?: string; file_ids?: string[]; pending_post_id?: string }): Promise<MMPost> {
    // Not noteSeen here: while the socket is down our own posts must not move the catch-up mark
    // past posts we have not seen yet; they come back through the socket when it is up.
    return PostSchema.parse(await this.client.createPost(post as Parameters<Client['createPost']>[0]));
  }


  private async channelOf(rootId: string): Promise<string> {
    const cached = this.memory.channelOfThread(rootId);
    if (cached) return cached;
    const root = PostSchema.parse(await this.client.getPost(rootId));
    this.memory.rememberThread(rootId, root.channel_id);
    return root.channel_id;
  }

  // ---------- inbound ----------

  private slashToInbound(p: SlashPayload): Omit<InboundMessage, 'ack'> {
    this.memory.rememberChannel(p.channel_id);
    return {
      id: p.trigger_id ? `slash:${p.trigger_id}` : `slash:${p.user_id}:${Date.now()}`,
      identity: { adapter: ADAPTER_NAME, userId: p.user_id, displayName: p.user_name },
      text: p.text,
      channel: p.channel_id,
      ...(p.root_id ? { thread: { adapter: ADAPTER_NAME, key: p.root_id } } : {}),
      receivedAt: new Date(),
    };
  }

  private onSocketEvent(frame: SocketFrame): void {
    if (frame.event !== 'posted') return;
    const data = PostedDataSchema.safeParse(frame.data);
    if (!data.success) {
      this.deps.log.warn('mattermost: posted event without a post ignored');
      return;
    }
    let post: MMPost;
    let mentions: string[] = [];
    try {
      post = PostSchema.parse(JSON.parse(data.data.post));
      if (data.data.mentions) mentions = MentionsSchema.parse(JSON.parse(data.data.mentions));
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, 'mattermost: unparsable post in posted event ignored');
      return;
    }
    this.handlePost(post, data.data.sender_name, mentions);
  }

  private onHello(reconnected: boolean): void {
    this.deps.log.info({ reconnected }, 'mattermost websocket ready');
    // Also after a restart (a stored last-seen time): posts made while the bot was away.
    if (this.memory.lastSeen > 0) this.catchUp();
  }

  /** Fetch posts made since the last one seen in recently active channels; serialised. */
  private catchUp(): void {
    this.memory.hold();
    const since = this.memory.lastSeen;
    this.catchUpChain = this.catchUpChain
      .then(async () => {
        for (const channelId of this.memory.recentChannels()) {
          try {
            // `since` matches update_at > since, so create_at == since is covered by the -1.
            const list = PostListSchema.parse(await this.client.getPostsSince(channelId, Math.max(0, since - 1)));
            const posts: MMPost[] = [];
            for (const id of list.order) {
              const p = PostSchema.safeParse(list.posts[id]);
              if (p.success && p.data.channel_id === channelId && p.data.create_at >= since) posts.push(p.data);
            }
            posts.sort((a, b) => a.create_at - b.create_at || (a.id < b.id ? -1 : 1));
            for (const p of posts) this.handlePost(p, undefined, []);
          } catch (err) {
            this.deps.log.warn({ err: (err as Error).message, channelId }, 'mattermost catch-up failed for a channel');
          }
        }
      })
      .finally(() => this.memory.release());
  }

  /** Route one post: follow-ups in ASTRAN threads and @-mentions of the bot become InboundMessages. */
  private handlePost(post: MMPost, senderName: string | undefined, mentions: string[]): void {
    const me = this.me;
    if (!me || !this.handler) return;
    this.memory.noteSeen(post.create_at);
    if (post.user_id === me.id) return; // our own posts never come back in
    if (post.type !== '' || post.delete_at > 0 || post.original_id !== '') return; // system, deleted, edit history
    const mentioned = mentions.includes(me.id) || this.mentionRe!.test(post.message);
    const inJobThread = post.root_id !== '' && this.deps.kv.read(jobThreadKey(post.root_id)) !== undefined;
    if (!mentioned && !inJobThread) return;
    if (!claimOnce(this.deps.kv, seenPostKey(post.id))) return;

    const rootId = post.root_id || post.id;
    this.memory.rememberThread(rootId, post.channel_id);
    // Bots and incoming webhooks (automation, arbitrary content) are flagged; the dispatcher drops them.
    const flag = (v: unknown) => v === true || v === 'true';
    const fromBot = flag(post.props.from_bot) || flag(post.props.from_webhook);
    const ack = new RequestAck({
      what: 'mattermost post',
      log: this.deps.log,
      // No ephemeral posts for bots without extra permissions: answer in the thread.
      respond: async (reply) => {
        if (reply?.text) await this.createPost({ channel_id: post.channel_id, root_id: rootId, message: truncateMessage(toMattermost(reply.text)) });
      },
    });
    const msg: InboundMessage = {
      id: post.id,
      identity: { adapter: ADAPTER_NAME, userId: post.user_id, ...(senderName ? { displayName: senderName.replace(/^@/, '') } : {}), ...(fromBot ? { isBot: true } : {}) },
      text: this.stripMention(post.message),
      thread: { adapter: ADAPTER_NAME, key: rootId },
      channel: post.channel_id,
      receivedAt: new Date(post.create_at),
      ack: ack.ack,
    };
    const run = (async () => {
      try {
        await this.handler!(msg);
      } catch (err) {
        await ack.fail(err, { postId: post.id });
      }
    })();
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  private stripMention(text: string): string {
    const name = escapeRe(this.me!.username);
    return text.replace(new RegExp(`^\\s*@${name}\\b[:,]?\\s*`, 'i'), '').trim();
  }
}
