/**
 * Commands start a controller when none is alive (one per cluster, found
 * through its lease key), as a detached `flow controller --daemon`. A lease
 * whose holder is known to be dead (holder.ts: same host, process gone) is
 * taken over at once, without waiting for it to expire.
 */
import { MINUTE_SECONDS, minuteSecondsFromEnv } from '../store/cluster-settings.js';
import { holderDead, holderId } from '../store/holder.js';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { clusterPaths } from '../cluster/paths.js';
import { packageRoot } from '../package-root.js';
import type { Session } from './session.js';

/** How long one command's claim to start a controller keeps others from starting one too. */
const CLAIM_MS = 5000;

/** Returns the running controller's build, if one runs (see src/served). */
export async function ensureController(s: Session, env: Readonly<Record<string, string | undefined>>): Promise<string | undefined> {
  const [, holder, build] = await s.redis.pipeline([
    // the cluster's own settings are fixed by the first command that uses it
    ['HSETNX', s.keys.settings, MINUTE_SECONDS, minuteSecondsFromEnv(env)],
    ['GET', s.keys.controller],
    ['GET', s.keys.controllerBuild],
  ]);
  if (env.FLOW_NO_AUTOSTART === '1') return undefined;
  const dead = typeof holder === 'string' && holderDead(holder) ? holder : undefined;
  if (typeof holder === 'string' && !dead) return typeof build === 'string' ? build : undefined;
  // a controller that loses the race for the lease exits on its own
  if (!(await s.scripts.claimStart(dead, holderId(), CLAIM_MS))) return undefined;
  const { spawn } = await import('node:child_process');
  // whatever the daemon says before its log is open, or as it dies (one line: run-main.ts), ends up in its log
  const paths = clusterPaths(env, s.cluster.config.clusterName);
  mkdirSync(paths.dir, { recursive: true });
  const logFd = openSync(paths.log, 'a');
  try {
    const child = spawn(process.execPath, [`${packageRoot()}/bin/flow`, 'controller', '--daemon'], {
      detached: true,
      stdio: ['ignore', 'ignore', logFd],
      env: { ...env } as NodeJS.ProcessEnv,
    });
    child.unref();
  } finally {
    closeSync(logFd);
  }
  return undefined;
}

/**
 * For commands that wait on the controller (sbatch --wait, srun and salloc for their
 * allocation): checks that one is alive at most twice a second, and
 * starts one if not, so a wait never outlasts a dead controller.
 */
export class ControllerWatch {
  private last = Date.now();

  constructor(private readonly s: Session, private readonly env: Readonly<Record<string, string | undefined>>, private readonly everyMs = 500) {}

  async check(): Promise<void> {
    if (Date.now() - this.last < this.everyMs) return;
    this.last = Date.now();
    await ensureController(this.s, this.env);
  }
}
