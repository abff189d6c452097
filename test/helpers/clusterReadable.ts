import { chmodSync, cpSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const REPO = resolve(new URL('../..', import.meta.url).pathname);
/** The repo's byte-identical copy of the shared H.E.S.S. DL3 DR1 subset. */
export const REPO_HESS = join(REPO, 'test/fixtures/hess-dl3-dr1');
export const REPO_STANDINS = join(REPO, 'test/fakes/standins');

let cached: { hess: string; standins: string } | undefined;

/**
 * Copies of the H.E.S.S. sample and the stand-in tools that the cluster's unprivileged `astran` user can read: the
 * checkout may live under a private folder (CI clones anywhere), while Slurm tasks run as `astran`.
 */
export function clusterReadable(): { hess: string; standins: string } {
  if (cached) return cached;
  const dir = join('/tmp', `astran-shared-${process.pid}`);
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    cpSync(REPO_HESS, join(dir, 'hess-dl3-dr1'), { recursive: true });
    cpSync(REPO_STANDINS, join(dir, 'standins'), { recursive: true });
  }
  const open = (p: string, mode: number) => chmodSync(p, mode);
  open(dir, 0o755);
  for (const d of ['hess-dl3-dr1', 'hess-dl3-dr1/data', 'standins']) open(join(dir, d), 0o755);
  cached = { hess: join(dir, 'hess-dl3-dr1'), standins: join(dir, 'standins') };
  return cached;
}
