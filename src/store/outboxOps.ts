/** Outbox logic shared by both stores (see src/core/Outbox.ts), so the SQLite store and its in-memory twin cannot drift. */
import { z } from 'zod';
import type { NewOutboxItem, OutboxItem } from '../core/Outbox.js';
import type { OutboundMessage } from '../core/types.js';
import { messageRefSchema, threadRefSchema } from './recordSchemas.js';

/** The stored form: JSON, with file contents in base64. */
const storedMessageSchema = z.object({
  text: z.string(),
  html: z.string().optional(),
  idempotencyKey: z.string().optional(),
  files: z.array(z.object({ name: z.string(), contentType: z.string(), title: z.string().optional(), base64: z.string() })).optional(),
});

export const storedOutboxItemSchema = z.object({
  seq: z.number().int(),
  key: z.string().min(1),
  jobId: z.string().nullable(),
  op: z.enum(['send', 'edit', 'progress', 'open']),
  thread: threadRefSchema,
  target: messageRefSchema.nullable(),
  message: storedMessageSchema,
  role: z.string().nullable(),
  state: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int().min(0),
  nextAttemptAt: z.string(),
  firstFailureAt: z.string().nullable(),
  lastError: z.string().nullable(),
  delivered: messageRefSchema.nullable(),
  fallback: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type StoredOutboxItem = z.infer<typeof storedOutboxItemSchema>;

function encodeMessage(m: OutboundMessage): StoredOutboxItem['message'] {
  const out: StoredOutboxItem['message'] = { text: m.text };
  if (m.html !== undefined) out.html = m.html;
  if (m.idempotencyKey !== undefined) out.idempotencyKey = m.idempotencyKey;
  if (m.files?.length) out.files = m.files.map((f) => ({ name: f.name, contentType: f.contentType, ...(f.title !== undefined ? { title: f.title } : {}), base64: f.data.toString('base64') }));
  return out;
}

function decodeMessage(m: StoredOutboxItem['message']): OutboundMessage {
  const out: OutboundMessage = { text: m.text };
  if (m.html !== undefined) out.html = m.html;
  if (m.idempotencyKey !== undefined) out.idempotencyKey = m.idempotencyKey;
  if (m.files) out.files = m.files.map((f) => ({ name: f.name, contentType: f.contentType, ...(f.title !== undefined ? { title: f.title } : {}), data: Buffer.from(f.base64, 'base64') }));
  return out;
}

export function toStored(item: OutboxItem): StoredOutboxItem {
  return { ...item, message: encodeMessage(item.message) };
}

export function fromStored(s: StoredOutboxItem): OutboxItem {
  return { ...s, message: decodeMessage(s.message) };
}

/** A new pending item; the idempotency key also travels in the message. */
export function newOutboxItem(n: NewOutboxItem, seq: number, nowIso: string): OutboxItem {
  if (n.op === 'edit' && !n.target) throw new Error(`outbox item ${n.key}: an edit needs a target message`);
  return {
    seq,
    key: n.key,
    jobId: n.jobId ?? null,
    op: n.op,
    thread: { ...n.thread },
    target: n.target ?? null,
    message: { ...n.message, idempotencyKey: n.key },
    role: n.role ?? null,
    state: 'pending',
    attempts: 0,
    nextAttemptAt: nowIso,
    firstFailureAt: null,
    lastError: null,
    delivered: null,
    fallback: null,
    createdAt: nowIso,
    updatedAt: nowIso,
  };
}

/** Enqueue over an existing item of the same key: only a progress line takes the new text (and is due again). */
export function reenqueue(prev: OutboxItem, n: NewOutboxItem, nowIso: string): OutboxItem | null {
  if (prev.op !== 'progress' || n.op !== 'progress') return null;
  if (prev.message.text === n.message.text && prev.state !== 'failed') return null;
  return { ...prev, message: { ...n.message, idempotencyKey: prev.key }, state: 'pending', attempts: 0, nextAttemptAt: nowIso, firstFailureAt: null, lastError: null, fallback: null, updatedAt: nowIso };
}

export function delivered(prev: OutboxItem, ref: OutboxItem['delivered'], nowIso: string): OutboxItem {
  return { ...prev, state: 'delivered', delivered: ref ?? prev.delivered, lastError: null, updatedAt: nowIso };
}

export function retried(prev: OutboxItem, error: string, next: Date, nowIso: string): OutboxItem {
  return { ...prev, attempts: prev.attempts + 1, lastError: error, nextAttemptAt: next.toISOString(), firstFailureAt: prev.firstFailureAt ?? nowIso, updatedAt: nowIso };
}

export function failed(prev: OutboxItem, error: string, fallback: string | null, nowIso: string): OutboxItem {
  return { ...prev, state: 'failed', attempts: prev.attempts + 1, lastError: error, fallback, firstFailureAt: prev.firstFailureAt ?? nowIso, updatedAt: nowIso };
}
