/**
 * A loopback fake of the parts of Slack ASTRAN uses, written from Slack's public docs:
 * Web API (auth.test, apps.connections.open, chat.postMessage, chat.update, chat.postEphemeral,
 * files.getUploadURLExternal + upload POST + files.completeUploadExternal), response_url POSTs,
 * the Socket Mode WebSocket (hello, envelopes, acks, disconnect) and signed HTTP delivery of slash
 * commands and events (HTTP mode). Every call is recorded; requests are validated like Slack does
 * (not_authed, invalid_auth, not_allowed_token_type, channel_not_found, not_in_channel, no_text,
 * message_not_found, cant_update_message, thread_not_found...).
 */
import { checkSlackCall } from './webApiSchemas.js';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';

export interface FakeSlackOptions {
  botToken?: string;
  appToken?: string;
  botUserId?: string;
  botId?: string;
  teamId?: string;
  appId?: string;
  /** Channels that exist; the bot is a member of all of them unless listed in `notMemberOf`. */
  channels?: string[];
  notMemberOf?: string[];
  /** Deliver `message` events for the bot's own posts, as Slack does (default true). */
  echoBotMessages?: boolean;
}

export interface FakeCall {
  method: string;
  at: number;
  /** Token used (Authorization header or `token` field), or null. Tests assert it, never log it. */
  token: string | null;
  contentType: string;
  args: Record<string, unknown>;
  ok: boolean;
  error?: string;
  /** Things real Slack tolerates but the docs say to avoid (e.g. thread_ts of a reply). */
  warnings: string[];
  /** HTTP status of the answer (200 unless rate limited). */
  status?: number;
}

export interface FakeFile {
  id: string;
  filename: string;
  length: number;
  title?: string;
  altText?: string;
  bytes: Buffer | null;
  channel: string | null;
  threadTs: string | null;
  completed: boolean;
}

export interface FakeMessage {
  channel: string;
  ts: string;
  text: string;
  user: string;
  botId?: string;
  /** Root ts when the message is a thread reply. */
  threadTs?: string;
  edits: string[];
  files: string[];
}

export interface FakeEphemeral {
  channel: string;
  user: string;
  text: string;
  threadTs?: string;
  ts: string;
}

export interface EnvelopeAck {
  envelopeId: string;
  type: string;
  payload: unknown;
  /** ms from first delivery to ack. */
  ms: number;
  attempts: number;
}

export interface HttpDelivery {
  status: number;
  body: string;
  ms: number;
}

interface PendingEnvelope {
  envelope: Record<string, unknown> & { envelope_id: string; type: string };
  firstSentAt: number;
  attempts: number;
  socket: WebSocket | null;
  resolve: (a: EnvelopeAck) => void;
}

export type EventTarget = { kind: 'socket' } | { kind: 'http'; url: string; signingSecret: string };

export interface SlashCommandInput {
  text: string;
  user_id?: string;
  user_name?: string;
  channel_id?: string;
  channel_name?: string;
  command?: string;
  /** Replays: send this trigger_id again. */
  trigger_id?: string;
}

export interface UserMessageInput {
  channel: string;
  user: string;
  text: string;
  thread_ts?: string;
  /** Mark as posted by another bot (bot_id set, subtype bot_message). */
  botId?: string;
}

const TS_RE = /^\d{10}\.\d{6}$/;

/** Slack's v0 request signature (computed here independently of the adapter's verifier). */
export function slackSignature(secret: string, timestamp: number | string, rawBody: string): string {
  return 'v0=' + createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex');
}

export class FakeSlack {
  readonly botToken: string;
  readonly appToken: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId: string;
  readonly appId: string;
  readonly calls: FakeCall[] = [];
  private readonly limits = new Map<string, { times: number; retryAfterS: number }>();
  /** Calls whose arguments do not fit the Web API reference (webApiSchemas.ts); contract tests expect none. */
  readonly schemaViolations: string[] = [];

  /**
   * The next `times` calls of Web API `method` are answered as Slack's rate limiter does: HTTP 429, a
   * `Retry-After` header in seconds and `{ ok: false, error: 'ratelimited' }`.
   */
  rateLimit(method: string, times = 1, retryAfterS = 1): void {
    this.limits.set(method, { times, retryAfterS });
  }

  private outage = false;

