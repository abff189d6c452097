import { EventEmitter } from 'node:events';
import { appendFileSync, readFileSync } from 'node:fs';
import { NodeSSH } from 'node-ssh';
import type { Logger } from '../../log.js';
import type { SlurmConfig } from './config.js';
import { ClusterUnavailableError } from '../ClusterBackend.js';
import { checkHostKey, knownHostsLine, parseKnownHosts, type HostKeyVerdict } from './knownHosts.js';

/** The few SFTP calls the backend uses (ssh2 ships no types). */
export interface Sftp {
  writeFile(path: string, data: string | Buffer, opts: { mode?: number }, cb: (err?: Error | null) => void): void;
  mkdir(path: string, attrs: { mode?: number }, cb: (err?: Error | null) => void): void;
  stat(path: string, cb: (err: Error | null | undefined, st: { size: number; mtime: number; isDirectory(): boolean }) => void): void;
  fastGet(remote: string, local: string, cb: (err?: Error | null) => void): void;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Reported once per transition; the orchestrator tells users about `down` once, not per retry. */
export interface ConnectionChange {
  state: 'up' | 'down';
  /** User-safe words (no host, no path). */
  reason?: string;
}

/** The server's host key was not accepted: a configuration problem, never retried silently. */
export class HostKeyError extends Error {
  constructor(readonly verdict: HostKeyVerdict) {
    super(verdict === 'unknown' ? 'cluster host key is not in known_hosts' : `cluster host key ${verdict === 'revoked' ? 'is revoked' : 'has CHANGED'}`);
    this.name = 'HostKeyError';
  }
}

/** The connection was lost during or before an operation and did not come back in time. */
export class ConnectionLostError extends ClusterUnavailableError {
  constructor(message = 'cluster connection lost') {
    super(message);
    this.name = 'ConnectionLostError';
  }
}

type Opts = Pick<
  SlurmConfig,
  | 'host' | 'port' | 'user' | 'private_key_path' | 'agent' | 'known_hosts_path' | 'allow_first_use' | 'keepalive_interval_s'
  | 'keepalive_count_max' | 'ready_timeout_s' | 'reconnect_initial_s' | 'reconnect_max_s' | 'operation_timeout_s'
>;

/**
 * One persistent SSH connection with host-key checking against known_hosts, keepalive and
 * reconnection with back-off. Emits 'change' (ConnectionChange) on every up/down transition.
 */
export class SshConnection extends EventEmitter {
  private ssh: NodeSSH | null = null;
  private sftp: Promise<Sftp> | null = null;
  /** Rejects when that connection closes: what is still waiting on it (an SFTP open or write, a command) fails then. */
  private readonly closedOf = new WeakMap<NodeSSH, Promise<never>>();
  private connected = false;
  private stopped = true;
  private waiters: (() => void)[] = [];
  private retryTimer: NodeJS.Timeout | null = null;
  private delay: number;
  private lastVerdict: HostKeyVerdict | null = null;
  /** A `down` was reported and no `up` since: later failures stay quiet. */
  private reportedDown = false;
  /** Counts remote commands, for the polling benchmark and tests. */
  execCount = 0;

  constructor(private readonly cfg: Opts, private readonly log: Logger) {
    super();
    this.delay = cfg.reconnect_initial_s * 1000;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Connect once. A refused host key rejects; an unreachable host reports `down` and keeps retrying. */
  async start(): Promise<void> {
    this.stopped = false;
    try {
      await this.connectOnce();
    } catch (err) {
      if (err instanceof HostKeyError) {
        this.stopped = true;
        throw err;
      }
      this.markDown(err);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const ssh = this.ssh;
    this.ssh = null;
    this.sftp = null;
    this.connected = false;
    ssh?.dispose();
    for (const w of this.waiters.splice(0)) w();
  }

  private async connectOnce(): Promise<void> {
    const ssh = new NodeSSH();
    this.lastVerdict = null;
    const known = parseKnownHosts(readKnownHosts(this.cfg.known_hosts_path));
    try {
      await ssh.connect({
        host: this.cfg.host,
        port: this.cfg.port,
        username: this.cfg.user,
        privateKeyPath: this.cfg.private_key_path,
        agent: this.cfg.private_key_path ? undefined : this.cfg.agent,
        keepaliveInterval: this.cfg.keepalive_interval_s * 1000,
        keepaliveCountMax: this.cfg.keepalive_count_max,
        readyTimeout: this.cfg.ready_timeout_s * 1000,
        tryKeyboard: false,
        hostVerifier: (key: Buffer) => {
          const verdict = checkHostKey(known, this.cfg.host, this.cfg.port, key);
          this.lastVerdict = verdict;
          if (verdict === 'match') return true;
          if (verdict === 'unknown' && this.cfg.allow_first_use) {
            appendFileSync(this.cfg.known_hosts_path, knownHostsLine(this.cfg.host, this.cfg.port, key), { mode: 0o600 });
            this.log.warn({ host: this.cfg.host, port: this.cfg.port }, 'slurm: recorded a first-use host key');
            this.lastVerdict = 'match';
            return true;
          }
          return false;
        },
      });
    } catch (err) {
      ssh.dispose();
      if (this.lastVerdict && this.lastVerdict !== 'match') throw new HostKeyError(this.lastVerdict);
      throw err;
    }
    if (this.stopped) {
      ssh.dispose();
      return;
    }
    const client = ssh.connection!;
    client.on('error', (err: Error) => this.log.debug({ err: err.message }, 'slurm: ssh error'));
    const closed = new Promise<never>((_, reject) => client.once('close', () => reject(new ConnectionLostError())));
    closed.catch(() => {}); // observed through untilClosed only
    this.closedOf.set(ssh, closed);
    client.on('close', () => {
      if (this.ssh !== ssh) return;
      this.ssh = null;
      this.sftp = null;
      this.markDown(new Error('connection closed'));
    });
    this.ssh = ssh;
    this.delay = this.cfg.reconnect_initial_s * 1000;
    const wasDown = !this.connected;
    this.connected = true;
    for (const w of this.waiters.splice(0)) w();
    if (wasDown) this.emit('change', { state: 'up' } satisfies ConnectionChange);
  }

  private markDown(err: unknown): void {
    const was = this.connected;
    this.connected = false;
    if (this.stopped) return;
    this.log.debug({ err: err instanceof Error ? err.message : String(err) }, 'slurm: connection down');
    // Report the first failure, then retry quietly.
    if (was || !this.reportedDown) {
      this.reportedDown = true;
      this.emit('change', { state: 'down', reason: 'cluster unreachable; retrying' } satisfies ConnectionChange);
    }
    this.scheduleRetry();
  }
  private scheduleRetry(): void {
    if (this.retryTimer || this.stopped) return;
    const d = this.delay;
    this.delay = Math.min(this.delay * 2, this.cfg.reconnect_max_s * 1000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connectOnce().then(
        () => {
          this.reportedDown = false;
        },
        (err) => {
          if (err instanceof HostKeyError) this.log.error({ verdict: err.verdict }, 'slurm: host key refused on reconnect');
          this.scheduleRetry();
        },
      );
    }, d);
    this.retryTimer.unref?.();
  }

  /** Wait until connected, at most operation_timeout_s. */
  private async ready(): Promise<NodeSSH> {
    const deadline = Date.now() + this.cfg.operation_timeout_s * 1000;
    while (!this.connected || !this.ssh) {
      if (this.stopped) throw new ConnectionLostError('cluster backend stopped');
      const left = deadline - Date.now();
      if (left <= 0) throw new ConnectionLostError('cluster unreachable');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 1000));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.ssh;
  }

