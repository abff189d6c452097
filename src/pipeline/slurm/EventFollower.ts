import type { Logger } from '../../log.js';
import type { TaskEvent } from '../ClusterBackend.js';
import { shellJoin } from './shq.js';
import type { SshConnection } from './SshConnection.js';
import { parseEventLines } from './taskEvents.js';

/**
 * Follows the events files of every active job with ONE long-lived remote command on the persistent connection
 * (`tail -F` over all the files; it ends on the cluster when its input closes). When the set of files changes the
 * command is replaced, and it replays the files from the start: events are hints, so repeats do not matter. A dropped
 * connection ends it; it is started again once the connection is back.
 */
export class EventFollower {
  private wanted: string[] = [];
  private current: { key: string; stop(): void } | undefined;
  private pending = '';
  private stopped = false;
  private restartTimer: NodeJS.Timeout | null = null;
  /** Follower commands started (tests, benchmarks). */
  starts = 0;

  constructor(
    private readonly conn: SshConnection,
    private readonly log: Logger,
    private readonly onEvents: (events: TaskEvent[]) => void,
    private readonly retryMs = 1000,
  ) {}

  /** Follow exactly these files (absolute paths on the cluster). */
  setFiles(files: Iterable<string>): void {
    const next = [...new Set(files)].sort();
    if (next.join('\n') === this.wanted.join('\n')) return;
    this.wanted = next;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.current?.stop();
    this.current = undefined;
  }

  private schedule(ms: number): void {
    if (this.stopped || this.restartTimer) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      void this.restart();
    }, ms);
    this.restartTimer.unref?.();
  }

  private async restart(): Promise<void> {
    const files = this.wanted;
    const key = files.join('\n');
    if (this.current?.key === key) return;
    this.current?.stop();
    this.current = undefined;
    this.pending = '';
    if (files.length === 0 || this.stopped) return;
    // -F: by name, waiting for files not written yet; -s 0.5: the poll interval where inotify is not available (a file
    // still missing when tail started, NFS or Lustre written from the compute nodes): a stage's end is seen within it.
    const script = 'tail -q -n +1 -F -s 0.5 -- "$@" 2>/dev/null & t=$!; cat >/dev/null; kill "$t" 2>/dev/null';
    try {
      const handle = await this.conn.stream(shellJoin(['sh', '-c', script, 'astran-events', ...files]), (chunk) => this.take(chunk));
      this.starts++;
      if (this.stopped || this.wanted.join('\n') !== key) {
        handle.stop();
        if (!this.stopped) this.schedule(0);
        return;
      }
      this.current = { key, stop: handle.stop };
      void handle.done.then(() => {
        if (this.current?.key !== key) return;
        this.current = undefined;
        this.schedule(this.retryMs); // the connection dropped or the command ended: follow again
      });
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'slurm: event follower could not start; retrying');
      this.schedule(this.retryMs);
    }
  }

  private take(chunk: string): void {
    const text = this.pending + chunk;
    const cut = text.lastIndexOf('\n');
    if (cut < 0) {
      this.pending = text.slice(-4096);
      return;
    }
    this.pending = text.slice(cut + 1);
    const events = parseEventLines(text.slice(0, cut));
    if (events.length) this.onEvents(events);
  }
}
