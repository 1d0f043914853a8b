import { squeue } from '../commands/squeue.js';
import { RedisJobSource } from '../client/redis-job-source.js';
import { runMain } from '../commands/run-main.js';

runMain('squeue', async (argv, io) => {
  const source = new RedisJobSource(io.env);
  try {
    return await squeue(argv, io, source);
  } finally {
    await source.close();
  }
});
