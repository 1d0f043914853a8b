/**
 * Commands start a controller when none is running (one per cluster, found
 * through its lease key), as a detached `flow controller --daemon`.
 */
import { packageRoot } from '../package-root.js';
import type { Session } from './session.js';

export async function ensureController(s: Session, env: Readonly<Record<string, string | undefined>>): Promise<void> {
  if (env.FLOW_NO_AUTOSTART === '1') return;
  const [alive, claimed] = await s.redis.pipeline([
    ['EXISTS', s.keys.controller],
    // one starter at a time; a controller that loses the race for the lease exits on its own
    ['SET', `${s.keys.prefix}controller-starting`, String(process.pid), 'PX', 5000, 'NX'],
  ]);
  if (alive === 1 || claimed !== 'OK') return;
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [`${packageRoot()}/bin/flow`, 'controller', '--daemon'], {
    detached: true,
    stdio: 'ignore',
    env: { ...env } as NodeJS.ProcessEnv,
  });
  child.unref();
}
