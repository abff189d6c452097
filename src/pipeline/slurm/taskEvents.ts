import { posix } from 'node:path';
import type { TaskEvent } from '../ClusterBackend.js';

/** The events file of an ASTRAN job on the cluster: <remoteWorkdir>/<jobId>/events (one for all its stages). */
export function eventsFile(remoteWorkdir: string, jobId: string): string {
  return posix.join(remoteWorkdir, jobId, 'events');
}

/** What a job script appends when a task ends: `astran-event <array job id> <task id> <exit code>`. */
const LINE = /^astran-event (\d{1,12}) (\d{1,7}) (\d{1,3})$/;

/** Parse followed output: complete lines only; anything else (partial lines, noise) is skipped. */
export function parseEventLines(text: string): TaskEvent[] {
  const out: TaskEvent[] = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line.trim());
    if (m) out.push({ ref: m[1]!, index: Number(m[2]), exitCode: Number(m[3]) });
  }
  return out;
}
