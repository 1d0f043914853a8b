import { flow } from '../commands/flow.js';
import { runMain } from '../commands/run-main.js';

runMain('flow', (argv, io) => flow(argv, io, {
  backend: async (cluster, env) => {
    const { RedisBackend } = await import('../client/redis-backend.js');
    return new RedisBackend(env, cluster);
  },
  controller: async (cio, args) => {
    const { controllerCommand } = await import('../commands/controller.js');
    return controllerCommand(args, cio);
  },
}));
