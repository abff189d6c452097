/**
 * Signal a whole process group (tasks are spawned detached, so pid = pgid). Tools like lstchain
 * may fork helpers; killing only the leader would leave them running. Returns false when the group
 * is already gone.
 */
export function killProcessGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch (e) {
    // ESRCH: already gone. EPERM: the id now belongs to someone else's group. Neither is ours to kill,
    // and this runs inside child-process event handlers where a throw would crash the bot.
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ESRCH' || code === 'EPERM') return false;
    throw e;
  }
}
