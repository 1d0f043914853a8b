/**
 * Where the tasks of a step go: which of the job's nodes the step uses, how
 * many tasks each gets, and which task ids. Pure; it reproduces what srun and
 * slurmctld 22.05 do (recorded in fixtures/oracle/srun): the node count and
 * the task count come from the command line or from the job's environment
 * (SLURM_NNODES, SLURM_NTASKS, SLURM_NTASKS_PER_NODE), with srun's two
 * warnings when they disagree; task counts per node are dealt round-robin
 * within each node's CPUs (Slurm's `_task_layout_block`), so `-n 5` on nodes
 * with 4 and 1 CPUs gives 4+1 and `-n 4` gives 3+1; ids then go in blocks,
 * or round-robin with `-m cyclic`.
 */

/** One node of the job's allocation, in the job's node order. */
export interface AllocatedNode {
  name: string;
  /** the job's CPUs on this node */
  cpus: number;
  /** the job's memory on this node, MB */
  memMb: number;
  /** the job's GPU indices on this node */
  gpus: number[];
}

/** A count and whether the command line gave it (rather than the job's environment). */
export interface Given<T> {
  value: T;
  byCli: boolean;
}

export interface StepRequest {
  ntasks?: Given<number>;
  nodes?: Given<{ min: number; max: number }>;
  ntasksPerNode?: Given<number>;
  cpusPerTask: number;
  /** -c given (the task count may then follow from the CPUs) */
  cpusSet: boolean;
  /** -w, expanded */
  nodelist?: string[];
  /** -x, expanded */
  exclude?: string[];
  /** -m as given */
  distribution?: string;
  overcommit: boolean;
}

export interface StepNode {
  name: string;
  /** index of the node in the job */
  jobIndex: number;
  /** the global task ids on this node, ascending */
  tasks: number[];
}

export interface StepLayout {
  nodes: StepNode[];
  ntasks: number;
  /** SLURM_DISTRIBUTION: `-m` as given, else block when tasks outnumber nodes, cyclic otherwise */
  distribution: string;
  /** whether -m was given */
  distributionGiven: boolean;
}

/** Why a step cannot be created: `create` errors read `Unable to create step for job N: <reason>`. */
export type LayoutError = { kind: 'create'; reason: string } | { kind: 'plain'; message: string };

export type LayoutResult =
  | { ok: true; layout: StepLayout; warnings: string[] }
  | { ok: false; error: LayoutError; warnings: string[] };

export const MORE_PROCESSORS = 'More processors requested than permitted';
export const NODE_CONFIG_UNAVAILABLE = 'Requested node configuration is not available';

