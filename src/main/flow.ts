import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flow } from '../commands/flow.js';
import { runMain } from '../commands/run-main.js';
import type { controllerCommand } from '../commands/controller.js';

runMain('flow', (argv, io) => flow(argv, io, {
  backend: async (cluster, env) => {
    const { RedisBackend } = await import('../client/redis-backend.js');
    return new RedisBackend(env, cluster);
  },
  controller: async (cio, args) => {
    // dist/controller.cjs, loaded only here: `flow submit` stays light
    const here = dirname(fileURLToPath(import.meta.url));
    const load = createRequire(import.meta.url);
    const mod = load(join(here, 'controller.cjs')) as { controllerCommand: typeof controllerCommand };
    return mod.controllerCommand(args, cio);
  },
}));
