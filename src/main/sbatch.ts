import { sbatch } from '../commands/sbatch.js';
import { runMain } from '../commands/run-main.js';
import { ONCE } from '../served/protocol.js';

runMain('sbatch', (argv, io) => sbatch(argv, io, async (cluster, env) => {
  const { RedisBackend } = await import('../client/redis-backend.js');
  // done here after a controller died with it (src/served/client): the submission it may have made
  const once = (globalThis as Record<symbol, unknown>)[ONCE];
  return new RedisBackend(env, cluster, undefined, typeof once === 'string' ? once : undefined);
}));
