/** Errors raised by job store implementations. Messages name the job/row but never file paths. */

/** A stored row could not be decoded (bad JSON or a value that fails its schema). */
export class CorruptRowError extends Error {
  constructor(
    readonly table: string,
    readonly rowKey: string,
    readonly column: string,
    readonly issue: string,
  ) {
    super(`corrupt ${table} row ${rowKey}: column ${column}: ${issue}`);
    this.name = 'CorruptRowError';
  }
}

/** The database was written by a newer ASTRAN (schema version above what this build knows). */
export class SchemaTooNewError extends Error {
  constructor(
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `job database schema version ${found} is newer than this ASTRAN supports (${supported}); ` +
        'upgrade ASTRAN or point store.path at another database',
    );
    this.name = 'SchemaTooNewError';
  }
}

/** Lookup of a job that does not exist, where the caller must name an existing job. */
export class UnknownJobError extends Error {
  constructor(readonly jobId: string) {
    super(`no job ${jobId}`);
    this.name = 'UnknownJobError';
  }
}

/** A second job for a request that already launched one (NewJob.requestKey seen before). */
export class DuplicateRequestError extends Error {
  constructor(
    readonly requestKey: string,
    readonly jobId: string,
  ) {
    super(`request ${requestKey} already launched job ${jobId}`);
    this.name = 'DuplicateRequestError';
  }
}
