/**
 * Text conversions at the Slack edge. Inbound: Slack escapes &, <, > and wraps mentions and links
 * in <...>. Outbound: the core writes light markdown; Slack's mrkdwn differs (single-star bold,
 * <url|label> links) and needs &, <, > escaped.
 */
import { neutraliseBroadcasts, plainSafe, renderWithUserText, splitCode } from '../shared/safeText.js';

/** Remove mentions of the bot (`<@U123>` or `<@U123|name>`) and decode Slack's entity escapes. */
export function inboundText(text: string, botUserId: string): string {
  const mention = new RegExp(`<@${escapeRe(botUserId)}(?:\\|[^>]*)?>`, 'g');
  return decodeEntities(
    text
      .replace(mention, ' ')
      // Links and other mentions: keep the label, else the target (`<https://x|x>` → `x`).
      .replace(/<([^<>|]+)\|([^<>]*)>/g, '$2')
      .replace(/<(?![@#!])([^<>]+)>/g, '$1'),
  )
    .replace(/[\u00a0\s]+/g, ' ')
    .trim();
}

export function mentionsUser(text: string, userId: string): boolean {
  return new RegExp(`<@${escapeRe(userId)}(?:\\|[^>]*)?>`).test(text);
}

function decodeEntities(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Light markdown → Slack mrkdwn, made safe to post: bidi and control characters stripped, `&`, `<`, `>` escaped
 * everywhere (so no `<!channel>`, `<@U…>` or `<url|label>` can come from echoed user text), broadcast words made
 * inert. Markdown links are NOT turned into Slack links: ASTRAN writes none, so any is user text and shows as typed.
 * Code spans and blocks are left untouched apart from escaping.
 */
export function toMrkdwn(md: string): string {
  return renderWithUserText(md, ownMrkdwn, slackUserText);
}

const escapeSlack = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * One user-controlled string for Slack: `&<>` escaped (no `<!channel>`, `<@U…>` or `<url|label>`), broadcasts inert,
 * bidi and controls stripped. Slack has no escape character for its formatting, so `*`, `_`, `~` and backticks get a
 * zero-width space on both sides: shown as typed, they cannot pair up into bold, italics, strike or code. Inside
 * ASTRAN's code span a backtick would end the span: it becomes a straight quote there.
 */
export function slackUserText(s: string, inCode: boolean): string {
  const safe = escapeSlack(plainSafe(s));
  if (inCode) return safe.replace(/`/g, "'");
  return neutraliseBroadcasts(safe).replace(/[*_~`]/g, (c) => `\u200B${c}\u200B`);
}

function ownMrkdwn(md: string): string {
  return splitCode(plainSafe(md))
    .map((part, i) => {
      const escaped = part.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      if (i % 2 === 1) return escaped; // inside code
      return neutraliseBroadcasts(escaped)
        .replace(/\*\*([^*\n]+)\*\*/g, '*$1*')
        .replace(/__([^_\n]+)__/g, '*$1*')
        .replace(/^(\s*)[-*] /gm, '$1• ')
        .replace(/^#{1,6} +(.+)$/gm, '*$1*');
    })
    .join('');
}

/**
 * Append Slack mentions (`<@U…>`) for the message's `mentions`, after the text was escaped: only Slack user ids of
 * the expected shape, so nothing typed by a user can become a mention or a link here.
 */
export function withMentions(mrkdwn: string, mentions: readonly { adapter: string; userId: string }[] | undefined): string {
  const ids = [...new Set((mentions ?? []).filter((m) => m.adapter === 'slack' && /^[UW][A-Z0-9]{2,20}$/.test(m.userId)).map((m) => m.userId))];
  return ids.length ? `${mrkdwn}\n${ids.map((id) => `<@${id}>`).join(' ')}` : mrkdwn;
}

/** Slack's limit for chat.postMessage text is 40 000 characters; keep well under it. */
export function clampText(s: string, max = 39000): string {
  return s.length <= max ? s : s.slice(0, max - 20) + '\n… (truncated)';
}
