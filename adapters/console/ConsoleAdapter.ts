import { createInterface } from 'node:readline';
import { randomUUID } from 'node:crypto';
import type { Adapter, InboundHandler, InboundMessage, MessageRef, OutboundMessage, Reply, ThreadRef } from '../../src/core/types.js';
import type { KeyValueStore } from '../../src/core/KeyValueStore.js';
import { MemoryKeyValueStore } from '../../src/store/MemoryKeyValueStore.js';
import { plainSafe } from '../shared/safeText.js';

const LAST_THREAD = 'console:last_thread';
const threadJobKey = (key: string) => `console:thread:${key}`;

export interface ConsoleAdapterOptions {
  /** The identity of the person at the terminal: `console:<user>`. */
  user: string;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  /** Print progress edits (true) or only the final state of the progress line (false, quieter). */
  showProgress?: boolean;
  /** Where thread numbers and their jobs are kept: with the job store's, T-numbers are never reused after a restart. */
  kv?: KeyValueStore;
}

/**
 * The terminal as a chat: each line typed is a message; each job thread is printed with its job's label.
 * Threads are numbered T1, T2... (never reused: the last number is kept in the key/value store); a line starting
 * with `T1:` is typed in that thread (so `T1: status` works). Printed text has bidi and control characters removed,
 * so echoed user text cannot rewrite the terminal.
 */
export class ConsoleAdapter implements Adapter {
  readonly name = 'console';
  readonly canEdit = true;
  private readonly kv: KeyValueStore;
  private readonly lastProgress = new Map<string, string>();
  private rl: ReturnType<typeof createInterface> | null = null;
  private readonly out: NodeJS.WritableStream;
  private handler: InboundHandler | null = null;
  /** The last typed line's handling; lines run one after another. */
  private previous: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: ConsoleAdapterOptions) {
    this.out = opts.output ?? process.stdout;
    this.kv = opts.kv ?? new MemoryKeyValueStore();
  }

  private print(line: string): void {
    const safe = plainSafe(line);
    this.out.write(safe.endsWith('\n') ? safe : safe + '\n');
  }

  async start(onMessage: InboundHandler): Promise<void> {
    this.handler = onMessage;
    if (!this.opts.input) return;
    this.rl = createInterface({ input: this.opts.input, terminal: false });
    // Lines are handled one after another, as typed: `T1: status` must see the thread that the line before opened.
    // Each handler returns quickly (a launch only opens its thread), so a long job never blocks the prompt.
    this.rl.on('line', (line) => {
      if (!line.trim()) return;
      this.previous = this.previous.then(() => this.inject(line)).catch(() => undefined);
    });
  }

  /** Feed one line as if typed (used by `astran run` and tests). Resolves with the acknowledgement reply. */
  async inject(line: string): Promise<Reply | undefined> {
    if (!this.handler) throw new Error('console adapter not started');
    let text = line;
    let thread: ThreadRef | undefined;
    const m = /^\s*(T\d+)\s*:\s*(.*)$/.exec(line);
    if (m && this.kv.read(threadJobKey(m[1])) !== undefined) {
      thread = { adapter: this.name, key: m[1] };
      text = m[2];
    }
    let acked: Reply | undefined;
    const msg: InboundMessage = {
      id: randomUUID(),
      identity: { adapter: this.name, userId: this.opts.user, displayName: this.opts.user },
      text,
      thread,
      channel: 'console',
      receivedAt: new Date(),
      ack: async (reply?: Reply) => {
        acked = reply;
        if (reply?.text) this.print(reply.text);
      },
    };
    await this.handler(msg);
    return acked;
  }

  /** Wait until every typed line has been handled (end of stdin). */
  async drain(): Promise<void> {
    await this.previous;
  }

  async stop(): Promise<void> {
    this.rl?.close();
    this.rl = null;
  }

  async openThread(_request: InboundMessage, root: OutboundMessage, jobId?: string): Promise<{ thread: ThreadRef; root: MessageRef }> {
    const n = (Number(this.kv.read(LAST_THREAD)) || 0) + 1;
    this.kv.write(LAST_THREAD, String(n));
    const key = `T${n}`;
    this.kv.write(threadJobKey(key), jobId ?? key);
    const thread = { adapter: this.name, key };
    this.print([`[${this.label(thread)}] ${root.text}`, ...(root.files ?? []).map((f) => `[${this.label(thread)}] 📎 ${f.name} (${Math.round(f.data.length / 1024)} KB)`)].join('\n'));
    return { thread, root: { thread, id: `${key}-root` } };
  }

  private label(t: ThreadRef): string {
    const l = this.kv.read(threadJobKey(t.key));
    return l && l !== t.key ? `${t.key} ${l}` : t.key;
  }

  async send(thread: ThreadRef, message: OutboundMessage): Promise<MessageRef> {
    const lines = [`[${this.label(thread)}] ${message.text}`];
    for (const f of message.files ?? []) lines.push(`[${this.label(thread)}] 📎 ${f.name} (${Math.round(f.data.length / 1024)} KB)`);
    this.print(lines.join('\n'));
    return { thread, id: `${thread.key}-${randomUUID().slice(0, 8)}` };
  }

  async edit(ref: MessageRef, message: OutboundMessage): Promise<void> {
    if (this.opts.showProgress === false) return;
    if (this.lastProgress.get(ref.id) === message.text) return;
    this.lastProgress.set(ref.id, message.text);
    this.print(`[${this.label(ref.thread)}] ↻ ${message.text}`);
  }
}
