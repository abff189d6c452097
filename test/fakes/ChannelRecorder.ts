import type { Adapter, InboundMessage, MessageRef, OutboundMessage, ThreadRef } from '../../src/core/types.js';
import { withoutMarks } from '../../src/core/userText.js';

/** A chat platform that records every post per channel (threads opened in channels, as standing orders do), and can be told to fail. */
export class ChannelRecorder implements Adapter {
  readonly canEdit = false;
  readonly posts: { channel: string; thread?: string; text: string; files: string[]; mentions: string[] }[] = [];
  fail = false;
  private n = 0;
  constructor(readonly name: string) {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async openThread(request: InboundMessage, root: OutboundMessage): Promise<{ thread: ThreadRef; root: MessageRef }> {
    return this.openThreadIn(request.channel!, root);
  }
  async openThreadIn(channel: string, root: OutboundMessage): Promise<{ thread: ThreadRef; root: MessageRef }> {
    if (this.fail) throw new Error('platform down');
    const key = `${channel}:${++this.n}`;
    this.posts.push({ channel, text: withoutMarks(root.text), files: (root.files ?? []).map((f) => f.name), mentions: (root.mentions ?? []).map((m) => m.userId) });
    const thread = { adapter: this.name, key };
    return { thread, root: { thread, id: key } };
  }
  async send(thread: ThreadRef, m: OutboundMessage): Promise<MessageRef> {
    if (this.fail) throw new Error('platform down');
    this.posts.push({ channel: thread.key.split(':')[0], thread: thread.key, text: withoutMarks(m.text), files: (m.files ?? []).map((f) => f.name), mentions: (m.mentions ?? []).map((x) => x.userId) });
    return { thread, id: `${thread.key}/${++this.n}` };
  }
  async edit(): Promise<void> {}
  texts(channel: string): string[] {
    return this.posts.filter((p) => p.channel === channel).map((p) => p.text);
  }
}