  /** A Slack outage: every Web API and upload call answers 503 and Socket Mode connections drop, until `up()`. */
  down(): void {
    this.outage = true;
    this.dropSockets('terminate');
  }

  up(): void {
    this.outage = false;
  }
  readonly messages: FakeMessage[] = [];
  readonly ephemerals: FakeEphemeral[] = [];
  readonly files = new Map<string, FakeFile>();
  readonly responseUrlPosts: { key: string; body: Record<string, unknown>; at: number }[] = [];
  readonly acks: EnvelopeAck[] = [];
  /** Envelopes sent again after their connection was lost before the ack. */
  redeliveries = 0;
  /** Socket Mode connections opened so far (each needs a fresh apps.connections.open ticket). */
  connectionsOpened = 0;
  eventTarget: EventTarget = { kind: 'socket' };
  echoBotMessages: boolean;

  private server: Server;
  private wss: WebSocketServer;
  private sockets = new Set<WebSocket>();
  private tickets = new Set<string>();
  private pending = new Map<string, PendingEnvelope>();
  private channels = new Map<string, { member: boolean }>();
  private responseUrls = new Map<string, number>();
  private lastTs = 0;
  private seq = 0;
  private connectionWaiters: (() => void)[] = [];
  origin = '';

  constructor(opts: FakeSlackOptions = {}) {
    this.botToken = opts.botToken ?? 'xoxb-fake-' + randomBytes(6).toString('hex');
    this.appToken = opts.appToken ?? 'xapp-1-fake-' + randomBytes(6).toString('hex');
    this.botUserId = opts.botUserId ?? 'UASTRANBOT';
    this.botId = opts.botId ?? 'BASTRAN01';
    this.teamId = opts.teamId ?? 'T0FAKE01';
    this.appId = opts.appId ?? 'A0FAKE01';
    this.echoBotMessages = opts.echoBotMessages ?? true;
    for (const c of opts.channels ?? ['C0ASTRAN']) this.channels.set(c, { member: !(opts.notMemberOf ?? []).includes(c) });
    for (const c of opts.notMemberOf ?? []) if (!this.channels.has(c)) this.channels.set(c, { member: false });
    this.server = createServer((req, res) => {
      this.route(req, res).catch((err) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      });
    });
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (req, socket, head) => {
      const u = new URL(req.url ?? '/', 'http://x');
      const ticket = u.searchParams.get('ticket') ?? '';
      // Tickets are single use, like the URLs apps.connections.open returns.
      if (u.pathname !== '/link/' || !this.tickets.delete(ticket)) {
        socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    const { port } = this.server.address() as AddressInfo;
    this.origin = `http://127.0.0.1:${port}`;
  }

  /** Base URL of the Web API (give it to the adapter as api_url). */
  get url(): string {
    return this.origin + '/api/';
  }

  addChannel(id: string, member = true): void {
    this.channels.set(id, { member });
  }

  socketCount(): number {
    let n = 0;
    for (const s of this.sockets) if (s.readyState === WebSocket.OPEN) n++;
    return n;
  }

  /** Resolves once at least `n` Socket Mode connections are open. */
  waitForConnection(n = 1, timeoutMs = 15000): Promise<void> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`fake slack: no socket connection after ${timeoutMs} ms`)), timeoutMs);
      const check = () => {
        if (this.socketCount() >= n) {
          clearTimeout(t);
          resolve();
        } else this.connectionWaiters.push(check);
      };
      check();
    });
  }

  /** Drop every Socket Mode connection: abruptly (TCP reset) or with Slack's `disconnect` message. */
  dropSockets(mode: 'terminate' | 'disconnect' = 'terminate'): void {
    for (const s of this.sockets) {
      if (mode === 'terminate') s.terminate();
      else s.send(JSON.stringify({ type: 'disconnect', reason: 'refresh_requested', debug_info: { host: 'fake' } }));
    }
  }

  /** Un-acked envelopes (redelivered on the next connection). */
  pendingCount(): number {
    return this.pending.size;
  }

  nextTs(): string {
    // Slack ts: seconds.microseconds, unique per channel; keep them globally increasing.
    const now = Date.now() * 1000;
    this.lastTs = Math.max(now, this.lastTs + 1);
    const s = String(this.lastTs);
    return `${s.slice(0, 10)}.${s.slice(10, 16).padEnd(6, '0')}`;
  }

  private id(prefix: string): string {
    this.seq += 1;
    return prefix + String(this.seq).padStart(8, '0') + randomBytes(2).toString('hex').toUpperCase();
  }

  // ------------------------------------------------------------------ inbound to the app

  /** The payload fields of a slash command (same for Socket Mode and HTTP). */
  slashCommandFields(input: SlashCommandInput): Record<string, string> {
    const key = randomBytes(8).toString('hex');
    this.responseUrls.set(key, 0);
    return {
      token: 'deprecated-verification-token',
      team_id: this.teamId,
      team_domain: 'fake',
      channel_id: input.channel_id ?? [...this.channels.keys()][0],
      channel_name: input.channel_name ?? 'astran',
      user_id: input.user_id ?? 'U0ALICE',
      user_name: input.user_name ?? 'alice',
      command: input.command ?? '/astran',
      text: input.text,
      api_app_id: this.appId,
      is_enterprise_install: 'false',
      response_url: `${this.origin}/respond/${key}`,
      trigger_id: input.trigger_id ?? `${Date.now()}.${this.seq++}.${randomBytes(8).toString('hex')}`,
    };
  }

  /** Send a slash command to the app; resolves with the ack (Socket Mode) or the HTTP response. */
  async slashCommand(input: SlashCommandInput): Promise<{ fields: Record<string, string>; ack: EnvelopeAck | HttpDelivery }> {
    const fields = this.slashCommandFields(input);
    if (this.eventTarget.kind === 'http') {
      const body = new URLSearchParams(fields).toString();
      return { fields, ack: await this.signedPost(this.eventTarget.url, body, 'application/x-www-form-urlencoded', this.eventTarget.signingSecret) };
    }
    return { fields, ack: await this.sendEnvelope('slash_commands', fields, true) };
  }

  eventCallback(event: Record<string, unknown>): Record<string, unknown> {
    return {
      token: 'deprecated-verification-token',
      team_id: this.teamId,
      api_app_id: this.appId,
      event,
      type: 'event_callback',
      event_id: this.id('Ev'),
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ enterprise_id: null, team_id: this.teamId, user_id: this.botUserId, is_bot: true, is_enterprise_install: false }],
      is_ext_shared_channel: false,
      event_context: randomBytes(12).toString('hex'),
    };
  }

  /** Deliver an Events API event to the app. */
  async sendEvent(event: Record<string, unknown>): Promise<EnvelopeAck | HttpDelivery> {
    const payload = this.eventCallback(event);
    if (this.eventTarget.kind === 'http') {
      return this.signedPost(this.eventTarget.url, JSON.stringify(payload), 'application/json', this.eventTarget.signingSecret);
    }
    return this.sendEnvelope('events_api', payload, false);
  }

  /**
   * A user (or another bot) types a message: it is stored and the app receives `message` and, when
   * it mentions the bot, `app_mention` — only for channels the bot is in, as with Slack.
   */
  async userMessage(input: UserMessageInput): Promise<{ ts: string; deliveries: (EnvelopeAck | HttpDelivery)[] }> {
    const ts = this.nextTs();
    let threadTs = input.thread_ts;
    if (threadTs) {
      const parent = this.messages.find((m) => m.channel === input.channel && m.ts === threadTs);
      if (parent?.threadTs) threadTs = parent.threadTs;
    }
    this.messages.push({ channel: input.channel, ts, text: input.text, user: input.user, botId: input.botId, threadTs, edits: [], files: [] });
    const ch = this.channels.get(input.channel);
    if (!ch?.member) return { ts, deliveries: [] };
    const base: Record<string, unknown> = {
      user: input.user,
      text: input.text,
      ts,
      channel: input.channel,
      event_ts: ts,
      ...(threadTs ? { thread_ts: threadTs, parent_user_id: this.botUserId } : {}),
    };
    const msgEvent: Record<string, unknown> = input.botId
      ? { type: 'message', subtype: 'bot_message', bot_id: input.botId, ...base, channel_type: 'channel' }
      : { type: 'message', client_msg_id: randomBytes(8).toString('hex'), ...base, channel_type: 'channel' };
    const deliveries = [this.sendEvent(msgEvent)];
    if (input.text.includes(`<@${this.botUserId}>`)) {
      deliveries.push(this.sendEvent({ type: 'app_mention', ...base, ...(input.botId ? { bot_id: input.botId } : {}) }));
    }
    // Nobody connected: the envelopes stay queued for the next connection; do not block the caller.
    if (this.eventTarget.kind === 'socket' && this.socketCount() === 0) {
      for (const d of deliveries) void d.catch(() => undefined);
      return { ts, deliveries: [] };
    }
    return { ts, deliveries: await Promise.all(deliveries) };
  }

  /** POST a signed request like Slack does in HTTP mode. `over` lets tests forge headers. */
  async signedPost(
    url: string,
    body: string,
    contentType: string,
    secret: string,
    over: { timestamp?: number; signature?: string; headers?: Record<string, string> } = {},
  ): Promise<HttpDelivery> {
    const ts = over.timestamp ?? Math.floor(Date.now() / 1000);
    const sig = over.signature ?? slackSignature(secret, ts, body);
    const t0 = performance.now();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': contentType, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig, ...over.headers },
      body,
    });
    const text = await res.text();
    return { status: res.status, body: text, ms: performance.now() - t0 };
  }

  private sendEnvelope(type: string, payload: Record<string, unknown>, acceptsResponse: boolean): Promise<EnvelopeAck> {
    const envelope_id = randomBytes(16).toString('hex');
    const envelope: PendingEnvelope['envelope'] = { envelope_id, type, payload, accepts_response_payload: acceptsResponse };
    if (type === 'events_api') Object.assign(envelope, { retry_attempt: 0, retry_reason: '' });
    return new Promise((resolve) => {
      const p: PendingEnvelope = { envelope, firstSentAt: performance.now(), attempts: 0, socket: null, resolve };
      this.pending.set(envelope_id, p);
      this.deliver(p);
    });
  }

  private deliver(p: PendingEnvelope): void {
    const open = [...this.sockets].filter((s) => s.readyState === WebSocket.OPEN && (s as WebSocket & { helloSent?: boolean }).helloSent);
    if (open.length === 0) return; // queued until a connection says hello
    const s = open[Math.floor(Math.random() * open.length)];
    p.attempts += 1;
    if (p.attempts > 1) this.redeliveries += 1;
    p.socket = s;
    if (p.envelope.type === 'events_api' && p.attempts > 1) {
      // Slack marks redeliveries of events with a retry count and reason.
      p.envelope.retry_attempt = p.attempts - 1;
      p.envelope.retry_reason = 'timeout';
    }
    s.send(JSON.stringify(p.envelope));
  }

  private onSocket(ws: WebSocket): void {
    this.connectionsOpened += 1;
    this.sockets.add(ws);
    ws.on('message', (data) => {
      let msg: { envelope_id?: unknown; payload?: unknown };
      try {
        msg = JSON.parse(String(data));
      } catch {
        return;
      }
      if (typeof msg.envelope_id !== 'string') return;
      const p = this.pending.get(msg.envelope_id);
      if (!p) return; // late or duplicate ack: Slack ignores it
      this.pending.delete(msg.envelope_id);
      const ack: EnvelopeAck = {
        envelopeId: msg.envelope_id,
        type: p.envelope.type,
        payload: msg.payload ?? null,
        ms: performance.now() - p.firstSentAt,
        attempts: p.attempts,
      };
      this.acks.push(ack);
      p.resolve(ack);
    });
    ws.on('close', () => {
      this.sockets.delete(ws);
      for (const p of this.pending.values()) if (p.socket === ws) p.socket = null;
    });
    ws.on('error', () => undefined);
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.socketCount(),
        debug_info: { host: 'fake-slack', approximate_connection_time: 18060 },
        connection_info: { app_id: this.appId },
      }),
    );
    (ws as WebSocket & { helloSent?: boolean }).helloSent = true;
    // Redeliver everything not acked (its socket is gone) or queued while nobody was connected.
    for (const p of this.pending.values()) if (p.socket === null) this.deliver(p);
    const waiters = this.connectionWaiters.splice(0);
    for (const w of waiters) w();
  }

  // ------------------------------------------------------------------ HTTP routing

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://x');
    const raw = await readBody(req);
    if (this.outage) {
      // An incident: Slack's edge answers 503 with an HTML page, whatever was asked.
      res.writeHead(503, { 'content-type': 'text/html' });
      res.end('<html><body>Service Unavailable</body></html>');
      return;
    }
    if (req.method === 'POST' && u.pathname.startsWith('/api/')) {
      const method = u.pathname.slice(5);
      const limit = this.limits.get(method);
      if (limit && limit.times > 0) {
        limit.times--;
        this.calls.push({ method, at: Date.now(), token: bearer(req), contentType: String(req.headers['content-type'] ?? ''), args: {}, ok: false, error: 'ratelimited', warnings: [], status: 429 });
        res.writeHead(429, { 'content-type': 'application/json; charset=utf-8', 'retry-after': String(limit.retryAfterS) });
        res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
        return;
      }
      const out = await this.api(method, req, raw);
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(out));
      return;
    }
    if (req.method === 'POST' && u.pathname.startsWith('/upload/')) {
      const id = u.pathname.slice(8);
      const f = this.files.get(id);
      if (!f) {
        res.writeHead(404);
        res.end('not found');
        return;
      }
      f.bytes = await uploadedBytes(req, raw);
      this.calls.push({ method: 'upload', at: Date.now(), token: bearer(req), contentType: req.headers['content-type'] ?? '', args: { file_id: id, bytes: f.bytes.length }, ok: true, warnings: [] });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`OK - ${f.bytes.length}`);
      return;
    }
    if (req.method === 'POST' && u.pathname.startsWith('/respond/')) {
      const key = u.pathname.slice(9);
      const used = this.responseUrls.get(key);
      // response_url: up to 5 uses (Slack docs); JSON body.
      if (used === undefined || used >= 5) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end(used === undefined ? 'invalid_url' : 'used_url');
        return;
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        res.writeHead(400);
        res.end('invalid_payload');
        return;
      }
      if (typeof body.text !== 'string' && !Array.isArray(body.blocks)) {
        res.writeHead(400);
        res.end('no_text');
        return;
      }
      this.responseUrls.set(key, used + 1);
      this.responseUrlPosts.push({ key, body, at: Date.now() });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      return;
    }
    res.writeHead(404);
    res.end();
  }

  private async api(method: string, req: IncomingMessage, raw: Buffer): Promise<Record<string, unknown>> {
    const ct = String(req.headers['content-type'] ?? '');
    let args: Record<string, unknown> = {};
    if (ct.startsWith('application/json')) {
      try {
        args = JSON.parse(raw.toString('utf8') || '{}');
      } catch {
        return this.record(method, null, ct, {}, 'invalid_json');
      }
    } else if (ct.startsWith('multipart/form-data')) {
      const fd = await new Request('http://x', { method: 'POST', headers: { 'content-type': ct }, body: new Uint8Array(raw) }).formData();
      for (const [k, v] of fd.entries()) args[k] = typeof v === 'string' ? v : `<file ${v.size} bytes>`;
    } else {
      for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) args[k] = v;
    }
    const token = bearer(req) ?? (typeof args.token === 'string' ? args.token : null);
    const safeArgs = { ...args };
    delete safeArgs.token;
    const fail = (error: string, warnings: string[] = []) => this.record(method, token, ct, safeArgs, error, warnings);
    if (!token) return fail('not_authed');
    if (token !== this.botToken && token !== this.appToken) return fail('invalid_auth');
    if (method === 'apps.connections.open') {
      if (token !== this.appToken) return fail('not_allowed_token_type');
    } else if (token === this.appToken && method !== 'auth.test') return fail('not_allowed_token_type');

    // Recorded, then answered as Slack would (its own checks below): close() fails a test that made such a call.
    this.schemaViolations.push(...checkSlackCall(method, safeArgs));
    const warnings: string[] = [];
    const ok = (extra: Record<string, unknown>) => {
      this.record(method, token, ct, safeArgs, undefined, warnings);
      return { ok: true, ...extra };
    };
    const str = (k: string) => (typeof args[k] === 'string' ? (args[k] as string) : typeof args[k] === 'number' ? String(args[k]) : undefined);

    switch (method) {
      case 'auth.test':
        return ok({ url: 'https://fake.slack.com/', team: 'Fake', user: 'astran', team_id: this.teamId, user_id: this.botUserId, bot_id: this.botId, is_enterprise_install: false });
      case 'apps.connections.open': {
        const ticket = randomBytes(12).toString('hex');
        this.tickets.add(ticket);
        return ok({ url: `${this.origin.replace('http', 'ws')}/link/?ticket=${ticket}` });
      }
      case 'chat.postMessage': {
        // A user id as the channel posts into the app's direct message with that user (Slack answers with the DM's id).
        const channel = this.directMessage(str('channel'));
        const chErr = this.channelError(channel);
        if (chErr) return fail(chErr);
        const text = str('text');
        if (!text && !args.blocks && !args.attachments) return fail('no_text');
        if (text && text.length > 40000) return fail('msg_too_long');
        const thread = this.resolveThread(channel!, str('thread_ts'), warnings);
        if (thread.error) return fail(thread.error, warnings);
        const ts = this.nextTs();
        const m: FakeMessage = { channel: channel!, ts, text: text ?? '', user: this.botUserId, botId: this.botId, threadTs: thread.root, edits: [], files: [] };
        this.messages.push(m);
        const res = ok({ channel, ts, message: { type: 'message', text: m.text, user: m.user, bot_id: m.botId, ts, ...(m.threadTs ? { thread_ts: m.threadTs } : {}) } });
        // Posts made with a bot token come back as plain `message` events carrying bot_id/app_id.
        this.echo({ type: 'message', bot_id: this.botId, app_id: this.appId, user: this.botUserId, text: m.text, ts, channel, event_ts: ts, channel_type: 'channel', ...(m.threadTs ? { thread_ts: m.threadTs } : {}) });
        return res;
      }
      case 'chat.update': {
        const channel = str('channel');
        const chErr = this.channelError(channel, false);
        if (chErr) return fail(chErr);
        const ts = str('ts');
        const m = this.messages.find((x) => x.channel === channel && x.ts === ts);
        if (!m) return fail('message_not_found');
        if (m.user !== this.botUserId) return fail('cant_update_message');
        const text = str('text');
        if (!text && !args.blocks && !args.attachments) return fail('no_text');
        m.edits.push(m.text);
        m.text = text ?? '';
        return ok({ channel, ts, text: m.text });
      }
      case 'chat.postEphemeral': {
        const channel = str('channel');
        const chErr = this.channelError(channel);
        if (chErr) return fail(chErr);
        const user = str('user');
        if (!user) return fail('user_not_in_channel');
        const text = str('text');
        if (!text && !args.blocks && !args.attachments) return fail('no_text');
        const thread = this.resolveThread(channel!, str('thread_ts'), warnings);
        if (thread.error) return fail(thread.error, warnings);
        const ts = this.nextTs();
        this.ephemerals.push({ channel: channel!, user, text: text ?? '', threadTs: thread.root, ts });
        return ok({ message_ts: ts });
      }
      case 'files.getUploadURLExternal': {
        const filename = str('filename');
        const length = Number(str('length'));
        if (!filename || !Number.isInteger(length) || length <= 0) return fail('invalid_arguments');
        const id = this.id('F');
        this.files.set(id, { id, filename, length, altText: str('alt_text'), bytes: null, channel: null, threadTs: null, completed: false });
        return ok({ upload_url: `${this.origin}/upload/${id}`, file_id: id });
      }
      case 'files.completeUploadExternal': {
        let list: { id?: unknown; title?: unknown }[];
        try {
          list = typeof args.files === 'string' ? JSON.parse(args.files) : (args.files as typeof list);
        } catch {
          return fail('invalid_arguments');
        }
        if (!Array.isArray(list) || list.length === 0) return fail('invalid_arguments');
        const channel = str('channel_id') ?? str('channels');
        if (channel !== undefined) {
          const chErr = this.channelError(channel);
          if (chErr) return fail(chErr);
        }
        const threadTsArg = str('thread_ts');
        if (threadTsArg && channel === undefined) return fail('invalid_arguments');
        const thread = channel ? this.resolveThread(channel, threadTsArg, warnings) : { root: undefined };
        if (thread.error) return fail(thread.error, warnings);
        const done: FakeFile[] = [];
        for (const item of list) {
          const f = typeof item.id === 'string' ? this.files.get(item.id) : undefined;
          if (!f || f.bytes === null) return fail('file_not_found');
          if (f.bytes.length !== f.length) warnings.push(`length_mismatch:${f.id}`);
          done.push(f);
        }
        for (const f of done) {
          f.completed = true;
          f.title = typeof list.find((x) => x.id === f.id)?.title === 'string' ? String(list.find((x) => x.id === f.id)!.title) : f.filename;
          f.channel = channel ?? null;
          f.threadTs = thread.root ?? null;
        }
        return ok({ files: done.map((f) => ({ id: f.id, name: f.filename, title: f.title })) });
      }
      default:
        return fail('unknown_method');
    }
  }

  /** `U…`/`W…` → the app's DM channel with that user (`D…`, created on first use); any other id unchanged. */
  private directMessage(channel: string | undefined): string | undefined {
    if (!channel || !/^[UW][A-Z0-9]{2,}$/.test(channel)) return channel;
    const dm = `D${channel.slice(1)}`;
    if (!this.channels.has(dm)) this.channels.set(dm, { member: true });
    return dm;
  }

  private channelError(channel: string | undefined, needMember = true): string | undefined {
    if (!channel) return 'channel_not_found';
    const c = this.channels.get(channel);
    if (!c) return 'channel_not_found';
    if (needMember && !c.member) return 'not_in_channel';
    return undefined;
  }

  /** thread_ts checks: malformed → invalid_thread_ts; unknown → thread_not_found; a reply → its root (+warning). */
  private resolveThread(channel: string, threadTs: string | undefined, warnings: string[]): { root?: string; error?: string } {
    if (threadTs === undefined || threadTs === '') return {};
    if (!TS_RE.test(threadTs)) return { error: 'invalid_thread_ts' };
    const parent = this.messages.find((m) => m.channel === channel && m.ts === threadTs);
    if (!parent) return { error: 'thread_not_found' };
    if (parent.threadTs) {
      warnings.push('thread_ts_not_root');
      return { root: parent.threadTs };
    }
    return { root: threadTs };
  }

  private record(method: string, token: string | null, contentType: string, args: Record<string, unknown>, error?: string, warnings: string[] = []): Record<string, unknown> {
    this.calls.push({ method, at: Date.now(), token, contentType, args, ok: !error, error, warnings });
    return error ? { ok: false, error } : { ok: true };
  }

  private echo(event: Record<string, unknown>): void {
    if (!this.echoBotMessages) return;
    if (this.eventTarget.kind === 'socket' && this.sockets.size === 0) return;
    void this.sendEvent(event).catch(() => undefined);
  }

  /** Messages in a thread (root excluded), oldest first. */
  threadReplies(channel: string, rootTs: string): FakeMessage[] {
    return this.messages.filter((m) => m.channel === channel && m.threadTs === rootTs);
  }

  filesInThread(channel: string, rootTs: string): FakeFile[] {
    return [...this.files.values()].filter((f) => f.completed && f.channel === channel && f.threadTs === rootTs);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    this.wss.close();
    await new Promise<void>((r) => {
      this.server.close(() => r());
      this.server.closeAllConnections();
    });
    // Every call an adapter made must fit the Web API reference (webApiSchemas.ts); tests of the fake itself that
    // send bad arguments on purpose read and clear schemaViolations first.
    if (this.schemaViolations.length) throw new Error(`Web API calls outside Slack's reference:\n${this.schemaViolations.join('\n')}`);
  }
}

function bearer(req: IncomingMessage): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)$/.exec(h);
  return m ? m[1] : null;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The upload URL takes the raw bytes or a multipart form (what @slack/web-api sends). */
async function uploadedBytes(req: IncomingMessage, raw: Buffer): Promise<Buffer> {
  const ct = String(req.headers['content-type'] ?? '');
  if (!ct.startsWith('multipart/form-data')) return raw;
  const fd = await new Request('http://x', { method: 'POST', headers: { 'content-type': ct }, body: new Uint8Array(raw) }).formData();
  for (const [, v] of fd.entries()) if (typeof v !== 'string') return Buffer.from(await v.arrayBuffer());
  for (const [, v] of fd.entries()) return Buffer.from(String(v));
  return Buffer.alloc(0);
}

/** Start a fake Slack on a free loopback port. */
export async function startFakeSlack(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
  const f = new FakeSlack(opts);
  await f.listen();
  return f;
}
