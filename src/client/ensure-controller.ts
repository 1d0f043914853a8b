/**
 * Commands start a controller when none is running (one per cluster, found
 * through its lease key), as a detached `flow controller --daemon`.
 */
import { packageRoot } from '../package-root.js';
import type { Session } from './session.js';

/** Returns the running controller's build, if one runs (see src/served). */
export async function ensureController(s: Session, env: Readonly<Record<string, string | undefined>>): Promise<string | undefined> {
  if (env.FLOW_NO_AUTOSTART === '1') return undefined;
  const [alive, claimed, build] = await s.redis.pipeline([
    ['EXISTS', s.keys.controller],
    // one starter at a time; a controller that loses the race for the lease exits on its own
    ['SET', `${s.keys.prefix}controller-starting`, String(process.pid), 'PX', 5000, 'NX'],
    ['GET', s.keys.controllerBuild],
  ]);
  if (alive === 1) return typeof build === 'string' ? build : undefined;
  if (claimed !== 'OK') return undefined;
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [`${packageRoot()}/bin/flow`, 'controller', '--daemon'], {
    detached: true,
    stdio: 'ignore',
    env: { ...env } as NodeJS.ProcessEnv,
  });
  child.unref();
  return undefined;
}
