import WebSocket from 'ws';
import type { Logger } from '../../src/log.js';
import { SocketFrameSchema, type SocketFrame } from './schemas.js';

export interface MattermostSocketOptions {
  /** ws(s)://host/api/v4/websocket */
  url: string;
  token: string;
  log: Logger;
  minDelayMs: number;
  maxDelayMs: number;
  /** Interval of WebSocket pings; a missing pong by the next tick drops the connection. */
  pingIntervalMs?: number;
  /** Give up on a connection that has not said `hello` by then (bad token, broken proxy). */
  helloTimeoutMs?: number;
  /** Called for every server event (not for replies to our own requests). */
  onEvent(frame: SocketFrame): void;
  /** Called on each `hello` (a new authenticated connection); `reconnected` is false only the first time. */
  onHello(reconnected: boolean): void;
}

/**
 * A small WebSocket client for Mattermost's event stream on the `ws` package. The official
 * WebSocketClient targets browsers (console logging, window/CloseEvent globals missing on Node 20),
 * so this one authenticates with the Authorization header at the upgrade and with an
 * `authentication_challenge`, checks the event sequence
 * (a gap means lost events: reconnect and let the owner catch up) and reconnects with capped,
 * jittered exponential backoff.
 */
export class MattermostSocket {
  private ws: WebSocket | null = null;
  private stopped = true;
  private attempts = 0;
  private everConnected = false;
  private expectedSeq = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private awaitingPong = false;
  private helloTimer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: MattermostSocketOptions) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  /** Close for good (no reconnect). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.stopPing();
    this.clearHelloTimer();
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.terminate();
      });
    }
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  private connect(): void {
    if (this.stopped) return;
    const ws = new WebSocket(this.opts.url, { headers: { Authorization: `Bearer ${this.opts.token}` }, handshakeTimeout: 10_000 });
    this.ws = ws;
    this.expectedSeq = 0;
    ws.on('open', () => {
      // Also authenticate in-band: proxies may strip the Authorization header of the upgrade. The
      // server ignores the challenge on a connection that is already authenticated.
      ws.send(JSON.stringify({ seq: 1, action: 'authentication_challenge', data: { token: this.opts.token } }));
      this.helloTimer = setTimeout(() => {
        this.opts.log.error('mattermost websocket: no hello from the server (is the bot token valid?); reconnecting');
        ws.terminate();
      }, this.opts.helloTimeoutMs ?? 10_000);
    });
    ws.on('message', (raw) => this.onMessage(ws, raw.toString()));
    ws.on('pong', () => {
      this.awaitingPong = false;
    });
    ws.on('unexpected-response', (_req, res) => {
      // e.g. 401 for a bad token: log the status only, never the request (it carries the token).
      this.opts.log.warn({ status: res.statusCode }, 'mattermost websocket upgrade refused');
      ws.terminate();
    });
    ws.on('error', (err) => {
      this.opts.log.warn({ err: err.message }, 'mattermost websocket error');
    });
    ws.on('close', (code) => {
      if (this.ws === ws) this.ws = null;
      this.stopPing();
      this.clearHelloTimer();
      if (this.stopped) return;
      this.opts.log.info({ code }, 'mattermost websocket closed; reconnecting');
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const { minDelayMs, maxDelayMs } = this.opts;
    const base = Math.min(maxDelayMs, minDelayMs * 2 ** Math.min(this.attempts, 20));
    // Full jitter on the upper half so many bots do not reconnect in lockstep.
    const delay = Math.round(base / 2 + Math.random() * (base / 2));
    this.attempts++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  private onMessage(ws: WebSocket, text: string): void {
    let frame: SocketFrame;
    try {
      const parsed = SocketFrameSchema.safeParse(JSON.parse(text));
      if (!parsed.success) throw new Error(parsed.error.message);
      frame = parsed.data;
    } catch (err) {
      this.opts.log.warn({ err: (err as Error).message }, 'mattermost websocket: unparsable frame ignored');
      return;
    }
    if (frame.seq_reply !== undefined) {
      // Only our authentication challenge asks for a reply; a refusal is logged (without the token).
      if (frame.status === 'FAIL') this.opts.log.warn('mattermost websocket: authentication challenge refused');
      return;
    }
    if (frame.event === undefined) return;
    if (frame.event === 'hello') {
      this.clearHelloTimer();
      this.expectedSeq = (frame.seq ?? 0) + 1;
      const reconnected = this.everConnected;
      this.everConnected = true;
      this.attempts = 0;
      this.startPing(ws);
      this.opts.onHello(reconnected);
      return;
    }
    if (frame.seq !== undefined) {
      if (frame.seq !== this.expectedSeq) {
        // Events were lost: drop the connection; the reconnect's catch-up recovers the posts.
        this.opts.log.warn({ got: frame.seq, expected: this.expectedSeq }, 'mattermost websocket sequence gap; reconnecting');
        ws.terminate();
        return;
      }
      this.expectedSeq = frame.seq + 1;
    }
    try {
      this.opts.onEvent(frame);
    } catch (err) {
      this.opts.log.error({ err }, 'mattermost websocket event handler failed');
    }
  }

  private startPing(ws: WebSocket): void {
    this.stopPing();
    const every = this.opts.pingIntervalMs ?? 30_000;
    this.awaitingPong = false;
    this.pingTimer = setInterval(() => {
      if (this.awaitingPong) {
        this.opts.log.warn('mattermost websocket: no pong; reconnecting');
        ws.terminate();
        return;
      }
      this.awaitingPong = true;
      try {
        ws.ping();
      } catch {
        ws.terminate();
      }
    }, every);
    this.pingTimer.unref();
  }

  private clearHelloTimer(): void {
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.helloTimer = null;
  }

  private stopPing(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }
}
