/**
 * Job arrays keep one record for all their pending tasks (array-tasks.ts).
 * A task gets a record of its own only when it starts or is cancelled alone;
 * this builds that record and asks Redis to split it off atomically.
 */
import { parseTasks, tasksText, withoutTasks } from '../job/array-tasks.js';
import type { Caller } from '../cluster/access.js';
import { ACCESS_DENIED, type Scripts } from './scripts.js';
import { initialFields } from './stored-job.js';
import type { StoredJob } from '../job/job-run.js';

export type SplitMode = { mode: 'start' } | { mode: 'cancel'; now: number; by: Caller };

/** The job id the task now has, undefined when the array changed meanwhile (the caller looks again), or ACCESS_DENIED (cancel: not the caller's). */
export async function splitTask(scripts: Scripts, array: StoredJob, index: number, how: SplitMode, firstJobId: number): Promise<number | undefined> {
  const arrayJobId = array.record.jobId;
  const rest = withoutTasks(parseTasks(array.tasks), new Set([index]));
  // the last task keeps the array's own id, as in Slurm
  const taskJobId = rest.length === 0 ? arrayJobId : await scripts.nextJobId(firstJobId);
  const record = { ...array.record, jobId: taskJobId, arrayTaskId: index };
  const task: StoredJob = how.mode === 'start' ? { ...array, record, tasks: '' }
    : { ...array, record, tasks: '', state: 'CANCELLED', reason: 'None', end: how.now, exit: '0:0', cancelBy: String(how.by.uid) };
  const fields = initialFields(task);
  if (taskJobId === arrayJobId) fields.array = '1';
  const r = await scripts.splitTask({
    arrayJobId, taskJobId, tasksNow: array.tasks, tasksAfter: tasksText(rest), record: JSON.stringify(record), fields,
    mode: how.mode, end: how.mode === 'cancel' ? how.now : 0, submitTime: array.submit || array.record.submitTime,
    by: how.mode === 'cancel' ? how.by : undefined,
  });
  if (r === ACCESS_DENIED) return ACCESS_DENIED;
  return r === 1 ? taskJobId : undefined;
}
