import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listen } from '../../src/util/listen.js';
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../src/log.js';
import type { InboundHandler, InboundMessage, Reply } from '../../src/core/types.js';
import { newErrorId } from '../../src/core/errors.js';
import type { KeyValueStore } from '../../src/core/KeyValueStore.js';
import { claimOnce } from '../../src/core/KeyValueStore.js';
import { RequestAck } from '../shared/RequestAck.js';
import { errorReply } from '../../src/dispatch/errorReply.js';
import { toMattermost } from './mattermostText.js';
import { SlashPayloadSchema, type SlashPayload } from './schemas.js';
import { truncateMessage } from './textLimits.js';

const MAX_BODY_BYTES = 64 * 1024;

export interface SlashCommandServerOptions {
  host: string;
  port: number;
  path: string;
  /** The slash command's token as configured in Mattermost. */
  token: string;
  /** Answer by this time even without an ack; a later ack goes to response_url. */
  ackDeadlineMs: number;
  /** Durable dedupe of trigger_ids: a replayed request (same body, same trigger_id) never runs twice, also after a restart. */
  kv: KeyValueStore;
  /** Origin of the Mattermost server: response_url must point there (no requests elsewhere). */
  serverOrigin: string;
  log: Logger;
  /** Turns the validated payload into the message the core sees (without ack). */
  toInbound(payload: SlashPayload): Omit<InboundMessage, 'ack'>;
}

/**
 * Compare secrets in constant time. Only the length can leak, and Mattermost command tokens all
 * have the same length (26), so that says nothing.
 */
export function tokensEqual(given: string, expected: string | Buffer): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = typeof expected === 'string' ? Buffer.from(expected, 'utf8') : expected;
  return a.length === b.length && timingSafeEqual(a, b);
}

function tokenFrom(req: IncomingMessage, payload: SlashPayload): string {
  const h = req.headers.authorization;
  const m = typeof h === 'string' ? /^Token\s+(\S+)$/i.exec(h.trim()) : null;
  return m ? m[1] : (payload.token ?? '');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) });
  res.end(data);
}

function replyBody(reply: Reply | undefined): { response_type: 'ephemeral' | 'in_channel'; text: string } {
  return { response_type: reply?.ephemeral === false ? 'in_channel' : 'ephemeral', text: truncateMessage(toMattermost(reply?.text ?? '')) };
}

/**
 * The HTTP endpoint of a Mattermost custom slash command: form-encoded POST, token checked in
 * constant time, the dispatcher's ack becomes the JSON response (ephemeral unless said otherwise).
 */
export class SlashCommandServer {
  private server: Server | null = null;
  private handler: InboundHandler | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly tokenBytes: Buffer;

  constructor(private readonly opts: SlashCommandServerOptions) {
    this.tokenBytes = Buffer.from(opts.token, 'utf8');
  }

