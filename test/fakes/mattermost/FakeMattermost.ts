/**
 * A faithful-enough fake of the Mattermost server for contract tests: REST v4 (users/me, posts,
 * patch, threads, channel posts with `since`, file upload, response_url hooks) and the WebSocket
 * event stream (/api/v4/websocket: Authorization header or `authentication_challenge`, `hello`,
 * `posted`/`post_edited` with `data.post` as a JSON string, per-connection `seq`).
 *
 * Behaviour follows the server sources (server/channels/api4/post.go, app/post.go, model/post.go):
 * errors are AppError JSON `{id, message, detailed_error, request_id, status_code}`; a reply's
 * root_id must name a root post in the same channel; at most 5 file ids; messages of at most
 * 16,383 runes; `since` returns posts with update_at > since, newest first. Every call is recorded.
 */
import { ENDPOINTS, issuesOf } from './apiSchemas.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';

export const FAKE_MAX_POST_RUNES = 16_383;
export const FAKE_MAX_FILES_PER_POST = 5;

export interface FakeUser {
  id: string;
  username: string;
  is_bot: boolean;
  token: string;
}

export interface FakeChannel {
  id: string;
  team_id: string;
  name: string;
  display_name: string;
  type: 'O' | 'P' | 'D';
  members: Set<string>;
}

export interface FakePost {
  id: string;
  create_at: number;
  update_at: number;
  edit_at: number;
  delete_at: number;
  is_pinned: boolean;
  user_id: string;
  channel_id: string;
  root_id: string;
  original_id: string;
  message: string;
  type: string;
  props: Record<string, unknown>;
  hashtags: string;
  file_ids: string[];
  pending_post_id: string;
  reply_count: number;
  metadata: Record<string, unknown>;
}

export interface FakeFile {
  id: string;
  user_id: string;
  channel_id: string;
  post_id: string;
  name: string;
  mime_type: string;
  size: number;
  data: Buffer;
  create_at: number;
}

export interface FakeCall {
  method: string;
  path: string;
  query: Record<string, string>;
  /** ok: a valid token; missing/invalid otherwise. */
  auth: 'ok' | 'missing' | 'invalid';
  userId?: string;
  status: number;
  body?: unknown;
  /** For errors: the AppError id returned. */
  errorId?: string;
}

export interface SlashResult {
  status: number;
  body: unknown;
  elapsedMs: number;
}

export interface FakeMattermostOptions {
  /** Extra latency added to every REST answer (ms). */
  latencyMs?: number;
}

interface Conn {
  ws: WebSocket;
  userId: string | null;
  seq: number;
  connectionId: string;
}

class HttpError extends Error {
  constructor(readonly status: number, readonly id: string, message: string, readonly detailed = '') {
    super(message);
  }
}

