import type { InboundMessage, Reply } from '../../core/types.js';
import type { CommandContext, CommandServices, Person, Role } from '../../core/services.js';
import type { JobRecord } from '../../core/JobStore.js';
import type { Logger } from '../../log.js';
import type { AnyCommandSpec, ArgValues } from '../CommandSpec.js';
import type { ParsedCommand } from '../parsing/parseCommand.js';

/** State carried along the middleware chain for one inbound message. */
export interface DispatchContext {
  readonly msg: InboundMessage;
  readonly services: CommandServices;
  readonly log: Logger;
  /** Normalised command text (no prefix/mention). */
  text: string;
  role: Role | null;
  /** The configured person of the sender (set with the role by the authorize middleware). */
  person?: Person;
  threadJob?: JobRecord;
  command?: ParsedCommand;
  spec?: AnyCommandSpec;
  values?: ArgValues;
  args?: unknown;
  /** Set when this message is the `yes` to a pending confirmation. */
  confirmed?: boolean;
  /** Acknowledge the message. Only the first call reaches the adapter (exactly once). */
  reply(reply?: Reply): Promise<void>;
  readonly acked: boolean;
}

export type Next = () => Promise<void>;
export type Middleware = (ctx: DispatchContext, next: Next) => Promise<void>;

/** The context command specs see; only valid once the identity has a role. */
export function commandContext(ctx: DispatchContext): CommandContext {
  if (ctx.role === null) throw new Error('commandContext before authorization');
  return { msg: ctx.msg, identity: ctx.msg.identity, role: ctx.role, person: ctx.person, threadJob: ctx.threadJob, services: ctx.services };
}
