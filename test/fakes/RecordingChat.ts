import type { Adapter, InboundMessage, MessageRef, OutboundMessage, ThreadRef } from '../../src/core/types.js';
import { withoutMarks } from '../../src/core/userText.js';

/** Records what the bot posts. `hold` makes sends whose text matches wait until released (a platform that hangs). */
export class RecordingChat implements Adapter {
  readonly name = 'rec';
  readonly canEdit = true;
  posts: { op: string; text: string; files: number; key?: string }[] = [];
  openThreadError: Error | null = null;
  failSends: RegExp | null = null;
  hold: RegExp | null = null;
  private n = 0;
  async start() {}
  async stop() {}
  async openThread(_r: InboundMessage, root: OutboundMessage) {
    if (this.openThreadError) throw this.openThreadError;
    this.posts.push({ op: 'root', text: withoutMarks(root.text), files: 0 });
    const thread = { adapter: 'rec', key: `t${++this.n}` };
    return { thread, root: { thread, id: 'root' } };
  }
  async send(thread: ThreadRef, m: OutboundMessage): Promise<MessageRef> {
    if (this.hold?.test(m.text)) await new Promise(() => {}); // never answers
    if (this.failSends?.test(m.text)) throw new Error('503 service unavailable');
    this.posts.push({ op: 'send', text: withoutMarks(m.text), files: m.files?.length ?? 0, key: m.idempotencyKey });
    return { thread, id: `m${++this.n}` };
  }
  async edit(_r: MessageRef, m: OutboundMessage) {
    this.posts.push({ op: 'edit', text: withoutMarks(m.text), files: 0 });
  }
  sent(re: RegExp): number {
    return this.posts.filter((p) => p.op === 'send' && re.test(p.text)).length;
  }
  text(): string {
    return this.posts.map((p) => p.text).join('\n');
  }
}