  async start(handler: InboundHandler): Promise<void> {
    this.handler = handler;
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        const errorId = newErrorId();
        this.opts.log.error({ err, errorId }, 'mattermost slash command failed');
        if (!res.headersSent) sendJson(res, 500, replyBody(errorReply(errorId)));
      });
    });
    // Longer than a typical client idle timeout, so a pooled connection is not closed under a request.
    server.keepAliveTimeout = 65_000;
    await listen(server, this.opts.port, this.opts.host);
    this.server = server;
  }

  /** The underlying node:http server while started (for instrumentation in benchmarks). */
  get httpServer(): Server | null {
    return this.server;
  }

  /** Base URL of the endpoint (useful with port 0). */
  get url(): string {
    const addr = this.server?.address() as AddressInfo | null;
    if (!addr) throw new Error('slash command server not started');
    return `http://${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}${this.opts.path}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) {
      server.closeIdleConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await Promise.allSettled([...this.inFlight]);
  }

  /** The body as text, or null past the size limit (event-based: cheaper than async iteration). */
  private readBody(req: IncomingMessage): Promise<string | null> {
    return new Promise((resolve, reject) => {
      const parts: Buffer[] = [];
      let size = 0;
      req.on('data', (b: Buffer) => {
        size += b.length;
        if (size > MAX_BODY_BYTES) {
          resolve(null);
          req.destroy();
          return;
        }
        parts.push(b);
      });
      req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
      req.on('error', reject);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (path !== this.opts.path) return sendJson(res, 404, { text: 'not found' });
    if (req.method !== 'POST') return sendJson(res, 405, { text: 'method not allowed' });
    const ctype = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (ctype !== 'application/x-www-form-urlencoded') return sendJson(res, 415, { text: 'expected a form-encoded body' });
    const body = await this.readBody(req);
    if (body === null) return sendJson(res, 413, { text: 'request too large' });
    const parsed = SlashPayloadSchema.safeParse(Object.fromEntries(new URLSearchParams(body)));
    if (!parsed.success) {
      // Do not echo the payload: it may carry the token.
      this.opts.log.warn({ issues: parsed.error.issues.map((i) => i.path.join('.')) }, 'mattermost slash command: invalid payload');
      return sendJson(res, 400, { response_type: 'ephemeral', text: 'Invalid slash command request.' });
    }
    const payload = parsed.data;
    if (!tokensEqual(tokenFrom(req, payload), this.tokenBytes)) {
      this.opts.log.warn({ user_id: payload.user_id }, 'mattermost slash command: wrong token, refused');
      return sendJson(res, 401, { response_type: 'ephemeral', text: 'Unauthorized.' });
    }
    this.dispatch(payload, res);
  }

  private dispatch(payload: SlashPayload, res: ServerResponse): void {
    // Mattermost never sends one trigger_id twice: a second request with it is a replay (captured body, proxy retry).
    // Without a trigger_id (servers before 5.x) the request cannot be told from a replay, so it is refused.
    if (!payload.trigger_id || !claimOnce(this.opts.kv, `mattermost-slash:${payload.trigger_id}`)) {
      this.opts.log.warn({ user_id: payload.user_id, trigger_id: payload.trigger_id ?? null }, 'mattermost slash command: replayed or without trigger_id; not run');
      return sendJson(res, 200, replyBody({ text: payload.trigger_id ? 'This request was already handled.' : 'This request cannot be handled: it carries no trigger_id.' }));
    }
    const ack = new RequestAck({
      what: 'mattermost slash command',
      log: this.opts.log,
      deadlineMs: this.opts.ackDeadlineMs,
      placeholder: { text: 'Working on it…' },
      respond: async (reply) => sendJson(res, 200, replyBody(reply)),
      followUp: (reply) => this.lateReply(payload, reply),
    });
    const msg: InboundMessage = { ...this.opts.toInbound(payload), ack: ack.ack };
    const run = (async () => {
      try {
        await this.handler!(msg);
      } catch (err) {
        await ack.fail(err);
      }
      // A handler that never acks still gets an empty answer rather than a server timeout.
      await ack.settle();
    })();
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  /** Answer after the deadline through the command's response_url, only on the configured server. */
  private async lateReply(payload: SlashPayload, reply: Reply): Promise<void> {
    const url = payload.response_url;
    let ok = false;
    try {
      ok = !!url && new URL(url).origin === this.opts.serverOrigin;
    } catch {
      ok = false;
    }
    if (!ok) {
      this.opts.log.warn('mattermost slash command: late reply dropped (no usable response_url)');
      return;
    }
    try {
      const r = await fetch(url!, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(replyBody(reply)) });
      if (!r.ok) this.opts.log.warn({ status: r.status }, 'mattermost slash command: response_url refused the late reply');
    } catch (err) {
      this.opts.log.warn({ err: (err as Error).message }, 'mattermost slash command: late reply failed');
    }
  }
}
