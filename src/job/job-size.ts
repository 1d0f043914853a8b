/**
 * A job's size as Slurm 22.05 settles it: sbatch's arithmetic on the
 * task/node/CPU options (opt.c's _opt_verify and the job description it
 * sends), then slurmctld's (validate_job_create_req, _copy_job_desc_to_job_record)
 * and the node count `scontrol` shows for a pending job that never got a
 * scheduler's estimate (job_mgr.c's _pack_default_job_details). Pure.
 */
import type { JobRequest } from '../options/request.js';

/** Slurm's INFINITE16: `--hint=multithread` sets --ntasks-per-core to it (shown as `*`). */
export const INFINITE16 = 0xfffe;

/** Sockets, cores and threads per node, and tasks per socket and core, as requested (undefined: `*`). */
export interface MultiCore {
  sockets?: number;
  cores?: number;
  threads?: number;
  ntasksPerSocket?: number;
  ntasksPerCore?: number;
}

export interface JobSize {
  /** sbatch had a node count (`-N`, or `-w` names) */
  nodesSet: boolean;
  /** slurmctld's minimum node count (TRES `node=` while pending) */
  minNodes: number;
  /** 0: no maximum */
  maxNodes: number;
  /** sbatch set the task count (it sends it; SLURM_NTASKS follows) */
  ntasksSet: boolean;
  /** the task count sbatch sends when ntasksSet */
  ntasks: number;
  /** slurmctld's task count (0: none; NumTasks= shows the minimum node count then) */
  numTasks: number;
  minCpus: number;
  mc?: MultiCore;
}

export interface SizeInput {
  req: JobRequest;
  /** names given with -w (deduplicated), when they are a list rather than a file */
  nodelistCount?: number;
  /** CPUs per task after --cpus-per-gpu */
  cpusPerTask: number;
  cpusSet: boolean;
}

/** `--hint` as sbatch applies it (verify_hint): unless -B, --threads-per-core or --ntasks-per-core is given. */
function hinted(req: JobRequest): MultiCore {
  const mc: MultiCore = {
    sockets: req.socketsPerNode,
    cores: req.coresPerSocket,
    threads: req.threadsPerCore,
    ntasksPerSocket: req.ntasksPerSocket,
    ntasksPerCore: req.ntasksPerCore,
  };
  if (req.hint === undefined || req.extraNodeInfo || req.threadsPerCore !== undefined || req.ntasksPerCore !== undefined) return mc;
  for (const h of req.hint.toLowerCase().split(',')) {
    if (h === 'compute_bound') {
      mc.sockets = undefined;
      mc.cores = undefined;
      mc.threads = 1;
    } else if (h === 'memory_bound') {
      mc.cores = 1;
      mc.threads = 1;
    } else if (h === 'multithread') {
      mc.threads = undefined;
      mc.ntasksPerCore = INFINITE16;
    } else if (h === 'nomultithread') {
      mc.threads = 1;
    }
  }
  return mc;
}

export function jobSize(input: SizeInput): JobSize {
  const { req, cpusPerTask, cpusSet } = input;
  const ntpn = req.ntasksPerNode;
  const mc = hinted(req);
  let nodesSet = req.nodes !== undefined;
  let minNodes = req.nodes?.min ?? 1;
  let maxNodes = req.nodes?.max ?? 0;
  if (input.nodelistCount !== undefined) {
    minNodes = nodesSet ? Math.max(input.nodelistCount, minNodes) : input.nodelistCount;
    nodesSet = true;
  }
  let ntasksSet = req.ntasks !== undefined;
  let ntasks = req.ntasks ?? 1;
  if (ntpn !== undefined && ntpn > 0 && !ntasksSet && (maxNodes === 0 || minNodes === maxNodes)) {
    ntasks = minNodes * ntpn;
    ntasksSet = true;
  }
  // "massage the numbers": one task per node, or per socket x core x thread asked for
  if ((nodesSet || req.extraNodeInfo) && (minNodes === maxNodes || maxNodes === 0) && !ntasksSet) {
    ntasks = Math.max(minNodes, 1);
    for (const n of [mc.sockets, mc.cores, mc.threads]) {
      if (n === undefined) continue;
      ntasks *= n;
      ntasksSet = true;
    }
  } else if (nodesSet && ntasksSet) {
    if (ntasks < maxNodes) maxNodes = ntasks;
    if (ntasks < minNodes) minNodes = maxNodes = ntasks;
  }

  let minCpus: number;
  if (req.overcommit) minCpus = Math.max(minNodes, 1);
  else if (cpusSet) minCpus = ntasks * cpusPerTask;
  else if (nodesSet && minNodes === 0) minCpus = 0;
  else minCpus = ntasks;

  // slurmctld: --ntasks-per-node without a task count gives one
  let numTasks = ntasksSet ? ntasks : 0;
  if (ntpn !== undefined && nodesSet && !ntasksSet) numTasks = ntpn * minNodes;
  if (!req.overcommit && numTasks > minCpus) minCpus = numTasks * cpusPerTask;
  return { nodesSet, minNodes, maxNodes, ntasksSet, ntasks, numTasks, minCpus, mc: anySet(mc) ? mc : undefined };
}

const anySet = (mc: MultiCore) => mc.sockets !== undefined || mc.cores !== undefined || mc.threads !== undefined
  || mc.ntasksPerSocket !== undefined || mc.ntasksPerCore !== undefined;

/** What a partition offers per node: its largest CPU and core counts. */
export interface NodeShape {
  cpus: number;
  cores: number;
}

/**
 * NumNodes= of a pending job the scheduler has not sized (held, or never
 * tried): slurmctld's guess from its task count (_pack_default_job_details),
 * quirks included (`-n1 -c16` on 32-CPU nodes shows 2).
 */
export function packedNodeCount(size: { minNodes: number; numTasks: number; cpusPerTask: number; ntasksPerNode?: number; mc?: MultiCore }, shape: NodeShape): number {
  const { minNodes, numTasks, cpusPerTask } = size;
  const ntpn = size.ntasksPerNode;
  if (ntpn) return Math.max(Math.floor(numTasks / ntpn), minNodes);
  if (cpusPerTask > 1) {
    const perNode = Math.max(Math.floor(shape.cpus / cpusPerTask), 1);
    let n = Math.max(Math.floor(numTasks / perNode), minNodes);
    if (numTasks % perNode) n++;
    return n;
  }
  const perCore = size.mc?.ntasksPerCore;
  if (perCore && perCore !== INFINITE16) {
    const cores = Math.ceil(numTasks / perCore);
    return Math.max(Math.ceil(cores / Math.max(shape.cores, 1)), minNodes);
  }
  return Math.max(Math.ceil(numTasks / Math.max(shape.cpus, 1)), minNodes);
}
