import { scontrol } from '../commands/scontrol.js';
import { RedisJobSource } from '../client/redis-job-source.js';
import { runMain } from '../commands/run-main.js';

runMain('scontrol', async (argv, io) => {
  const source = new RedisJobSource(io.env);
  try {
    return await scontrol(argv, io, {
      source,
      hold: async (cluster, jobId, kind) => {
        const s = await source.open(cluster);
        return kind === 'release' ? s.scripts.release(jobId) : s.scripts.hold(jobId, kind);
      },
    });
  } finally {
    await source.close();
  }
});
