import { scontrol } from '../commands/scontrol.js';
import { RedisJobSource } from '../client/redis-job-source.js';
import { scontrolDeps } from '../client/scontrol-deps.js';
import { runMain } from '../commands/run-main.js';

runMain('scontrol', async (argv, io) => {
  const source = new RedisJobSource(io.env);
  try {
    return await scontrol(argv, io, scontrolDeps(source, process.getuid?.() ?? 0, io.env));
  } finally {
    await source.close();
  }
});