  /**
   * Run one remote command line (already quoted by the caller). With `retry` (idempotent commands)
   * a connection lost mid-command waits for reconnection and runs it again; without it the loss is thrown.
   */
  async exec(command: string, opts: { retry?: boolean; stdin?: string } = {}): Promise<ExecResult> {
    const deadline = Date.now() + this.cfg.operation_timeout_s * 1000;
    for (;;) {
      const ssh = await this.ready();
      try {
        this.execCount++;
        const r = await this.untilClosed(ssh, ssh.execCommand(command, { stdin: opts.stdin, noTrim: true }));
        // A command that ran to its end always has an exit code or a signal: without both the channel was cut.
        if (r.code === null && r.signal === null) throw new ConnectionLostError();
        return { stdout: r.stdout, stderr: r.stderr, code: r.code };
      } catch (err) {
        const lost = !this.connected || this.ssh !== ssh || err instanceof ConnectionLostError || isChannelError(err);
        if (!lost) throw err;
        if (!opts.retry || Date.now() > deadline) throw new ConnectionLostError();
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  /**
   * Start a long-running remote command on the current connection and hand its stdout over as it arrives. Resolves
   * once the command runs; `done` settles when it ends (remote exit, stop(), or the connection dropping: the caller
   * decides whether to start it again). stop() closes its stdin and the channel: a remote command written to end on
   * end of input (as the event follower is) then stops on the cluster too.
   */
  async stream(command: string, onStdout: (chunk: string) => void): Promise<{ stop(): void; done: Promise<void> }> {
    const ssh = await this.ready();
    const client = ssh.connection;
    if (!client) throw new ConnectionLostError();
    this.execCount++;
    const channel = await new Promise<import('node:stream').Duplex & { close(): void; stderr: NodeJS.ReadableStream }>((resolve, reject) =>
      client.exec(command, (err: Error | undefined, ch: unknown) => (err ? reject(err) : resolve(ch as never))),
    );
    channel.setEncoding('utf8');
    channel.on('data', (d: string) => onStdout(d));
    channel.stderr.resume();
    const done = new Promise<void>((resolve) => {
      channel.once('close', () => resolve());
      channel.once('error', () => resolve());
    });
    return {
      stop: () => {
        try {
          channel.end();
          channel.close();
        } catch {
          /* already closed */
        }
      },
      done,
    };
  }

  /** `p`, or ConnectionLostError as soon as the connection it runs on closes. */
  private untilClosed<T>(ssh: NodeSSH, p: Promise<T>): Promise<T> {
    const closed = this.closedOf.get(ssh);
    return closed ? Promise.race([p, closed]) : p;
  }

  /** An SFTP session on the current connection (one per connection, reopened after a reconnect). */
  async withSftp<T>(fn: (sftp: Sftp) => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.cfg.operation_timeout_s * 1000;
    for (;;) {
      const ssh = await this.ready();
      if (!this.sftp) {
        this.sftp = ssh.requestSFTP() as Promise<Sftp>;
        this.sftp.catch(() => (this.sftp = null));
      }
      try {
        // An SFTP request on a connection that dies may never be answered: the connection's end fails it instead.
        const sftp = await this.untilClosed(ssh, this.sftp);
        return await this.untilClosed(ssh, fn(sftp));
      } catch (err) {
        const lost = !this.connected || this.ssh !== ssh || isChannelError(err);
        if (!lost || Date.now() > deadline) throw err;
        this.sftp = null;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }
}

function isChannelError(err: unknown): boolean {
  const m = err instanceof Error ? err.message : String(err);
  return /No response from server|Not connected|Channel open failure|connection (lost|closed)|ECONNRESET|EPIPE|Unable to exec/i.test(m);
}

function readKnownHosts(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}
