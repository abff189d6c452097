/**
 * Request schemas of the Mattermost v4 endpoints ASTRAN calls, derived from Mattermost's published OpenAPI
 * description (mattermost/mattermost, api/v4/source/posts.yaml, files.yaml, users.yaml, channels.yaml). The fake
 * checks every request against them; a request that does not fit is listed in `FakeMattermost.schemaViolations`
 * (then answered as Mattermost would), and the rig's close() fails the test: an adapter that sends something the API
 * does not describe fails its contract tests. Where the description says other fields are ignored (patch), extra keys pass.
 */
import { z } from 'zod';

const id = z.string().regex(/^[a-z0-9]{26}$/, 'a 26-character Mattermost id');

/** POST /api/v4/posts — CreatePost: required channel_id and message; root_id, file_ids (at most 5), props, metadata. */
export const CreatePostRequest = z.strictObject({
  channel_id: id,
  message: z.string(),
  root_id: id.or(z.literal('')).optional(),
  file_ids: z.array(id).max(5, 'posts are limited to 5 files').optional(),
  props: z.record(z.string(), z.unknown()).optional(),
  metadata: z.looseObject({ priority: z.looseObject({ priority: z.string().optional(), requested_ack: z.boolean().optional() }).optional() }).optional(),
  /** Not in CreatePost's request listing but a field of the Post definition the server dedupes creates by (30 s). */
  pending_post_id: z.string().min(1).optional(),
});

/** PUT /api/v4/posts/{post_id}/patch — PatchPost: only the listed fields are applied, others ignored. */
export const PatchPostRequest = z.looseObject({
  is_pinned: z.boolean().optional(),
  message: z.string().optional(),
  file_ids: z.array(id).optional(),
  has_reactions: z.boolean().optional(),
  props: z.unknown().optional(),
});

/** POST /api/v4/files — UploadFile (multipart/form-data): channel_id and one or more `files` parts. */
export const UploadFileRequest = z.strictObject({
  channel_id: id,
  files: z.array(z.object({ name: z.string().min(1), size: z.number().int().nonnegative() })).min(1),
});

const bool = z.enum(['true', 'false']);

/**
 * GET /api/v4/channels/{channel_id}/posts — GetPostsForChannel query: page, per_page, since, before, after,
 * include_deleted, type; `since` must not be combined with before/after/page/per_page.
 * Client4's getPostsSince also sends skipFetchThreads, collapsedThreads and collapsedThreadsExtended, which the
 * description lists for other post endpoints but not this one (the server reads them); they are allowed here as
 * booleans and nothing else is.
 */
export const ChannelPostsQuery = z
  .strictObject({
    page: z.coerce.number().int().nonnegative().optional(),
    per_page: z.coerce.number().int().positive().optional(),
    since: z.coerce.number().int().positive().optional(),
    before: id.optional(),
    after: id.optional(),
    include_deleted: bool.optional(),
    type: z.string().optional(),
    skipFetchThreads: bool.optional(),
    collapsedThreads: bool.optional(),
    collapsedThreadsExtended: bool.optional(),
  })
  .refine((q) => q.since === undefined || (q.before === undefined && q.after === undefined && q.page === undefined && q.per_page === undefined), 'since must not be used with before, after, page or per_page');

/** Endpoints ASTRAN uses, method + path (under /api/v4) → the schema its request must fit (null: no body). */
export const ENDPOINTS: { method: string; path: RegExp; body?: z.ZodType; query?: z.ZodType }[] = [
  { method: 'GET', path: /^\/users\/me$/ },
  { method: 'POST', path: /^\/posts$/, body: CreatePostRequest },
  /** POST /api/v4/channels/direct — body: the two user ids (channels.yaml CreateDirectChannel). */
  { method: 'POST', path: /^\/channels\/direct$/, body: z.array(z.string().regex(/^[a-z0-9]{26}$/)).length(2) },
  { method: 'GET', path: /^\/posts\/[a-z0-9]{26}$/ },
  { method: 'PUT', path: /^\/posts\/[a-z0-9]{26}\/patch$/, body: PatchPostRequest },
  { method: 'GET', path: /^\/channels\/[a-z0-9]{26}\/posts$/, query: ChannelPostsQuery },
  { method: 'POST', path: /^\/files$/, body: UploadFileRequest },
];

export function issuesOf(r: z.ZodSafeParseResult<unknown>): string[] {
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
}
