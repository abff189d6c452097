/**
 * Human-typable job ids: `<prefix>-<seq>`, e.g. `A-0042`. The sequence is zero-padded to 4 digits and
 * simply grows wider past 9999, so ids stay unique and sort naturally within a width.
 */

const PREFIX_RE = /^[A-Z]$/;
const ID_RE = /^([A-Za-z])-(\d{1,12})$/;

export const DEFAULT_JOB_ID_PREFIX = 'A';
export const JOB_ID_PAD = 4;

/** Throws when the configured prefix is not a single upper-case letter. */
export function assertJobIdPrefix(prefix: string): string {
  if (!PREFIX_RE.test(prefix)) throw new Error(`job id prefix must be one upper-case letter A-Z, got ${JSON.stringify(prefix)}`);
  return prefix;
}

export function formatJobId(prefix: string, seq: number): string {
  if (!Number.isSafeInteger(seq) || seq < 1) throw new Error(`job sequence must be a positive integer, got ${seq}`);
  return `${assertJobIdPrefix(prefix)}-${String(seq).padStart(JOB_ID_PAD, '0')}`;
}

/**
 * Normalise what a human typed (`a-42`, `A-0042`, ` A-042 `) to the canonical id, or undefined when it
 * is not an id at all. Only the prefix and number matter, so padding typos still find the job.
 */
export function parseJobId(text: string): { prefix: string; seq: number; id: string } | undefined {
  const m = ID_RE.exec(text.trim());
  if (!m) return undefined;
  const prefix = m[1].toUpperCase();
  const seq = Number(m[2]);
  if (!Number.isSafeInteger(seq) || seq < 1) return undefined;
  return { prefix, seq, id: formatJobId(prefix, seq) };
}
