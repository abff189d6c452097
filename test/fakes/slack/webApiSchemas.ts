/**
 * Request schemas of the Slack Web API methods ASTRAN calls, from Slack's Web API reference (docs.slack.dev,
 * "Arguments" of each method page). Arguments arrive form-encoded (strings; arrays as JSON text) or as JSON. The fake
 * checks every call against them; a call that does not fit is listed in `FakeSlack.schemaViolations` (then answered
 * as Slack would), and `close()` fails the test. A method without a schema here is one ASTRAN is not expected to call.
 */
import { z } from 'zod';

const ts = z.string().regex(/^\d+\.\d+$/, 'a message ts');
const channel = z.string().regex(/^[CDG][A-Z0-9]+$/, 'a channel id');
/** chat.postMessage also takes a user id: the message goes to the app's direct message with that user. */
const channelOrUser = z.string().regex(/^[CDGUW][A-Z0-9]+$/, 'a channel id or a user id');
/** Arrays are sent as JSON text in form-encoded calls. */
const jsonArray = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => {
    if (typeof v !== 'string') return v;
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }, z.array(item));
const text = z.string();
const hasContent = (a: { text?: string; blocks?: unknown; attachments?: unknown }) => !!a.text || a.blocks !== undefined || a.attachments !== undefined;

export const SLACK_METHOD_SCHEMAS: Record<string, z.ZodType> = {
  /** auth.test: token only. */
  'auth.test': z.looseObject({}),
  /** apps.connections.open: app-level token only. */
  'apps.connections.open': z.looseObject({}),
  /** chat.postMessage: channel, and one of text / blocks / attachments; thread_ts of the parent. */
  'chat.postMessage': z
    .looseObject({ channel: channelOrUser, text: text.optional(), blocks: z.unknown().optional(), attachments: z.unknown().optional(), thread_ts: ts.optional(), mrkdwn: z.unknown().optional() })
    .refine(hasContent, 'one of text, blocks or attachments is required'),
  /** chat.update: channel and ts of the message; new text / blocks / attachments. */
  'chat.update': z.looseObject({ channel, ts, text: text.optional(), blocks: z.unknown().optional(), attachments: z.unknown().optional() }),
  /** chat.postEphemeral: channel, user, and one of text / blocks / attachments. */
  'chat.postEphemeral': z
    .looseObject({ channel, user: z.string().regex(/^[UW][A-Z0-9]+$/, 'a user id'), text: text.optional(), blocks: z.unknown().optional(), attachments: z.unknown().optional(), thread_ts: ts.optional() })
    .refine(hasContent, 'one of text, blocks or attachments is required'),
  /** files.getUploadURLExternal: filename and length (bytes) required; alt_text optional. */
  'files.getUploadURLExternal': z.looseObject({ filename: z.string().min(1), length: z.coerce.number().int().positive(), alt_text: z.string().optional() }),
  /** files.completeUploadExternal: files (array of {id, title?}) required; channel_id, thread_ts (the parent's) optional. */
  'files.completeUploadExternal': z.looseObject({
    files: jsonArray(z.looseObject({ id: z.string().regex(/^F[A-Z0-9]+$/), title: z.string().optional() })).refine((a) => a.length > 0, 'at least one file'),
    channel_id: channel.optional(),
    thread_ts: ts.optional(),
    initial_comment: z.string().optional(),
  }),
};

export function checkSlackCall(method: string, args: Record<string, unknown>): string[] {
  const schema = SLACK_METHOD_SCHEMAS[method];
  if (!schema) return [`${method}: not a method ASTRAN is described to call`];
  const r = schema.safeParse(args);
  return r.success ? [] : r.error.issues.map((i) => `${method} ${i.path.join('.') || '(args)'}: ${i.message}`);
}
