import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listen } from '../../src/util/listen.js';
import type { AddressInfo } from 'node:net';
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { Logger } from '../../src/log.js';
import { ReplayGuard, verifySlackSignature } from './slackSignature.js';

export interface SlackHttpReceiverOptions {
  signingSecret: string;
  host: string;
  port: number;
  path: string;
  maxBodyBytes: number;
  log: Logger;
  /** Answer 200 with an empty body if nothing acked by then (Slack gives up at 3 s). */
  fallbackAckMs?: number;
  now?: () => number;
}

/**
 * A bolt Receiver for HTTP mode on node:http. Every request is verified before anything else
 * (v0 signature, constant-time compare, 5-minute freshness, replay refusal); only then is the
 * body parsed and handed to bolt.
 */
export class SlackHttpReceiver implements Receiver {
  private app?: App;
  private server?: Server;
  private readonly replay = new ReplayGuard();
  private readonly now: () => number;

  constructor(private readonly opts: SlackHttpReceiverOptions) {
    this.now = opts.now ?? (() => Date.now() / 1000);
  }

  init(app: App): void {
    this.app = app;
  }

  /** The bound URL of the events endpoint (useful with port 0). */
  get url(): string | undefined {
    const a = this.server?.address() as AddressInfo | null | undefined;
    return a ? `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}${this.opts.path}` : undefined;
  }

  async start(): Promise<Server> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.opts.log.error({ err }, 'slack http receiver: unhandled error');
        if (!res.headersSent) {
          res.writeHead(500);
          res.end();
        }
      });
    });
    // Keep-alive lets a burst of Slack requests reuse connections.
    server.keepAliveTimeout = 65_000;
    await listen(server, this.opts.port, this.opts.host);
    this.server = server;
    return server;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    await new Promise<void>((r) => {
      s.close(() => r());
      s.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (path !== this.opts.path) return end(res, 404, '');
    if (req.method !== 'POST') return end(res, 405, '');
    const raw = await readRaw(req, this.opts.maxBodyBytes);
    if (raw === null) return end(res, 413, '');

    const now = this.now();
    const verdict = verifySlackSignature(
      this.opts.signingSecret,
      { timestamp: req.headers['x-slack-request-timestamp'], signature: req.headers['x-slack-signature'] },
      raw,
      now,
    );
    if (!verdict.ok) {
      this.opts.log.warn({ reason: verdict.reason }, 'slack http receiver: request refused');
      return end(res, 401, '');
    }
    if (!this.replay.check(String(req.headers['x-slack-signature']), now)) {
      this.opts.log.warn({ reason: 'replayed' }, 'slack http receiver: request refused');
      return end(res, 401, '');
    }

    const body = parseBody(String(req.headers['content-type'] ?? ''), raw);
    if (body === null) return end(res, 400, '');
    if (body.ssl_check) return end(res, 200, '');
    if (body.type === 'url_verification' && typeof body.challenge === 'string') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ challenge: body.challenge }));
      return;
    }

    let acked = false;
    const respond = (response: unknown) => {
      if (acked) return;
      acked = true;
      clearTimeout(fallback);
      if (response === undefined || response === null || response === '') return end(res, 200, '');
      if (typeof response === 'string') return end(res, 200, response);
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(response));
    };
    const fallback = setTimeout(() => {
      if (!acked) this.opts.log.warn('slack http receiver: nothing acked in time, answering empty');
      respond(undefined);
    }, this.opts.fallbackAckMs ?? 2800);

    const retryNum = Number(req.headers['x-slack-retry-num']);
    const event: ReceiverEvent = {
      body,
      ack: async (response?: unknown) => respond(response),
      retryNum: Number.isFinite(retryNum) ? retryNum : undefined,
      retryReason: typeof req.headers['x-slack-retry-reason'] === 'string' ? req.headers['x-slack-retry-reason'] : undefined,
    };
    try {
      if (!this.app) throw new Error('receiver not initialised');
      await this.app.processEvent(event);
    } catch (err) {
      this.opts.log.error({ err }, 'slack http receiver: processing failed');
      if (!acked) {
        acked = true;
        clearTimeout(fallback);
        end(res, 500, '');
      }
    }
  }
}

function end(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}

function readRaw(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Slash commands are form-encoded, interactivity is a form with a JSON `payload`, events are JSON. */
export function parseBody(contentType: string, raw: Buffer): Record<string, unknown> | null {
  const text = raw.toString('utf8');
  try {
    if (contentType.startsWith('application/json')) {
      const v: unknown = JSON.parse(text);
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
    }
    if (contentType.startsWith('application/x-www-form-urlencoded')) {
      const params = new URLSearchParams(text);
      const payload = params.get('payload');
      if (payload !== null) {
        const v: unknown = JSON.parse(payload);
        return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
      }
      return Object.fromEntries(params);
    }
  } catch {
    return null;
  }
  return null;
}
