import { firstHeader, headerValues, type HeaderField } from './headers.js';

/**
 * Why a message must not be answered (auto-replies, bounces, lists), or null when a human sent it.
 * Answering those risks mail loops and backscatter (RFC 3834 §2 and §3.1).
 */
export function automatedReason(fields: HeaderField[], ownAddresses: string[] = []): string | null {
  const autoSubmitted = firstHeader(fields, 'auto-submitted');
  if (autoSubmitted !== undefined && autoSubmitted.split(/[;(\s]/)[0].toLowerCase() !== 'no') return `Auto-Submitted: ${autoSubmitted}`;

  const precedence = firstHeader(fields, 'precedence')?.toLowerCase();
  if (precedence && /^(bulk|list|junk|auto_reply)\b/.test(precedence)) return `Precedence: ${precedence}`;

  const returnPaths = headerValues(fields, 'return-path');
  if (returnPaths.length > 0 && /^<\s*>$/.test(returnPaths[0].trim())) return 'empty Return-Path (bounce)';

  const from = firstHeader(fields, 'from') ?? '';
  const addr = (from.match(/<([^<>]*)>/)?.[1] ?? from).trim().toLowerCase();
  const local = addr.split('@')[0];
  if (local === 'mailer-daemon' || local === 'postmaster') return `From: ${local}`;
  if (ownAddresses.some((a) => a.toLowerCase() === addr)) return 'sent by this bot';

  if (firstHeader(fields, 'list-id') !== undefined) return 'List-Id';
  if (firstHeader(fields, 'list-unsubscribe') !== undefined) return 'List-Unsubscribe';

  const suppress = firstHeader(fields, 'x-auto-response-suppress');
  if (suppress !== undefined && !/^\s*none\s*$/i.test(suppress)) return `X-Auto-Response-Suppress: ${suppress}`;

  if (firstHeader(fields, 'x-autoreply') !== undefined || firstHeader(fields, 'x-autorespond') !== undefined) return 'X-Autoreply';

  const ctype = firstHeader(fields, 'content-type')?.toLowerCase() ?? '';
  if (/^multipart\/report\b/.test(ctype)) return 'delivery/read report';
  return null;
}