export function layoutStep(job: readonly AllocatedNode[], req: StepRequest): LayoutResult {
  const warnings: string[] = [];
  const fail = (error: LayoutError): LayoutResult => ({ ok: false, error, warnings });

  const jobNames = job.map((n) => n.name);
  if (req.nodelist?.some((n) => !jobNames.includes(n))) return fail({ kind: 'create', reason: NODE_CONFIG_UNAVAILABLE });
  const excluded = new Set(req.exclude ?? []);
  const candidates = job.map((n, i) => ({ node: n, index: i })).filter((c) => !excluded.has(c.node.name));
  const required = new Set(req.nodelist ?? []);

  // srun ignores an inherited --ntasks-per-node when both counts are on its command line
  let ntpn = req.ntasksPerNode;
  if (ntpn && !ntpn.byCli && req.ntasks?.byCli && req.nodes?.byCli) ntpn = undefined;

  let nodeCount = req.nodes?.value.min ?? (required.size > 0 ? required.size : req.ntasks ? Math.min(req.ntasks.value, candidates.length) : candidates.length);
  nodeCount = Math.max(nodeCount, required.size, 1);
  if (nodeCount > job.length) return fail({ kind: 'plain', message: `Only allocated ${job.length} nodes asked for ${nodeCount}` });
  if (nodeCount > candidates.length) return fail({ kind: 'create', reason: NODE_CONFIG_UNAVAILABLE });

  let ntasks: number;
  if (req.ntasks) {
    ntasks = req.ntasks.value;
    if (ntasks < nodeCount) {
      warnings.push(`Warning: can't run ${ntasks} processes on ${nodeCount} nodes, setting nnodes to ${ntasks}`);
      nodeCount = Math.max(ntasks, required.size);
      // the inherited tasks-per-node no longer fits either: it goes without a word
      ntpn = undefined;
    } else if (ntpn && ntasks !== nodeCount * ntpn.value) {
      warnings.push(`Warning: can't honor --ntasks-per-node set to ${ntpn.value} which doesn't match the requested tasks ${ntasks} with the number of requested nodes ${nodeCount}. Ignoring --ntasks-per-node.`);
      ntpn = undefined;
    }
  } else if (ntpn) {
    ntasks = nodeCount * ntpn.value;
  } else {
    ntasks = nodeCount;
  }

  // the nodes: those asked for by name first, then the job's others, in job order
  const chosen = [...candidates.filter((c) => required.has(c.node.name)), ...candidates.filter((c) => !required.has(c.node.name))]
    .slice(0, nodeCount)
    .sort((a, b) => a.index - b.index);
  if (!req.ntasks && !ntpn && req.cpusSet) {
    ntasks = Math.max(nodeCount, chosen.reduce((s, c) => s + Math.floor(c.node.cpus / req.cpusPerTask), 0));
  }

  const capacity = chosen.map((c) => Math.floor(c.node.cpus / req.cpusPerTask));
  let counts: number[];
  if (ntpn) {
    if (!req.overcommit && capacity.some((cap) => cap < ntpn!.value)) return fail({ kind: 'create', reason: MORE_PROCESSORS });
    counts = chosen.map(() => ntpn!.value);
  } else {
    const total = capacity.reduce((s, c) => s + c, 0);
    if (!req.overcommit && ntasks > total) return fail({ kind: 'create', reason: MORE_PROCESSORS });
    counts = dealCounts(ntasks, capacity);
  }

  const cyclic = /^cyclic/i.test(req.distribution ?? '');
  const ids = cyclic ? cyclicIds(counts) : blockIds(counts);
  return {
    ok: true,
    warnings,
    layout: {
      nodes: chosen.map((c, i) => ({ name: c.node.name, jobIndex: c.index, tasks: ids[i]! })),
      ntasks,
      distribution: req.distribution !== undefined ? req.distribution.toLowerCase() : ntasks > nodeCount ? 'block' : 'cyclic',
      distributionGiven: req.distribution !== undefined,
    },
  };
}

/**
 * Tasks per node: one round over the nodes at a time, each node taking one
 * more while it has CPUs left; past every node's CPUs (overcommit) all nodes
 * keep taking. Every node gets at least one task when there are enough.
 */
export function dealCounts(ntasks: number, capacity: readonly number[]): number[] {
  const counts = capacity.map(() => 0);
  let left = ntasks;
  let oversubscribe = false;
  for (let round = 0; left > 0; round++) {
    let room = false;
    for (let i = 0; i < counts.length && left > 0; i++) {
      if (round < capacity[i]! || oversubscribe) {
        counts[i]!++;
        left--;
        if (round + 1 < capacity[i]!) room = true;
      }
    }
    if (!room) oversubscribe = true;
  }
  return counts;
}

function blockIds(counts: readonly number[]): number[][] {
  let next = 0;
  return counts.map((c) => Array.from({ length: c }, () => next++));
}

/** Round-robin over the nodes that still have room: with 4+1, node 0 gets 0,2,3,4 and node 1 gets 1. */
function cyclicIds(counts: readonly number[]): number[][] {
  const ids = counts.map((): number[] => []);
  const total = counts.reduce((s, c) => s + c, 0);
  for (let id = 0, i = 0; id < total; i = (i + 1) % counts.length) {
    if (ids[i]!.length < counts[i]!) ids[i]!.push(id++);
  }
  return ids;
}

/** `4(x2),1`: runs of equal counts, Slurm's compressed per-node list. */
export function perNodeCounts(counts: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < counts.length;) {
    let j = i;
    while (j + 1 < counts.length && counts[j + 1] === counts[i]) j++;
    const n = j - i + 1;
    out.push(n > 1 ? `${counts[i]}(x${n})` : `${counts[i]}`);
    i = j + 1;
  }
  return out.join(',');
}
