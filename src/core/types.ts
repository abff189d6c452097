/**
 * The project's own conversation types. Adapters convert platform payloads to these at the edge
 * and never let platform types leak into the core.
 */

/** Who sent a message: the adapter that saw it and the platform's stable user id (an address for e-mail). */
export interface Identity {
  adapter: string;
  userId: string;
  /** Human-readable name for replies and logs; never used for authorization. */
  displayName?: string;
  /** True when the platform says the sender is a bot (bots are ignored). */
  isBot?: boolean;
}

/**
 * A thread is an opaque reference owned by the adapter that created it. `key` is whatever that
 * adapter needs to find the thread again (Slack "channel:ts", Mattermost root post id, e-mail Message-ID).
 * It is stored in the job store, so it must survive JSON round trips.
 */
export interface ThreadRef {
  adapter: string;
  key: string;
}

/** A message the bot posted, so it can be edited later (progress). */
export interface MessageRef {
  thread: ThreadRef;
  id: string;
}

export interface OutboundFile {
  /** File name shown to the user, e.g. theta2.png */
  name: string;
  contentType: string;
  data: Buffer;
  /** Optional alt text / title */
  title?: string;
}

export interface OutboundMessage {
  /** Plain text with light markdown (bold, code, lists); adapters translate as needed. */
  text: string;
  /** Optional HTML rendering for adapters that send HTML (e-mail). */
  html?: string;
  files?: OutboundFile[];
  /**
   * Set by the outbox (src/core/Outbox.ts): the same key on a repeated delivery of the same message. Adapters pass it
   * to the platform where the platform can drop repeats (Mattermost `pending_post_id`, an e-mail Message-ID...).
   */
  idempotencyKey?: string;
  /**
   * People to notify (alerts of standing orders). The text already names them in plain words; adapters whose
   * platform has mentions add them in its own syntax after escaping the text (Slack `<@U…>`). Only identities of the
   * delivering adapter are used.
   */
  mentions?: Identity[];
}

/** What the dispatcher answers straight away to an inbound message. */
export interface Reply {
  text: string;
  /** Visible only to the sender where the platform supports it (Slack/Mattermost ephemeral). */
  ephemeral?: boolean;
  /** True when the request was refused or invalid (drives the one-shot CLI's exit code 2 and adapters' error styling). */
  rejected?: boolean;
  /**
   * Why a request was refused where the medium cares: `access` = the sender is not on the access list (e-mail sends
   * nothing then, since the From may be forged and an answer would be backscatter).
   */
  refusal?: 'access';
}

export interface InboundMessage {
  /** Unique per platform message (Slack trigger/event id, Mattermost post id, e-mail Message-ID). */
  id: string;
  identity: Identity;
  /** The command text, with any `/astran` prefix or bot mention already removed or still present (the parser strips both). */
  text: string;
  /** The thread the message was typed in, if any. */
  thread?: ThreadRef;
  /** Where a new thread would be opened (channel id, mailbox...). Opaque to the core. */
  channel?: string;
  receivedAt: Date;
  /**
   * Acknowledge the message. Adapters own acknowledgement (bolt-js style): the dispatcher calls
   * this exactly once, as soon as it knows the immediate answer, before any slow work.
   */
  ack(reply?: Reply): Promise<void>;
}

export type InboundHandler = (msg: InboundMessage) => Promise<void>;

/** The one interface every chat/e-mail transport implements. */
export interface Adapter {
  readonly name: string;
  /** Whether `edit` really edits in place (false: the core posts fewer, milestone-only updates). */
  readonly canEdit: boolean;
  start(onMessage: InboundHandler): Promise<void>;
  stop(): Promise<void>;
  /**
   * Open the thread of a job started by `request`: post `root` (in the request's channel, or as a
   * reply to the request where the platform threads replies) and return the thread and root message.
   * `jobId` names the job the thread belongs to (labels, the adapter's own memory of job threads); absent for a
   * thread that belongs to no job (e.g. a notice to the admins' channel).
   */
  openThread(request: InboundMessage, root: OutboundMessage, jobId?: string): Promise<{ thread: ThreadRef; root: MessageRef }>;
  /**
   * Open a thread in a place without an inbound request (standing orders: job notices, digests, alerts). `channel` is
   * the adapter's own place id (chat channel id; the recipient's address for e-mail). Adapters whose openThread needs
   * only `request.channel` may leave it out.
   */
  openThreadIn?(channel: string, root: OutboundMessage, jobId?: string): Promise<{ thread: ThreadRef; root: MessageRef }>;
  /** Post into a thread; returns the posted message. Files, if any, are attached/uploaded to the same thread. */
  send(thread: ThreadRef, message: OutboundMessage): Promise<MessageRef>;
  /** Replace the text of a message posted earlier. Only called when canEdit is true. */
  edit(ref: MessageRef, message: OutboundMessage): Promise<void>;
}

/** A sky source from the configured source list (read and checked by src/config/SourceCatalog.ts). */
export interface SourceEntry {
  name: string;
  aliases: string[];
  /** J2000, degrees. */
  ra: number;
  dec: number;
  /** Power-law index Γ assumed for the flux (optional; config `analysis.flux_index` otherwise). */
  index?: number;
}
