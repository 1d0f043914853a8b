/**
 * Who may see and touch which jobs, as slurmctld decides it: a job's owner may act on it;
 * root and the cluster's SlurmUser may act on every job (slurmctld's validate_operator;
 * Slurm's other operators and admins are slurmdbd's AdminLevel, which flow-slurm has not).
 * `PrivateData=jobs` (or `all`) in slurm.conf hides other users' jobs from them.
 */
import type { ClusterConfig } from './slurm-conf.js';
import { lookupUser } from '../commands/users.js';

/** Who is asking: a uid, and whether the cluster lets it act on every job. */
export interface Caller {
  uid: number;
  any: boolean;
}

/** The cluster's SlurmUser's uid (root when unset or unknown). */
function slurmUserId(config: ClusterConfig): number {
  return lookupUser(config.settings.get('slurmuser') ?? 'root') ?? 0;
}

/** root or SlurmUser: slurmctld's operators without slurmdbd. */
export function isOperator(uid: number, config: ClusterConfig): boolean {
  return uid === 0 || uid === slurmUserId(config);
}

export function callerOf(uid: number, config: ClusterConfig): Caller {
  return { uid, any: isOperator(uid, config) };
}

/** The words of PrivateData (lower case): `jobs,usage` -> {jobs, usage}. */
export function privateData(config: ClusterConfig): Set<string> {
  const v = config.settings.get('privatedata') ?? '';
  return new Set(v.toLowerCase().split(',').map((w) => w.trim()).filter(Boolean));
}

/** The uid whose jobs alone this caller may see, or undefined when it sees every job. */
export function jobsVisibleOnlyTo(uid: number, config: ClusterConfig): number | undefined {
  const p = privateData(config);
  if (!p.has('jobs') && !p.has('all')) return undefined;
  return isOperator(uid, config) ? undefined : uid;
}
