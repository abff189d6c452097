import { neutraliseBroadcasts, plainSafe, renderWithUserText, splitCode } from '../shared/safeText.js';

/**
 * The core's light markdown made safe for a Mattermost post: bidi and control characters stripped, @channel,
 * @here and @all made inert, and square brackets escaped outside code so that no `[label](url)` link or `![](…)`
 * image can come from echoed user text (ASTRAN writes none itself; a bare URL still shows what it is).
 */
export function toMattermost(md: string): string {
  return renderWithUserText(md, ownMattermost, mattermostUserText);
}

function ownMattermost(md: string): string {
  return splitCode(plainSafe(md))
    .map((part, i) => (i % 2 === 1 ? part : neutraliseBroadcasts(part).replace(/([[\]])/g, '\\$1')))
    .join('');
}

/**
 * One user-controlled string for Mattermost: every markdown character backslash-escaped (so `*bold*`, `[x](url)`,
 * `![](…)`, headings and tables show as typed), broadcasts inert, bidi and controls stripped. Inside ASTRAN's code
 * span only a backtick matters (it would end the span): it becomes a straight quote there.
 */
export function mattermostUserText(s: string, inCode: boolean): string {
  const safe = plainSafe(s);
  if (inCode) return neutraliseBroadcasts(safe.replace(/`/g, "'"));
  return neutraliseBroadcasts(safe.replace(/[\\`*_~[\]()#|<>!]/g, '\\$&'));
}
