import type { TaskState, TaskStatus } from '../ClusterBackend.js';

/**
 * One state for a whole stage. Final only when every task is final, so the orchestrator never
 * acts on a stage while some of its tasks still run: all pending -> pending, any task not final
 * -> running; then all completed -> completed, any failed -> failed, else cancelled.
 */
export function rollUpState(tasks: readonly Pick<TaskStatus, 'state'>[]): TaskState {
  if (tasks.length === 0) return 'completed';
  const open = tasks.filter((t) => t.state === 'pending' || t.state === 'running');
  if (open.length > 0) return open.length === tasks.length && open.every((t) => t.state === 'pending') ? 'pending' : 'running';
  if (tasks.every((t) => t.state === 'completed')) return 'completed';
  if (tasks.some((t) => t.state === 'failed')) return 'failed';
  return 'cancelled';
}
