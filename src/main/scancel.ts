import { scancel } from '../commands/scancel.js';
import { RedisJobSource } from '../client/redis-job-source.js';
import { runMain } from '../commands/run-main.js';

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
