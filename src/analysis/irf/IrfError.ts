/** A run's IRF could not be used: names the run file (base name), the HDU and the problem, in plain words. */
export class IrfError extends Error {
  constructor(
    readonly file: string,
    readonly hdu: string,
    readonly problem: string,
  ) {
    super(`${file}: ${hdu}: ${problem}`);
    this.name = 'IrfError';
  }
}
