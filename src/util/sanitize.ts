import { redactText } from '../log.js';

/**
 * Make cluster output fit for chat: secrets redacted, absolute paths shortened to their last component, user@host
 * and host names of the form a.b.c dropped. The full text stays in the logs.
 */
export function sanitizeForChat(text: string): string {
  return redactText(text)
    .replace(/(?:\/[A-Za-z0-9._+\-@]+){2,}\/?/g, (p) => '…/' + (p.replace(/\/$/, '').split('/').pop() ?? ''))
    .replace(/\b[A-Za-z0-9._-]+@[A-Za-z0-9.-]+\b/g, '[user@host]')
    .replace(/\b(?:[a-z0-9-]+\.){2,}(?:local|lan|internal|org|es|de|it|jp|net|com|edu)\b/gi, '[host]');
}

/** Last `n` lines of a text. */
export function tail(text: string, n: number): string {
  const lines = text.replace(/\s+$/, '').split('\n');
  return lines.slice(-n).join('\n');
}
