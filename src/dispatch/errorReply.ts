import type { Reply } from '../core/types.js';

/**
 * The one "something went wrong" reply, for the dispatcher and every adapter: plain words and the error id, never a
 * stack, path or host; the detail is in the log under that id. `command` names the command that failed, when known.
 * `rejected`: the request was not carried out, so callers (the one-shot CLI) must not report success.
 */
export function errorReply(errorId: string, command?: string): Reply {
  return {
    text: `Sorry, something went wrong${command ? ` with \`${command}\`` : ''} (error ${errorId}). Nothing else was affected; an ASTRAN admin can look the error id up in the log.`,
    ephemeral: true,
    rejected: true,
  };
}
