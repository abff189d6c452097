import { readdir, readFile, stat } from 'node:fs/promises';
import { READ_TEXT_MAX_BYTES, type FileStat } from '../ClusterBackend.js';

/** ClusterFiles on this machine's own file system (the local backend, and tests). */

export async function localStat(paths: string[]): Promise<(FileStat | null)[]> {
  return Promise.all(
    paths.map(async (p) => {
      const st = await stat(p).catch(() => null);
      return st ? { size: st.size, mtimeMs: st.mtimeMs } : null;
    }),
  );
}

export class FileTooLargeError extends Error {
  constructor(readonly bytes: number) {
    super(`file too large to read as text (${bytes} bytes, at most ${READ_TEXT_MAX_BYTES})`);
    this.name = 'FileTooLargeError';
  }
}

export async function localReadText(paths: string[]): Promise<(string | null)[]> {
  return Promise.all(
    paths.map(async (p) => {
      const st = await stat(p).catch(() => null);
      if (!st || !st.isFile()) return null;
      if (st.size > READ_TEXT_MAX_BYTES) throw new FileTooLargeError(st.size);
      return readFile(p, 'utf8').catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return null;
        throw e;
      });
    }),
  );
}

export async function localList(dir: string): Promise<string[] | null> {
  try {
    return (await readdir(dir)).sort();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw e;
  }
}

/** This machine's file system as ClusterFiles. */
export const localFiles = {
  async exists(paths: string[]): Promise<boolean[]> {
    return (await localStat(paths)).map((s) => s !== null);
  },
  stat: localStat,
  readText: localReadText,
  list: localList,
};
