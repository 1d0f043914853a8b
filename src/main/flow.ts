import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flow } from '../commands/flow.js';
import { runMain } from '../commands/run-main.js';
import type { controllerCommand } from '../commands/controller.js';
import type { emulatorCommand } from '../commands/flow-emulator.js';
import type { pricingCommand } from '../commands/flow-pricing.js';

// bundles beside this one, loaded only by the subcommand that needs them: `flow submit` stays light
const here = dirname(fileURLToPath(import.meta.url));
const sibling = <T>(name: string): T => createRequire(import.meta.url)(join(here, `${name}.cjs`)) as T;

runMain('flow', (argv, io) => flow(argv, io, {
  backend: async (cluster, env) => {
    const { RedisBackend } = await import('../client/redis-backend.js');
    return new RedisBackend(env, cluster);
  },
  controller: (cio, args) => sibling<{ controllerCommand: typeof controllerCommand }>('controller').controllerCommand(args, cio),
  emulator: (cio, opts) => sibling<{ emulatorCommand: typeof emulatorCommand }>('emulator').emulatorCommand(opts, cio),
  pricing: (cio, opts) => sibling<{ pricingCommand: typeof pricingCommand }>('mithril').pricingCommand(opts, cio),
  cancel: async (cio, argv) => {
    const [{ scancel }, { RedisJobSource }, { cancelDeps }] = await Promise.all([
      import('../commands/scancel.js'), import('../client/redis-job-source.js'), import('../client/cancel-deps.js'),
    ]);
    const source = new RedisJobSource(cio.env);
    try {
      return await scancel(argv, cio, cancelDeps(source, process.getuid?.() ?? 0));
    } finally {
      await source.close();
    }
  },
}));
