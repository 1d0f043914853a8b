import { scancel } from '../commands/scancel.js';
import { RedisJobSource } from '../client/redis-job-source.js';
import { cancelDeps } from '../client/cancel-deps.js';
import { runMain } from '../commands/run-main.js';

runMain('scancel', async (argv, io) => {
  const source = new RedisJobSource(io.env);
  try {
    return await scancel(argv, io, cancelDeps(source, process.getuid?.() ?? 0));
  } finally {
    await source.close();
  }
});
