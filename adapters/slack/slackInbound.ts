import { z } from 'zod';

/** The fields of a slash-command payload we rely on (Socket Mode and HTTP carry the same ones). */
export const SlashCommandSchema = z.object({
  command: z.string().min(1),
  text: z.string().default(''),
  user_id: z.string().regex(/^[UW][A-Z0-9]+$/),
  user_name: z.string().optional(),
  channel_id: z.string().regex(/^[CDG][A-Z0-9]+$/),
  team_id: z.string().optional(),
  trigger_id: z.string().min(1),
  response_url: z.url({ protocol: /^https?$/ }),
});
export type SlashCommand = z.infer<typeof SlashCommandSchema>;

const ts = z.string().regex(/^\d+\.\d+$/);

/** `message` and `app_mention` events: only the fields we use. */
export const MessageEventSchema = z.object({
  type: z.enum(['message', 'app_mention']),
  subtype: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  text: z.string().default(''),
  ts,
  thread_ts: ts.optional(),
  channel: z.string().regex(/^[CDG][A-Z0-9]+$/),
  channel_type: z.string().optional(),
});
export type MessageEvent = z.infer<typeof MessageEventSchema>;

/** Subtypes that are still a person typing (everything else — edits, joins, bot posts — is ignored). */
const USER_SUBTYPES = new Set(['thread_broadcast', 'file_share']);
export function isUserMessage(e: MessageEvent): boolean {
  return e.subtype === undefined || USER_SUBTYPES.has(e.subtype);
}

/** Thread keys are `<channel>:<root ts>`: enough to post, edit and find the job again. */
export function threadKey(channel: string, rootTs: string): string {
  return `${channel}:${rootTs}`;
}

export function parseThreadKey(key: string): { channel: string; ts: string } {
  const m = /^([CDG][A-Z0-9]+):(\d+\.\d+)$/.exec(key);
  if (!m) throw new Error('malformed Slack thread key');
  return { channel: m[1], ts: m[2] };
}
