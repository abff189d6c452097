import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadedConfig } from '../bot/config.js';

/** The H.E.S.S. DL3 DR1 licence requires this line wherever its data are used. */
export const HESS_ATTRIBUTION = 'This work made use of data from the H.E.S.S. DL3 public test data release 1 (HESS DL3 DR1, H.E.S.S. collaboration, 2018).';

/** The attribution to print with results when the data base is the bundled H.E.S.S. sample. */
export function sampleAttribution(loaded: LoadedConfig): string | undefined {
  const readme = join(loaded.base, 'README.txt');
  return existsSync(readme) && readFileSync(readme, 'utf8').includes('HESS DL3 DR1') ? HESS_ATTRIBUTION : undefined;
}
