import { Writable } from 'node:stream';
import { analyseCommand } from '../../src/cli/analyse.js';

/** A stream that keeps what was written to it. */
export function textSink(): Writable & { text: string } {
  const w = new Writable({
    write(chunk, _enc, cb) {
      w.text += String(chunk);
      cb();
    },
  }) as Writable & { text: string };
  w.text = '';
  return w;
}

/** `astran analyse argv` in this process: exit code, stdout and stderr. */
export async function runAnalyse(argv: string[], deps: Parameters<typeof analyseCommand>[2] = {}) {
  const stdout = textSink(), stderr = textSink();
  const code = await analyseCommand(argv, { stdout, stderr, env: {}, cwd: process.cwd() }, deps);
  return { code, out: stdout.text, err: stderr.text };
}
