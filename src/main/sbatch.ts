import { sbatch } from '../commands/sbatch.js';
import { runMain } from '../commands/run-main.js';

runMain('sbatch', (argv, io) => sbatch(argv, io, async (cluster, env) => {
  const { RedisBackend } = await import('../client/redis-backend.js');
  return new RedisBackend(env, cluster);
}));
