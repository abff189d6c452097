/**
 * errbot-style test adapter: drives the REAL dispatcher with typed text and returns the
 * acknowledged reply. It is also an Adapter, so the recording JobControl opens job threads here.
 */
import type { Adapter, InboundHandler, InboundMessage, MessageRef, OutboundMessage, Reply, ThreadRef } from '../../src/core/types.js';
import type { Authorizer } from '../../src/dispatch/Authorizer.js';
import { createAuthorizer } from '../../src/dispatch/Authorizer.js';
import { createDispatcher } from '../../src/dispatch/Dispatcher.js';
import type { AnyCommandSpec } from '../../src/dispatch/CommandSpec.js';
import { commandSpecs } from '../../commands/index.js';
import { makeServices, type FakeServices } from './fakeServices.js';
import type { Logger } from '../../src/log.js';
import { withoutMarks } from '../../src/core/userText.js';

export interface SayOptions {
  user?: string;
  adapter?: string;
  /** Key of the thread the message is typed in. */
  thread?: string;
  channel?: string;
  isBot?: boolean;
  displayName?: string;
}

export const DEFAULT_AUTH = {
  'test:admin': 'admin',
  'test:alice': 'launcher',
  'test:bob': 'launcher',
  'test:vera': 'viewer',
} as const;

export class TestBackend implements Adapter {
  readonly name = 'test';
  readonly canEdit = true;
  readonly services: FakeServices;
  readonly handle: InboundHandler;
  /** Every message posted to a thread, by thread key. */
  readonly threads = new Map<string, OutboundMessage[]>();
  /** Every acknowledgement, in order (one per message). */
  readonly acks: { msgId: string; reply: Reply | undefined }[] = [];
  private seq = 0;

  constructor(opts: { auth?: Record<string, string>; authorizer?: Authorizer; services?: FakeServices; specs?: readonly AnyCommandSpec[]; log?: Logger } = {}) {
    this.services = opts.services ?? makeServices({ log: opts.log });
    this.services.jobs.openThread = async (req, text) => (await this.openThread(req, { text })).thread;
    this.handle = createDispatcher({
      services: this.services,
      authorizer: opts.authorizer ?? createAuthorizer(opts.auth ?? DEFAULT_AUTH),
      specs: opts.specs ?? commandSpecs,
      log: this.services.log,
    });
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  async openThread(_request: InboundMessage, root: OutboundMessage): Promise<{ thread: ThreadRef; root: MessageRef }> {
    const thread = { adapter: this.name, key: `thread-${++this.seq}` };
    this.threads.set(thread.key, [{ ...root, text: withoutMarks(root.text) }]);
    return { thread, root: { thread, id: `${thread.key}/0` } };
  }

  async send(thread: ThreadRef, message: OutboundMessage): Promise<MessageRef> {
    const list = this.threads.get(thread.key) ?? [];
    list.push({ ...message, text: withoutMarks(message.text) }); // shown as a plain platform shows it
    this.threads.set(thread.key, list);
    return { thread, id: `${thread.key}/${list.length - 1}` };
  }

  async edit(ref: MessageRef, message: OutboundMessage): Promise<void> {
    const list = this.threads.get(ref.thread.key);
    const i = Number(ref.id.split('/')[1]);
    if (list && list[i]) list[i] = message;
  }

  /** Type `text` as a user; resolves to the reply the dispatcher acknowledged with. Throws unless acked exactly once. */
  async say(text: string, opts: SayOptions = {}): Promise<Reply | undefined> {
    const replies: (Reply | undefined)[] = [];
    const adapter = opts.adapter ?? this.name;
    const msg: InboundMessage = {
      id: `m-${++this.seq}`,
      identity: { adapter, userId: opts.user ?? 'alice', displayName: opts.displayName ?? opts.user ?? 'alice', isBot: opts.isBot },
      text,
      thread: opts.thread ? { adapter, key: opts.thread } : undefined,
      channel: opts.channel ?? 'C1',
      receivedAt: this.services.now(),
      ack: async (reply?: Reply) => {
        replies.push(reply && { ...reply, text: withoutMarks(reply.text) });
        this.acks.push({ msgId: msg.id, reply });
      },
    };
    await this.handle(msg);
    if (replies.length !== 1) throw new Error(`message ${JSON.stringify(text)} was acknowledged ${replies.length} times`);
    return replies[0];
  }

  /** Like say() but returns the reply text (empty when acknowledged silently). */
  async text(text: string, opts: SayOptions = {}): Promise<string> {
    return (await this.say(text, opts))?.text ?? '';
  }
}
