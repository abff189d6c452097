import type { SourceEntry } from './types.js';
import type { LaunchParams } from './JobStore.js';

/** The source a job analyses: its target of opportunity when it has one, else the source list's entry. */
export function jobTarget(params: Pick<LaunchParams, 'source' | 'target'>, sources: { resolve(name: string): SourceEntry | undefined }): SourceEntry | undefined {
  if (params.target) return { name: params.source, aliases: [], ra: params.target.ra, dec: params.target.dec };
  return sources.resolve(params.source);
}
