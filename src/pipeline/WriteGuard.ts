import { UserFacingError } from '../core/errors.js';
import { rootContaining } from '../util/pathUnder.js';
import type { Logger } from '../log.js';

/** A write (mkdir, output, removal) aimed inside a read-only data root. The message holds no path; the log does. */
export class ReadOnlyPathError extends UserFacingError {
  constructor(readonly what: string) {
    super(
      `ASTRAN refused to write into the read-only data tree (${what}).`,
      'The configuration points this at the production data: an ASTRAN admin must move it into the workspace (`astran check-config` names the key).',
    );
    this.name = 'ReadOnlyPathError';
  }
}

/**
 * The backends' last line of defence for data.read_only_roots: called before any mkdir, submission or removal.
 * check-config refuses such a configuration already; this catches what slips through (templates with per-run values,
 * a config edited without a check).
 */
export function assertWritable(paths: readonly string[], roots: readonly string[], what: string, log: Logger): void {
  if (!roots.length) return;
  for (const p of paths) {
    const root = rootContaining(p, roots);
    if (root) {
      log.error({ path: p, root, what }, 'refusing to write inside a read-only data root');
      throw new ReadOnlyPathError(what);
    }
  }
}
