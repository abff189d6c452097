/** A FITS file could not be read: names the file (base name only, no directories) and the problem. */
export class FitsError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'FitsError';
  }
}
