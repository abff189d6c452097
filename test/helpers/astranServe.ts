/** `astran serve` as a child process on a World's config (console adapter), for the kill-and-restart tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { REPO, waitUntil, type World } from './slurmBot.js';

export interface Serve {
  child: ChildProcess;
  out: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Start `astran serve`; `crashAt` arms a named crash point (ASTRAN_CRASH_AT, src/util/crashPoint.ts). */
export function serve(w: World, crashAt?: string): Serve {
  const child = spawn(process.execPath, [join(REPO, 'bin/astran.js'), 'serve', '--config', w.configFile], {
    cwd: w.dir,
    env: { ...process.env, ASTRAN_CONFIG: '', ASTRAN_CRASH_AT: crashAt ?? '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('exit', (code, signal) => res({ code, signal })));
  return { child, out: () => out, exited };
}

/** Type a launch on the console once the bot listens. */
export async function launch(s: Serve, command = 'launch source=Crab date=20231207'): Promise<void> {
  await waitUntil('the bot to listen', () => s.out().includes('ASTRAN is listening'), 60_000);
  s.child.stdin!.write(`${command}\n`);
}

/** A second bot on the same store, with no input: it resumes, finishes the job, and exits by itself. */
export async function restartToTheEnd(w: World, timeoutMs = 180_000): Promise<Serve> {
  const s = serve(w);
  s.child.stdin!.end();
  let timer: NodeJS.Timeout | undefined;
  const r = await Promise.race([s.exited, new Promise<'timeout'>((res) => (timer = setTimeout(() => res('timeout'), timeoutMs)))]);
  clearTimeout(timer);
  if (r === 'timeout') s.child.kill('SIGKILL');
  assert.notEqual(r, 'timeout', `the restarted bot did not finish: ${s.out()}`);
  assert.equal((r as { code: number | null }).code, 0, s.out());
  return s;
}
