/**
 * Emulation settings that belong to a cluster, not to whichever process runs
 * its controller: kept with the cluster in Redis (keys.settings), fixed by
 * the first command that uses the cluster (from its FLOW_MINUTE_SECONDS) and
 * read from there by every controller and command after it. `flow clean
 * --purge` forgets them with the rest of the cluster.
 */
import type { Env } from './connect.js';

/** Hash field: how many real seconds an emulated minute lasts (time limits, --signal, KillWait, the requeue delay). */
export const MINUTE_SECONDS = 'minute-seconds';

/** FLOW_MINUTE_SECONDS when it is a positive number, else Slurm's 60. */
export function minuteSecondsFromEnv(env: Env): number {
  const v = Number(env.FLOW_MINUTE_SECONDS);
  return Number.isFinite(v) && v > 0 ? v : 60;
}

/** The stored minute length as a fraction of a real minute (1 when none is stored). */
export function timeScaleOf(stored: unknown): number {
  const v = Number(stored);
  return typeof stored === 'string' && Number.isFinite(v) && v > 0 ? v / 60 : 1;
}
