import { randomUUID } from 'node:crypto';
import type { Adapter, InboundHandler, InboundMessage, MessageRef, OutboundMessage, Reply, ThreadRef } from '../../src/core/types.js';
import { withoutMarks } from '../../src/core/userText.js';

export interface Posted {
  op: 'root' | 'send' | 'edit';
  thread: string;
  text: string;
  files: string[];
}

/** A chat platform that records everything the bot says, per thread. */
export class RecordingAdapter implements Adapter {
  readonly canEdit = true;
  /** `name`: the adapter it stands for (identities and threads carry it), e.g. slack or email. */
  constructor(readonly name = 'rec') {}
  posts: Posted[] = [];
  private n = 0;
  private handler: InboundHandler | null = null;

  async start(h: InboundHandler) {
    this.handler = h;
  }
  async stop() {}
  async openThread(_r: InboundMessage, root: OutboundMessage) {
    const thread = { adapter: this.name, key: `t${++this.n}` };
    this.posts.push({ op: 'root', thread: thread.key, text: withoutMarks(root.text), files: [] });
    return { thread, root: { thread, id: `root-${thread.key}` } };
  }
  async send(thread: ThreadRef, m: OutboundMessage): Promise<MessageRef> {
    this.posts.push({ op: 'send', thread: thread.key, text: withoutMarks(m.text), files: (m.files ?? []).map((f) => f.name) });
    return { thread, id: `m${++this.n}` };
  }
  async edit(ref: MessageRef, m: OutboundMessage) {
    this.posts.push({ op: 'edit', thread: ref.thread.key, text: withoutMarks(m.text), files: [] });
  }

  /** Everything said in a thread (root, replies and progress edits), in order. */
  thread(key: string): Posted[] {
    return this.posts.filter((p) => p.thread === key);
  }
  text(key: string): string {
    return this.thread(key).map((p) => p.text).join('\n');
  }

  /** Type a message as `<name>:alice` or `as` (optionally inside a thread); resolves with the bot's immediate reply. */
  async say(text: string, thread?: ThreadRef, as: { userId: string; displayName?: string } = { userId: 'alice', displayName: 'alice' }): Promise<Reply | undefined> {
    let reply: Reply | undefined;
    await this.handler!({
      id: randomUUID(),
      identity: { adapter: this.name, userId: as.userId, ...(as.displayName ? { displayName: as.displayName } : {}) },
      text,
      thread,
      channel: 'astran',
      receivedAt: new Date(),
      ack: async (r) => {
        reply = r;
      },
    });
    return reply;
  }
}
