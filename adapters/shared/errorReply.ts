import type { Reply } from '../../src/core/types.js';

/**
 * The one reply an adapter gives when handling a request failed below the dispatcher (which itself never rejects):
 * plain words and the error id; the detail is in the log under that id.
 */
export function errorReply(errorId: string): Reply {
  return { text: `Sorry, ASTRAN could not handle that request (error ${errorId}). Please try again; an ASTRAN admin can look the error id up in the log.`, ephemeral: true, rejected: true };
}
