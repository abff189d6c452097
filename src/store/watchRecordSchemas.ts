/** zod schemas for the watch tables' JSON columns and for values on write (nothing invalid is ever stored). */
import { z } from 'zod';
import { NOTICE_KINDS, NOTICE_STATES } from '../core/WatchStore.js';
import { identitySchema, messageRefSchema } from './recordSchemas.js';

export const placeSchema = z.object({ adapter: z.string().min(1).max(64), channel: z.string().min(1).max(320) });

export const cutsSchema = z
  .object({
    theta2_cut: z.number().positive().max(0.5),
    off_regions: z.number().int().min(1).max(5),
    emin: z.number().positive().optional(),
    emax: z.number().positive().optional(),
  })
  .strict();

export const tooSchema = z.object({ ra: z.number().min(0).lt(360), dec: z.number().min(-90).max(90) }).strict();

export const newSubscriptionSchema = z.object({
  place: placeSchema,
  subscriber: identitySchema,
  source: z.string().min(1).max(120),
  too: tooSchema.nullable(),
  cuts: cutsSchema,
  alertSigma: z.number().positive().max(1000).nullable(),
  alertRate: z.number().positive().max(1e6).nullable(),
});

const night = z.string().regex(/^\d{8}$/);

export const newLaunchSchema = z.object({
  source: z.string().min(1),
  night,
  cutsKey: z.string().min(1),
  runIds: z.array(z.number().int().nonnegative()).min(1),
});

export const noticeFileSchema = z.object({ name: z.string().min(1), path: z.string().min(1), contentType: z.string().min(1) }).strict();
export const noticeFilesSchema = z.array(noticeFileSchema);

export const newNoticeSchema = z.object({
  key: z.string().min(1).max(500),
  place: placeSchema,
  kind: z.enum(NOTICE_KINDS),
  text: z.string(),
  files: noticeFilesSchema,
  replyTo: messageRefSchema.nullable().optional(),
  mentions: z.array(identitySchema).max(50).optional(),
});

export const noticeStateSchema = z.enum(NOTICE_STATES);
export { identitySchema, messageRefSchema };

/** Parse or throw an Error naming what was invalid (callers' bugs, never user input: commands validate first). */
export function mustParse<S extends z.ZodType>(what: string, schema: S, v: unknown): z.output<S> {
  const r = schema.safeParse(v);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`invalid ${what}${i?.path.length ? '.' + i.path.join('.') : ''}: ${i?.message ?? 'invalid value'}`);
  }
  return r.data;
}
