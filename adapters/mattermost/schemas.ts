import { z } from 'zod';

/** The parts of a Mattermost Post the adapter uses (server/public/model/post.go); unknown keys pass. */
export const PostSchema = z.looseObject({
  id: z.string().min(1),
  create_at: z.number(),
  update_at: z.number().optional().default(0),
  delete_at: z.number().optional().default(0),
  user_id: z.string(),
  channel_id: z.string(),
  root_id: z.string().optional().default(''),
  original_id: z.string().optional().default(''),
  message: z.string().optional().default(''),
  type: z.string().optional().default(''),
  props: z.record(z.string(), z.unknown()).nullish().transform((p) => p ?? {}),
  file_ids: z.array(z.string()).nullish(),
});
export type MMPost = z.infer<typeof PostSchema>;

export const PostListSchema = z.looseObject({
  order: z.array(z.string()).nullish().transform((o) => o ?? []),
  posts: z.record(z.string(), z.unknown()).nullish().transform((p) => p ?? {}),
});

/** A channel as POST /channels/direct returns it (the parts used). */
export const ChannelSchema = z.looseObject({ id: z.string().min(1), type: z.string().optional() });

export const MeSchema = z.looseObject({
  id: z.string().min(1),
  username: z.string().min(1),
  is_bot: z.boolean().optional(),
});

export const FileUploadResponseSchema = z.looseObject({
  file_infos: z.array(z.looseObject({ id: z.string().min(1) })),
});

/** Any frame from /api/v4/websocket: an event (`event`, `seq`) or a reply to our request (`seq_reply`). */
export const SocketFrameSchema = z.looseObject({
  event: z.string().optional(),
  seq: z.number().optional(),
  seq_reply: z.number().optional(),
  status: z.string().optional(),
  data: z.record(z.string(), z.unknown()).nullish(),
  broadcast: z.record(z.string(), z.unknown()).nullish(),
});
export type SocketFrame = z.infer<typeof SocketFrameSchema>;

/** `posted` event data: `post` and `mentions` are JSON strings that must be parsed again. */
export const PostedDataSchema = z.looseObject({
  post: z.string(),
  sender_name: z.string().optional(),
  mentions: z.string().optional(),
  channel_type: z.string().optional(),
});

export const MentionsSchema = z.array(z.string());

/**
 * Custom slash command request (form-encoded). Released servers send no root_id; accepted if a
 * future server does. Field lengths bounded so junk cannot balloon memory or logs.
 */
export const SlashPayloadSchema = z.looseObject({
  token: z.string().max(200).optional(),
  team_id: z.string().max(64).optional().default(''),
  channel_id: z.string().min(1).max(64),
  channel_name: z.string().max(200).optional(),
  user_id: z.string().min(1).max(64),
  user_name: z.string().max(200).optional(),
  command: z.string().max(200).optional().default(''),
  text: z.string().max(4000).optional().default(''),
  trigger_id: z.string().max(500).optional(),
  response_url: z.string().max(2000).optional(),
  root_id: z.string().max(64).optional(),
});
export type SlashPayload = z.infer<typeof SlashPayloadSchema>;