/** 26-character lowercase ids, like model.NewId. */
export function newId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(26);
  let s = '';
  for (const b of bytes) s += alphabet[b % alphabet.length];
  return s;
}

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export class FakeMattermost {
  readonly calls: FakeCall[] = [];
  private readonly limits: { method: string; path: RegExp; times: number; retryAfterS: number }[] = [];
  /** Requests that do not fit Mattermost's OpenAPI description (apiSchemas.ts); contract tests expect none. */
  readonly schemaViolations: string[] = [];

  /** Recorded, then answered as Mattermost would (the fake's own checks): the rig's close() fails such a test. */
  private violation(what: string, issues: string[]): void {
    this.schemaViolations.push(...issues.map((i) => `${what} ${i}`));
  }

  /** Check a request against the endpoint's schema; an endpoint ASTRAN is not described to call is a violation too. */
  private checkRequest(method: string, p: string, body: unknown, query: URLSearchParams): void {
    const ep = ENDPOINTS.find((e) => e.method === method && e.path.test(p));
    if (!ep) return this.violation(`${method} ${p}`, ['not an endpoint ASTRAN is described to call']);
    if (ep.body && body !== undefined) {
      const issues = issuesOf(ep.body.safeParse(body));
      if (issues.length) this.violation(`${method} ${p}`, issues);
    }
    if (ep.query) {
      const issues = issuesOf(ep.query.safeParse(Object.fromEntries(query)));
      if (issues.length) this.violation(`${method} ${p}?`, issues);
    }
  }

  /**
   * The next `times` requests matching `method` and `path` (under /api/v4) are refused as Mattermost's rate limiter
   * does: HTTP 429, `Retry-After` and `X-Ratelimit-*` headers, a plain-text "limit exceeded" body.
   */
  rateLimit(method: string, path: RegExp, times = 1, retryAfterS = 1): void {
    this.limits.push({ method, path, times, retryAfterS });
  }
  readonly users = new Map<string, FakeUser>();
  readonly channels = new Map<string, FakeChannel>();
  readonly posts = new Map<string, FakePost>();
  readonly files = new Map<string, FakeFile>();
  /** Bodies POSTed to response_url hooks (delayed slash-command answers). */
  readonly hookResponses: { hookId: string; body: unknown }[] = [];
  readonly team = { id: newId(), name: 'lst' };
  readonly bot: FakeUser;
  readonly alice: FakeUser;
  readonly bob: FakeUser;
  readonly otherBot: FakeUser;
  readonly channel: FakeChannel;

  private server: Server | null = null;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly conns = new Set<Conn>();
  private wsAvailable = true;
  private loseEvents = 0;
  private headerAuth = true;
  private lastMillis = 0;
  private readonly hooks = new Map<string, { userId: string; channelId: string }>();

  constructor(private readonly opts: FakeMattermostOptions = {}) {
    this.bot = this.addUser('astran', true);
    this.alice = this.addUser('alice', false);
    this.bob = this.addUser('bob', false);
    this.otherBot = this.addUser('otherbot', true);
    this.channel = this.addChannel('lst-analysis');
  }

  // ---------- setup helpers ----------

  addUser(username: string, isBot: boolean): FakeUser {
    const u: FakeUser = { id: newId(), username, is_bot: isBot, token: newId() };
    this.users.set(u.id, u);
    return u;
  }

  /** A public channel; every existing user is a member unless `members` is given. */
  addChannel(name: string, members?: FakeUser[]): FakeChannel {
    const c: FakeChannel = {
      id: newId(),
      team_id: this.team.id,
      name,
      display_name: name,
      type: 'O',
      members: new Set((members ?? [...this.users.values()]).map((u) => u.id)),
    };
    this.channels.set(c.id, c);
    return c;
  }

  get url(): string {
    const a = this.server?.address() as AddressInfo | null;
    if (!a) throw new Error('fake not started');
    return `http://127.0.0.1:${a.port}`;
  }

  async listen(): Promise<void> {
    const server = createServer((req, res) => void this.onRequest(req, res));
    server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
  }

  async close(): Promise<void> {
    for (const c of this.conns) c.ws.terminate();
    this.conns.clear();
    this.wss.close();
    const s = this.server;
    this.server = null;
    if (s) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  }

  // ---------- test controls ----------

  /** Drop every WebSocket connection (as a network cut or server restart would). */
  dropWebSockets(): void {
    for (const c of this.conns) c.ws.terminate();
    this.conns.clear();
  }

  private outage = false;

  /** A Mattermost outage (server or proxy down): every request answers 503 and WebSockets drop, until `up()`. */
  down(): void {
    this.outage = true;
    this.setWebSocketAvailable(false);
  }

  up(): void {
    this.outage = false;
    this.setWebSocketAvailable(true);
  }

  /** While false, WebSocket upgrades are refused with 503 (REST keeps working). */
  setWebSocketAvailable(available: boolean): void {
    this.wsAvailable = available;
    if (!available) this.dropWebSockets();
  }

  /** When false, the Authorization header of WebSocket upgrades is dropped (a proxy stripping it). */
  setWebSocketHeaderAuth(enabled: boolean): void {
    this.headerAuth = enabled;
  }

  /** The next `n` broadcast events are lost in transit: their seq numbers are used but nothing is sent. */
  loseNextEvents(n = 1): void {
    this.loseEvents += n;
  }

  /** Number of authenticated WebSocket connections. */
  get socketCount(): number {
    return [...this.conns].filter((c) => c.userId !== null && c.ws.readyState === c.ws.OPEN).length;
  }

  /** Post as `user`, exactly as the REST endpoint would (validation, broadcast). */
  userPost(user: FakeUser, channelId: string, message: string, rootId = ''): FakePost {
    return this.createPost(user, { channel_id: channelId, message, root_id: rootId });
  }

  /** Root post and replies of a thread, oldest first. */
  thread(rootId: string): FakePost[] {
    return [...this.posts.values()]
      .filter((p) => (p.id === rootId || p.root_id === rootId) && p.delete_at === 0 && p.original_id === '')
      .sort((a, b) => a.create_at - b.create_at);
  }

  /** Posts by `user`, oldest first. */
  postsBy(user: FakeUser): FakePost[] {
    return [...this.posts.values()].filter((p) => p.user_id === user.id && p.original_id === '').sort((a, b) => a.create_at - b.create_at);
  }

  /**
   * Run a custom slash command the way the server does: form-encoded POST to the command URL with
   * `Authorization: Token <token>`, a response_url hook, and the server's timeout.
   */
  async slashCommand(target: string, o: { token: string; user?: FakeUser; channel?: FakeChannel; text: string; command?: string; timeoutMs?: number; /** Replays: send this trigger_id again. */ triggerId?: string }): Promise<SlashResult> {
    const user = o.user ?? this.alice;
    const channel = o.channel ?? this.channel;
    const hookId = newId();
    this.hooks.set(hookId, { userId: user.id, channelId: channel.id });
    const form = new URLSearchParams({
      channel_id: channel.id,
      channel_name: channel.name,
      command: o.command ?? '/astran',
      response_url: `${this.url}/hooks/commands/${hookId}`,
      team_domain: this.team.name,
      team_id: this.team.id,
      text: o.text,
      token: o.token,
      trigger_id: o.triggerId ?? newId(),
      user_id: user.id,
      user_name: user.username,
    });
    const t0 = performance.now();
    const r = await fetch(target, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json', Authorization: `Token ${o.token}` },
      body: form.toString(),
      signal: AbortSignal.timeout(o.timeoutMs ?? 30_000),
    });
    const text = await r.text();
    const elapsedMs = performance.now() - t0;
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* keep text */
    }
    return { status: r.status, body, elapsedMs };
  }

  // ---------- internals ----------

  private now(): number {
    // Strictly increasing milliseconds so create_at orders posts unambiguously.
    this.lastMillis = Math.max(Date.now(), this.lastMillis + 1);
    return this.lastMillis;
  }

  private userByToken(h: string | undefined): { auth: FakeCall['auth']; user?: FakeUser } {
    if (!h) return { auth: 'missing' };
    const m = /^(bearer|token)\s+(\S+)$/i.exec(h.trim());
    if (!m) return { auth: 'invalid' };
    const user = [...this.users.values()].find((u) => u.token === m[2]);
    return user ? { auth: 'ok', user } : { auth: 'invalid' };
  }

  private sendJson(res: ServerResponse, status: number, body: unknown): void {
    const data = JSON.stringify(body);
    // Exactly "application/json": Client4 compares the header verbatim to decide to parse JSON.
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data), 'X-Version-Id': '10.11.0.fake' });
    res.end(data);
  }

  private async readBody(req: IncomingMessage): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const c of req) parts.push(c as Buffer);
    return Buffer.concat(parts);
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const call: FakeCall = { method: req.method ?? 'GET', path: u.pathname, query: Object.fromEntries(u.searchParams), auth: 'missing', status: 0 };
    if (this.outage) {
      res.writeHead(503, { 'content-type': 'text/html', connection: 'close' });
      res.end('<html><body>503 Service Unavailable</body></html>');
      return;
    }
    this.calls.push(call);
    try {
      if (this.opts.latencyMs) await new Promise((r) => setTimeout(r, this.opts.latencyMs));
      const raw = await this.readBody(req);
      const hook = /^\/hooks\/commands\/([a-z0-9]{26})$/.exec(u.pathname);
      if (hook && req.method === 'POST') {
        // Incoming response_url posts are authorised by the unguessable hook id, not a token.
        if (!this.hooks.has(hook[1])) throw new HttpError(404, 'web.command_webhook.invalid.app_error', 'Invalid webhook.');
        const body = JSON.parse(raw.toString('utf8') || '{}');
        call.body = body;
        this.hookResponses.push({ hookId: hook[1], body });
        call.status = 200;
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('ok');
        return;
      }
      if (!u.pathname.startsWith('/api/v4/')) throw new HttpError(404, 'api.context.404.app_error', 'Sorry, we could not find the page.');
      const limit = this.limits.find((l) => l.times > 0 && l.method === req.method && l.path.test(u.pathname.slice('/api/v4'.length)));
      if (limit) {
        limit.times--;
        call.status = 429;
        res.writeHead(429, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': String(limit.retryAfterS), 'X-Ratelimit-Limit': '10', 'X-Ratelimit-Remaining': '0', 'X-Ratelimit-Reset': String(limit.retryAfterS) });
        res.end('limit exceeded\n');
        return;
      }
      const who = this.userByToken(req.headers.authorization);
      call.auth = who.auth;
      call.userId = who.user?.id;
      if (!who.user) throw new HttpError(401, 'api.context.session_expired.app_error', 'Invalid or expired session, please login again.');
      const { status, body } = await this.route(req.method ?? 'GET', u, raw, String(req.headers['content-type'] ?? ''), who.user, call);
      call.status = status;
      this.sendJson(res, status, body);
    } catch (err) {
      const e = err instanceof HttpError ? err : new HttpError(500, 'app.fake.internal', (err as Error).message);
      call.status = e.status;
      call.errorId = e.id;
      this.sendJson(res, e.status, { id: e.id, message: e.message, detailed_error: e.detailed, request_id: newId(), status_code: e.status });
    }
  }

  private json(raw: Buffer): Record<string, unknown> {
    try {
      const v = JSON.parse(raw.toString('utf8'));
      if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      /* fall through */
    }
    throw new HttpError(400, 'api.context.invalid_body_param.app_error', 'Invalid or missing body in request body.');
  }

  private async route(method: string, u: URL, raw: Buffer, ctype: string, user: FakeUser, call: FakeCall): Promise<{ status: number; body: unknown }> {
    const p = u.pathname.slice('/api/v4'.length);
    let m: RegExpExecArray | null;
    if (method === 'GET' && (m = /^\/users\/([a-z0-9]{26}|me)$/.exec(p))) {
      const target = m[1] === 'me' ? user : this.users.get(m[1]);
      if (!target) throw new HttpError(404, 'app.user.missing_account.const', 'Unable to find the user.');
      return { status: 200, body: this.userJson(target) };
    }
    if (!(method === 'POST' && p === '/files')) {
      let body: unknown;
      if (method !== 'GET') {
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          body = undefined; // the route answers the bad body as Mattermost does
        }
      }
      this.checkRequest(method, p, body, u.searchParams);
    }
    if (method === 'POST' && p === '/channels/direct') {
      // server/channels/api4/channel.go createDirectChannel: two user ids, the caller one of them; idempotent.
      let ids: unknown;
      try {
        ids = JSON.parse(raw.toString('utf8'));
      } catch {
        ids = undefined;
      }
      call.body = ids;
      if (!Array.isArray(ids) || ids.length !== 2 || !ids.every((i) => typeof i === 'string' && this.users.has(i))) throw new HttpError(400, 'api.context.invalid_body_param.app_error', 'Invalid or missing user_ids in request body.');
      if (!ids.includes(user.id)) throw new HttpError(403, 'api.context.permissions.app_error', 'You do not have the appropriate permissions.');
      const name = [...ids].sort().join('__');
      let dm = [...this.channels.values()].find((c) => c.type === 'D' && c.name === name);
      if (!dm) {
        dm = { id: newId(), team_id: '', name, display_name: '', type: 'D', members: new Set(ids as string[]) };
        this.channels.set(dm.id, dm);
      }
      return { status: 201, body: { id: dm.id, team_id: '', type: 'D', name: dm.name, display_name: '', create_at: 0, update_at: 0, delete_at: 0 } };
    }
    if (method === 'POST' && p === '/posts') {
      const body = this.json(raw);
      call.body = body;
      return { status: 201, body: this.createPost(user, body) };
    }
    if (method === 'GET' && (m = /^\/posts\/([a-z0-9]{26})$/.exec(p))) {
      const post = this.readablePost(user, m[1]);
      return { status: 200, body: post };
    }
    if (method === 'PUT' && (m = /^\/posts\/([a-z0-9]{26})\/patch$/.exec(p))) {
      const body = this.json(raw);
      call.body = body;
      return { status: 200, body: this.patchPost(user, m[1], body) };
    }
    if (method === 'GET' && (m = /^\/posts\/([a-z0-9]{26})\/thread$/.exec(p))) {
      const post = this.readablePost(user, m[1]);
      const rootId = post.root_id || post.id;
      const list = this.thread(rootId);
      const order = [post.id, ...list.filter((x) => x.id !== post.id).map((x) => x.id)];
      return { status: 200, body: { order, posts: Object.fromEntries(list.map((x) => [x.id, x])), next_post_id: '', prev_post_id: '', has_next: false } };
    }
    if (method === 'GET' && (m = /^\/channels\/([a-z0-9]{26})\/posts$/.exec(p))) {
      return { status: 200, body: this.channelPosts(user, m[1], u.searchParams) };
    }
    if (method === 'POST' && p === '/files') {
      const r = await this.uploadFiles(user, raw, ctype, u.searchParams, call);
      return { status: 201, body: r };
    }
    throw new HttpError(404, 'api.context.404.app_error', 'Sorry, we could not find the page.');
  }

  private userJson(u: FakeUser): Record<string, unknown> {
    return { id: u.id, username: u.username, is_bot: u.is_bot, roles: 'system_user', create_at: 0, update_at: 0, delete_at: 0, email: u.is_bot ? '' : `${u.username}@example.org`, nickname: '', first_name: '', last_name: '', locale: 'en' };
  }

  private memberChannel(user: FakeUser, channelId: unknown, paramName: string): FakeChannel {
    if (typeof channelId !== 'string' || !/^[a-z0-9]{26}$/.test(channelId)) {
      throw new HttpError(400, 'api.context.invalid_param.app_error', `Invalid ${paramName} parameter.`);
    }
    const c = this.channels.get(channelId);
    if (!c) throw new HttpError(400, 'api.context.invalid_param.app_error', `Invalid ${paramName} parameter.`);
    if (!c.members.has(user.id)) throw new HttpError(403, 'api.context.permissions.app_error', 'You do not have the appropriate permissions.');
    return c;
  }

  private readablePost(user: FakeUser, id: string): FakePost {
    const post = this.posts.get(id);
    if (!post || post.delete_at > 0) throw new HttpError(404, 'app.post.get.app_error', 'Unable to get the post.');
    this.memberChannel(user, post.channel_id, 'post_id');
    return post;
  }

  /** pending_post_id → [post id, time]: Mattermost returns the post already created for an id seen within 30 s. */
  private readonly pendingPostIds = new Map<string, [string, number]>();

  private createPost(user: FakeUser, body: Record<string, unknown>): FakePost {
    const pending = typeof body.pending_post_id === 'string' && body.pending_post_id !== '' ? body.pending_post_id : undefined;
    const seen = pending ? this.pendingPostIds.get(pending) : undefined;
    if (seen && Date.now() - seen[1] < 30_000 && this.posts.has(seen[0])) return this.posts.get(seen[0])!;
    const created = this.createNewPost(user, body);
    if (pending) this.pendingPostIds.set(pending, [created.id, Date.now()]);
    return created;
  }

  private createNewPost(user: FakeUser, body: Record<string, unknown>): FakePost {
    const channel = this.memberChannel(user, body.channel_id, 'post.channel_id');
    if (typeof body.id === 'string' && body.id !== '') throw new HttpError(400, 'app.post.save.existing.app_error', 'You cannot update an existing Post.');
    const message = typeof body.message === 'string' ? body.message : '';
    const rootId = typeof body.root_id === 'string' ? body.root_id : '';
    const fileIds = Array.isArray(body.file_ids) ? body.file_ids.filter((x): x is string => typeof x === 'string') : [];
    const type = typeof body.type === 'string' ? body.type : '';
    if (type.startsWith('system_')) throw new HttpError(400, 'api.context.invalid_body_param.app_error', 'Invalid or missing post.type in request body.');
    const len = runeCount(message);
    if (len > FAKE_MAX_POST_RUNES) {
      throw new HttpError(400, 'model.post.is_valid.message_length.app_error', `Post Message property length is ${len} characters, which is longer than the maximum allowed of ${FAKE_MAX_POST_RUNES}.`);
    }
    if (fileIds.length > FAKE_MAX_FILES_PER_POST) throw new HttpError(400, 'model.post.is_valid.file_ids.app_error', 'Invalid file ids.');
    if (rootId !== '') {
      const root = this.posts.get(rootId);
      if (!root || root.delete_at > 0 || root.root_id !== '') throw new HttpError(400, 'api.post.create_post.root_id.app_error', 'Invalid RootId parameter.');
      if (root.channel_id !== channel.id) throw new HttpError(400, 'api.post.create_post.channel_root_id.app_error', 'Invalid ChannelId for RootId parameter.');
    }
    const now = this.now();
    // Like attachFilesToPost: ids that are unknown, foreign or already attached are silently dropped.
    const attached = fileIds.filter((fid) => {
      const f = this.files.get(fid);
      return f && f.user_id === user.id && f.channel_id === channel.id && f.post_id === '';
    });
    const props: Record<string, unknown> = body.props && typeof body.props === 'object' ? { ...(body.props as Record<string, unknown>) } : {};
    if (user.is_bot) props.from_bot = 'true';
    const post: FakePost = {
      id: newId(),
      create_at: now,
      update_at: now,
      edit_at: 0,
      delete_at: 0,
      is_pinned: false,
      user_id: user.id,
      channel_id: channel.id,
      root_id: rootId,
      original_id: '',
      message,
      type,
      props,
      hashtags: '',
      file_ids: attached,
      pending_post_id: typeof body.pending_post_id === 'string' ? body.pending_post_id : '',
      reply_count: 0,
      metadata: attached.length ? { files: attached.map((fid) => this.fileInfo(this.files.get(fid)!)) } : {},
    };
    for (const fid of attached) this.files.get(fid)!.post_id = post.id;
    this.posts.set(post.id, post);
    if (rootId) {
      const root = this.posts.get(rootId)!;
      root.update_at = now;
      root.reply_count++;
    }
    const mentions = [...channel.members].filter((uid) => {
      const mu = this.users.get(uid);
      return mu && uid !== user.id && new RegExp(`(^|[^\\w.-])@${mu.username}(?![\\w-])`, 'i').test(message);
    });
    this.broadcast(channel, 'posted', {
      channel_display_name: channel.display_name,
      channel_name: channel.name,
      channel_type: channel.type,
      post: JSON.stringify(post),
      sender_name: `@${user.username}`,
      set_online: true,
      team_id: channel.team_id,
      ...(mentions.length ? { mentions: JSON.stringify(mentions) } : {}),
    });
    return post;
  }

  private patchPost(user: FakeUser, id: string, body: Record<string, unknown>): FakePost {
    const post = this.posts.get(id);
    // The handler masks a missing post as a permission error on edit_post.
    if (!post || post.user_id !== user.id) throw new HttpError(403, 'api.context.permissions.app_error', 'You do not have the appropriate permissions.');
    if (post.delete_at > 0) throw new HttpError(400, 'api.post.update_post.permissions_details.app_error', 'Already deleted id.');
    if (body.message !== undefined) {
      if (typeof body.message !== 'string') throw new HttpError(400, 'api.context.invalid_body_param.app_error', 'Invalid or missing message in request body.');
      const len = runeCount(body.message);
      if (len > FAKE_MAX_POST_RUNES) {
        throw new HttpError(400, 'model.post.is_valid.message_length.app_error', `Post Message property length is ${len} characters, which is longer than the maximum allowed of ${FAKE_MAX_POST_RUNES}.`);
      }
    }
    const now = this.now();
    if (typeof body.message === 'string' && body.message !== post.message) {
      // Edit history row, as the server keeps it (deleted, original_id set).
      const hist = { ...post, id: newId(), original_id: post.id, delete_at: now };
      this.posts.set(hist.id, hist);
      post.message = body.message;
      post.edit_at = now;
    }
    if (body.props && typeof body.props === 'object') post.props = { ...(body.props as Record<string, unknown>), ...(user.is_bot ? { from_bot: 'true' } : {}) };
    post.update_at = now;
    const channel = this.channels.get(post.channel_id)!;
    this.broadcast(channel, 'post_edited', { post: JSON.stringify(post) });
    return post;
  }

  private channelPosts(user: FakeUser, channelId: string, q: URLSearchParams): unknown {
    const channel = this.memberChannel(user, channelId, 'channel_id');
    const all = [...this.posts.values()].filter((x) => x.channel_id === channel.id);
    const since = q.get('since');
    let selected: FakePost[];
    if (since !== null) {
      const s = Number(since);
      if (!Number.isFinite(s)) throw new HttpError(400, 'api.context.invalid_url_param.app_error', 'Invalid or missing since parameter in request URL.');
      // GetPostsSince: update_at > since, deleted and edit-history rows included, newest first.
      selected = all.filter((x) => x.update_at > s);
    } else {
      const page = Math.max(0, Number(q.get('page') ?? 0) || 0);
      const perPage = Math.min(200, Math.max(1, Number(q.get('per_page') ?? 60) || 60));
      selected = all
        .filter((x) => x.delete_at === 0)
        .sort((a, b) => b.create_at - a.create_at)
        .slice(page * perPage, (page + 1) * perPage);
    }
    selected.sort((a, b) => b.create_at - a.create_at);
    const posts: Record<string, FakePost> = {};
    for (const x of selected) {
      posts[x.id] = x;
      if (x.root_id && this.posts.has(x.root_id)) posts[x.root_id] = this.posts.get(x.root_id)!;
    }
    return { order: selected.map((x) => x.id), posts, next_post_id: '', prev_post_id: '', first_inaccessible_post_time: 0 };
  }

  private async uploadFiles(user: FakeUser, raw: Buffer, ctype: string, q: URLSearchParams, call: FakeCall): Promise<unknown> {
    if (!ctype.toLowerCase().startsWith('multipart/form-data')) throw new HttpError(400, 'api.file.upload_file.incorrect_number_of_files.app_error', 'Unable to upload files. Incorrect number of files specified.');
    let form: FormData;
    try {
      form = await new Response(new Uint8Array(raw), { headers: { 'content-type': ctype } }).formData();
    } catch {
      throw new HttpError(400, 'api.file.upload_file.read_form_value.app_error', 'Unable to read the multipart form.');
    }
    const channelId = form.get('channel_id') ?? q.get('channel_id');
    const channel = this.memberChannel(user, channelId, 'channel_id');
    const entries = form.getAll('files').filter((f): f is File => typeof f !== 'string');
    call.body = { channel_id: channel.id, files: entries.map((f) => ({ name: f.name, size: f.size, type: f.type })) };
    this.checkRequest('POST', '/files', { channel_id: typeof channelId === 'string' ? channelId : '', files: entries.map((f) => ({ name: f.name, size: f.size })) }, new URLSearchParams());
    if (entries.length === 0) throw new HttpError(400, 'api.file.upload_file.incorrect_number_of_files.app_error', 'Unable to upload files. Incorrect number of files specified.');
    const infos = [];
    for (const f of entries) {
      const file: FakeFile = { id: newId(), user_id: user.id, channel_id: channel.id, post_id: '', name: f.name, mime_type: f.type, size: f.size, data: Buffer.from(await f.arrayBuffer()), create_at: this.now() };
      this.files.set(file.id, file);
      infos.push(this.fileInfo(file));
    }
    return { file_infos: infos, client_ids: [] };
  }

  private fileInfo(f: FakeFile): Record<string, unknown> {
    const ext = f.name.includes('.') ? f.name.split('.').pop()!.toLowerCase() : '';
    return { id: f.id, user_id: f.user_id, channel_id: f.channel_id, post_id: f.post_id, create_at: f.create_at, update_at: f.create_at, delete_at: 0, name: f.name, extension: ext, size: f.size, mime_type: f.mime_type, has_preview_image: ext === 'png' };
  }

  // ---------- WebSocket ----------

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/api/v4/websocket' || !this.wsAvailable) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const who = this.headerAuth ? this.userByToken(req.headers.authorization) : { auth: 'missing' as const, user: undefined };
    this.calls.push({ method: 'GET', path, query: {}, auth: who.auth, userId: who.user?.id, status: 101 });
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const conn: Conn = { ws, userId: null, seq: 0, connectionId: newId() };
      this.conns.add(conn);
      ws.on('close', () => this.conns.delete(conn));
      ws.on('message', (data) => this.onSocketMessage(conn, data.toString()));
      // With a valid Authorization header the session exists at upgrade: hello straight away.
      if (who.user) this.authenticate(conn, who.user);
    });
  }

  private authenticate(conn: Conn, user: FakeUser): void {
    conn.userId = user.id;
    this.sendEvent(conn, 'hello', { connection_id: conn.connectionId, server_version: '10.11.0.fake', server_hostname: '' }, { user_id: user.id });
  }

  private onSocketMessage(conn: Conn, text: string): void {
    let msg: { seq?: unknown; action?: unknown; data?: { token?: unknown } };
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    const seq = typeof msg.seq === 'number' ? msg.seq : 0;
    if (msg.action === 'authentication_challenge') {
      // Like the server's router: a connection that already has a session ignores the challenge.
      if (conn.userId !== null) return;
      const token = typeof msg.data?.token === 'string' ? msg.data.token : '';
      const user = [...this.users.values()].find((u) => u.token === token);
      if (!user) {
        conn.ws.send(JSON.stringify({ status: 'FAIL', seq_reply: seq, error: { id: 'api.web_socket_router.not_authenticated.app_error', message: 'Not authenticated.', status_code: 401 } }));
        return;
      }
      conn.ws.send(JSON.stringify({ status: 'OK', seq_reply: seq }));
      this.authenticate(conn, user);
      return;
    }
    if (conn.userId === null) {
      conn.ws.send(JSON.stringify({ status: 'FAIL', seq_reply: seq, error: { id: 'api.web_socket_router.not_authenticated.app_error', message: 'Not authenticated.', status_code: 401 } }));
      return;
    }
    conn.ws.send(JSON.stringify({ status: 'OK', seq_reply: seq, ...(msg.action === 'ping' ? { data: { text: 'pong', version: '10.11.0.fake', server_time: Date.now() } } : {}) }));
  }

  private sendEvent(conn: Conn, event: string, data: Record<string, unknown>, broadcast: Record<string, unknown>): void {
    const frame = { event, data, broadcast: { omit_users: null, user_id: '', channel_id: '', team_id: '', reliable_cluster_send: false, ...broadcast }, seq: conn.seq++ };
    conn.ws.send(JSON.stringify(frame));
  }

  private broadcast(channel: FakeChannel, event: string, data: Record<string, unknown>): void {
    if (this.loseEvents > 0) {
      this.loseEvents--;
      for (const c of this.conns) if (c.userId && channel.members.has(c.userId)) c.seq++;
      return;
    }
    for (const c of this.conns) {
      if (c.userId && channel.members.has(c.userId) && c.ws.readyState === c.ws.OPEN) this.sendEvent(c, event, data, { channel_id: channel.id });
    }
  }
}

/** Start a fake Mattermost on a free loopback port. */
export async function startFakeMattermost(opts: FakeMattermostOptions = {}): Promise<FakeMattermost> {
  const fake = new FakeMattermost(opts);
  await fake.listen();
  return fake;
}
