/**
 * Commands start a controller when none is running (one per cluster, found
 * through its lease key), as a detached `flow controller --daemon`.
 */
import { spawn } from 'node:child_process';
import type { Redis } from 'ioredis';
import type { Keys } from '../controller/keys.js';
import { packageRoot } from '../package-root.js';

export async function ensureController(redis: Redis, keys: Keys, env: Readonly<Record<string, string | undefined>>): Promise<void> {
  if (env.FLOW_NO_AUTOSTART === '1') return;
  if ((await redis.exists(keys.controller)) === 1) return;
  // one starter at a time; a controller that loses the race exits on its own
  const claimed = await redis.set(`${keys.prefix}controller-starting`, String(process.pid), 'PX', 5000, 'NX');
  if (claimed !== 'OK') return;
  const child = spawn(process.execPath, [`${packageRoot()}/bin/flow`, 'controller', '--daemon'], {
    detached: true,
    stdio: 'ignore',
    env: { ...env } as NodeJS.ProcessEnv,
  });
  child.unref();
}
