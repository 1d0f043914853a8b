import { scancel } from '../commands/scancel.js';
import { RedisJobSource } from '../client/redis-job-source.js';
import { runMain } from '../commands/run-main.js';
import { splitTask } from '../controller/array-split.js';
import { hasTask, parseTasks } from '../spec/array-tasks.js';

runMain('scancel', async (argv, io) => {
  const source = new RedisJobSource(io.env);
  const uid = process.getuid?.() ?? 0;
  try {
    return await scancel(argv, io, {
      source,
      cancel: async (cluster, jobId) => {
        const s = await source.open(cluster);
        return s.scripts.cancel(jobId, uid, Math.floor(Date.now() / 1000));
      },
      cancelTask: async (cluster, arrayJobId, task) => {
        const s = await source.open(cluster);
        // the array may change under us (a task starting): look again
        for (let attempt = 0; attempt < 5; attempt++) {
          const array = await s.job(arrayJobId);
          if (!array || array.state !== 'PENDING' || !hasTask(parseTasks(array.tasks), task)) return;
          const how = { mode: 'cancel', now: Math.floor(Date.now() / 1000), uid } as const;
          if (await splitTask(s.scripts, array, task, how, cluster.config.firstJobId)) return;
        }
      },
      cancelStep: async (cluster, jobId, stepId) => {
        const s = await source.open(cluster);
        const r = await s.scripts.stepCancel(jobId, stepId, uid);
        if (r >= 0) await s.call('PUBLISH', s.keys.wake, `stepcancel ${jobId} ${stepId}`);
        return r;
      },
      signal: async (cluster, jobId, signal, batch, full) => {
        const s = await source.open(cluster);
        const job = await s.job(jobId);
        if (!job || job.state !== 'RUNNING') return false;
        await s.call('PUBLISH', s.keys.wake, `signal ${jobId} ${signal} ${batch ? 1 : 0} ${full ? 1 : 0}`);
        return true;
      },
    });
  } finally {
    await source.close();
  }
});
