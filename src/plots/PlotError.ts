/** Errors from the plot renderers. Messages are safe to show to users (no paths, no stack). */
export class PlotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlotError';
  }
}
