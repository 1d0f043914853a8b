/**
 * What scancel (and `flow cancel`, the same command under Flow's name) asks of
 * Redis: the cancel, signal and step scripts, as the calling user.
 */
import type { CancelDeps } from '../commands/scancel.js';
import type { RedisJobSource } from './redis-job-source.js';
import { callerOf } from '../cluster/access.js';
import { splitTask } from '../store/array-split.js';
import { ACCESS_DENIED } from '../store/scripts.js';
import { hasTask, parseTasks } from '../job/array-tasks.js';

export function cancelDeps(source: RedisJobSource, uid: number): CancelDeps {
  return {
    source,
    cancel: async (cluster, jobId) => {
      const s = await source.open(cluster);
      return s.scripts.cancel(jobId, callerOf(uid, cluster.config), Math.floor(Date.now() / 1000));
    },
    cancelTask: async (cluster, arrayJobId, task) => {
      const s = await source.open(cluster);
      // the array may change under us (a task starting): look again
      for (let attempt = 0; attempt < 5; attempt++) {
        const array = await s.job(arrayJobId);
        if (!array || array.state !== 'PENDING' || !hasTask(parseTasks(array.tasks), task)) return 0;
        const how = { mode: 'cancel', now: Math.floor(Date.now() / 1000), by: callerOf(uid, cluster.config) } as const;
        // refused before a task id is taken for it (the script checks again, with the change)
        if (!how.by.any && array.record.userId !== uid) return ACCESS_DENIED;
        const r = await splitTask(s.scripts, array, task, how, cluster.config.firstJobId);
        if (r === ACCESS_DENIED) return ACCESS_DENIED;
        if (r !== undefined) return 0;
      }
      return 0;
    },
    cancelStep: async (cluster, jobId, stepId) => {
      const s = await source.open(cluster);
      return s.scripts.stepCancel(jobId, stepId, callerOf(uid, cluster.config));
    },
    signal: async (cluster, jobId, signal, batch, full) => {
      const s = await source.open(cluster);
      return s.scripts.signal(jobId, signal, batch, full, callerOf(uid, cluster.config));
    },
  };
}
