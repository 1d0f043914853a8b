/**
 * The checks that make a submission fail, with sbatch's and slurmctld's exact
 * words. Each returns the stderr messages (without the `sbatch: error: `
 * prefix) or undefined. Held jobs skip the "does it fit on a node" checks,
 * as real Slurm does.
 */
import type { ClusterConfig, NodeConfig } from '../cluster/slurm-conf.js';
import type { JobRequest } from '../options/request.js';
import { parseConstraint } from './constraint.js';

const NO_VAL = 0xfffffffe;
const minutes32 = (m: number | 'UNLIMITED') => (m === 'UNLIMITED' ? 0xffffffff : m >>> 0);

export const submissionFailed = (reason: string) => `Batch job submission failed: ${reason}`;

/** sbatch's own GPU option checks (it refuses before contacting the controller). */
export function checkGpuOptions(req: JobRequest, ntasksSet: boolean): string[] | undefined {
  const gresInvalid = 'Invalid generic resource (gres) specification';
  if (req.cpusPerGpu !== undefined && req.cpusPerTask !== undefined) {
    return ['--cpus-per-gpu is mutually exclusive with --cpus-per-task', gresInvalid];
  }
  if (req.gpusPerTask !== undefined && req.gpus === undefined && !ntasksSet) {
    return ['Failed to validate job spec. --gpus-per-task used without either --gpus or -n/--ntasks is not allowed.', gresInvalid];
  }
  return undefined;
}


/** `hostLists`: the -w and -x names (undefined: not given, or a file); `false`: not a host list. */
export function checkControllerLimits(req: JobRequest, cluster: ClusterConfig, hostLists: (string[] | false | undefined)[], now: number,
  defaultTime?: number | 'UNLIMITED'): string | undefined {
  // compared as slurmctld's 32-bit values: no -t and no DefaultTime is NO_VAL, which INFINITE (-1) exceeds
  if (req.timeMin !== undefined && minutes32(req.timeMin) > minutes32(req.time ?? defaultTime ?? NO_VAL)) {
    return submissionFailed("Invalid time-min specification (exceeds job's time or other limits)");
  }
  if (req.deadline !== undefined && req.deadline <= now) {
    return submissionFailed('Requested time limit is invalid (missing or exceeds some limit)');
  }
  if (req.constraint !== undefined) {
    // every name must be a feature of some node of the cluster, whatever the partition
    const known = new Set(cluster.nodes.flatMap((n) => n.features));
    const terms = parseConstraint(req.constraint);
    if (!terms || terms.some((t) => !known.has(t.name))) return submissionFailed('Invalid feature specification');
  }
  if (req.licenses !== undefined && req.licenses !== '') {
    const configured = new Set((cluster.settings.get('licenses') ?? '').split(',').map((l) => l.split(':')[0]).filter(Boolean));
    if (req.licenses.split(',').some((l) => !configured.has(l.split(/[:@]/)[0]!))) return submissionFailed('Invalid license specification');
  }
  if (req.reservation !== undefined && req.reservation !== '') return submissionFailed('Requested reservation is invalid');
  for (const names of hostLists) {
    if (names === undefined) continue;
    if (names === false || names.some((n) => !cluster.nodes.some((c) => c.name === n))) return submissionFailed('Invalid node name specified');
  }
  return undefined;
}

export interface FitRequest {
  memPerNodeMb: number;
  gpusPerNode: number;
  gpuType?: string;
}

/** Could one node of the partition hold one node's share of the job? */
export function checkFits(fit: FitRequest, nodes: NodeConfig[]): string[] | undefined {
  const unavailable = submissionFailed('Requested node configuration is not available');
  if (nodes.length === 0) return undefined;
  if (!nodes.some((n) => n.realMemory >= fit.memPerNodeMb)) return ['Memory specification can not be satisfied', unavailable];
  if (fit.gpusPerNode > 0 && !nodes.some((n) => gpusOn(n, fit.gpuType) >= fit.gpusPerNode)) return [unavailable];
  return undefined;
}

export function gpusOn(node: NodeConfig, type?: string): number {
  return node.gres.filter((g) => g.name === 'gpu' && (type === undefined || g.type === type)).reduce((s, g) => s + g.count, 0);
}
