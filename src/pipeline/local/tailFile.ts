import { open } from 'node:fs/promises';

/** Last `lines` lines of a text file ('' when it does not exist). Reads at most `maxBytes` from the end. */
export async function tailFile(path: string, lines: number, maxBytes = 256 * 1024): Promise<string> {
  if (lines <= 0) return '';
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw e;
  }
  try {
    const { size } = await fh.stat();
    const len = Math.min(size, maxBytes);
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, size - len);
    let text = buf.toString('utf8');
    if (len < size) text = text.slice(text.indexOf('\n') + 1); // drop the partial first line
    const all = text.replace(/\n$/, '').split('\n');
    return all.slice(Math.max(0, all.length - lines)).join('\n');
  } finally {
    await fh.close();
  }
}
