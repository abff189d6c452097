import { neutraliseBroadcasts, plainSafe, splitCode } from '../shared/safeText.js';

/**
 * The core's light markdown made safe for a Mattermost post: bidi and control characters stripped, @channel,
 * @here and @all made inert, and square brackets escaped outside code so that no `[label](url)` link or `![](…)`
 * image can come from echoed user text (ASTRAN writes none itself; a bare URL still shows what it is).
 */
export function toMattermost(md: string): string {
  return splitCode(plainSafe(md))
    .map((part, i) => (i % 2 === 1 ? part : neutraliseBroadcasts(part).replace(/([[\]])/g, '\\$1')))
    .join('');
}
