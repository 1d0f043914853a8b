/**
 * The scheduler only decides: a snapshot of nodes and pending jobs in, a plan
 * out (which jobs start where, and why the others wait). No I/O, so it is
 * tested with plain data. Jobs are taken in priority order per partition; the
 * first that does not fit blocks the partition (reason Resources) and the
 * ones behind it wait with reason Priority, as Slurm's main scheduler does.
 */
import type { ClusterConfig, NodeConfig } from '../cluster/slurm-conf.js';
import { taskIndices, type TaskRange } from '../job/array-tasks.js';
import type { JobRecord } from '../job/job.js';
import { demandOf, featureTest, nodeMayServe, unservedPartition, type NodeDemand } from '../job/constraint.js';
import { gpusOn } from '../job/job-checks.js';
import { expandHostlist } from '../job/values/index.js';
import type { NodeAllocation } from '../job/job-run.js';

export interface NodeUse {
  cpus: number;
  memMb: number;
  gpus: Set<number>;
  /** CPU (core) indices in use */
  cores: Set<number>;
  /** a job holds the whole node */
  exclusive: boolean;
  jobs: number;
}

export interface PendingJob {
  id: number;
  record: JobRecord;
  priority: number;
  held: '' | 'user' | 'admin';
  /** epoch seconds, 0 = now */
  eligible: number;
  /** the dependency verdict, computed by the caller from the other jobs */
  dependency: 'none' | 'satisfied' | 'waiting' | 'never';
  /** a job array: its pending tasks, started in index order */
  tasks?: TaskRange[];
  /** a job array: how many of its tasks hold resources now (for the %N throttle) */
  activeTasks?: number;
  /** a job array whose dependency pairs tasks (aftercorr): the verdict for one task */
  taskDependency?: (task: number) => PendingJob['dependency'];
}

export interface Snapshot {
  now: number;
  cluster: ClusterConfig;
  /** resources in use per node name */
  used: Map<string, NodeUse>;
  pending: PendingJob[];
}

export interface Plan {
  /** with `task`: that task of the array jobId */
  /** `partition`: the one of the job's partitions it starts in */
  starts: { jobId: number; task?: number; alloc: NodeAllocation[]; partition: string }[];
  reasons: [number, string][];
  /** epoch seconds when a reason changes with time alone (a pass is due then) */
  recheck?: number;
}

/**
 * A job asking for more nodes than its partition has is accepted with reason
 * PartitionConfig (slurmctld's attempt at submit); its main scheduler's pass, a
 * few seconds later (recorded: within 3 s), says PartitionNodeLimit. For an
 * allocation request (salloc, srun) that pass comes at once (recorded: within
 * 0.2 s), before anyone looks.
 */
export const MAIN_PASS_DELAY = 2;

export function emptyUse(): NodeUse {
  return { cpus: 0, memMb: 0, gpus: new Set(), cores: new Set(), exclusive: false, jobs: 0 };
}

/** Add an allocation to the usage map (also used to rebuild usage from running jobs). */
export function addUse(used: Map<string, NodeUse>, alloc: NodeAllocation[], exclusive: boolean): void {
  for (const a of alloc) {
    const u = used.get(a.node) ?? emptyUse();
    u.cpus += a.cpus;
    u.memMb += a.memMb;
    for (const g of a.gpus) u.gpus.add(g);
    for (const c of a.cores ?? []) u.cores.add(c);
    u.exclusive ||= exclusive;
    u.jobs++;
    used.set(a.node, u);
  }
}

export function schedule(s: Snapshot): Plan {
  const plan: Plan = { starts: [], reasons: [] };
  const blocked = new Set<string>();
  const order = [...s.pending].sort((a, b) => b.priority - a.priority || a.record.submitTime - b.record.submitTime || a.id - b.id);
  for (const job of order) {
    const reason = waitReason(job, s);
    if (reason === 'PartitionConfig') plan.recheck = Math.min(plan.recheck ?? Infinity, job.record.submitTime + MAIN_PASS_DELAY);
    if (reason) {
      plan.reasons.push([job.id, reason]);
      continue;
    }
    const partition = job.record.partition.split(',')[0]!;
    if (blocked.has(partition)) {
      plan.reasons.push([job.id, 'Priority']);
      continue;
    }
    const left = job.tasks ? startTasks(job, s, plan) : startJob(job, s, plan);
    if (left === 'Resources') blocked.add(partition);
    if (left) plan.reasons.push([job.id, left]);
  }
  return plan;
}

/** Start the job if it fits; else why it waits. */
function startJob(job: PendingJob, s: Snapshot, plan: Plan): string | undefined {
  const placed = fitJob(job.record, s);
  if (placed === 'never') return 'PartitionConfig';
  if (placed === undefined) return 'Resources';
  addUse(s.used, placed.alloc, job.record.oversubscribe === 'NO');
  plan.starts.push({ jobId: job.id, alloc: placed.alloc, partition: placed.partition });
  return undefined;
}

/** Start an array's pending tasks in index order while they fit and the throttle allows; why the rest waits. */
function startTasks(job: PendingJob, s: Snapshot, plan: Plan): string | undefined {
  const throttle = job.record.arrayThrottle ?? 0;
  let active = job.activeTasks ?? 0;
  let waiting: string | undefined;
  for (const task of taskIndices(job.tasks!)) {
    if (throttle > 0 && active >= throttle) return 'JobArrayTaskLimit';
    const dependency = job.taskDependency?.(task);
    if (dependency === 'waiting' || dependency === 'never') {
      // this task waits for its partner task; later ones may not
      waiting ??= dependency === 'waiting' ? 'Dependency' : 'DependencyNeverSatisfied';
      continue;
    }
    const placed = fitJob(job.record, s);
    if (placed === 'never') return 'PartitionConfig';
    if (placed === undefined) return 'Resources';
    addUse(s.used, placed.alloc, job.record.oversubscribe === 'NO');
    plan.starts.push({ jobId: job.id, task, alloc: placed.alloc, partition: placed.partition });
    active++;
  }
  return waiting;
}

function waitReason(job: PendingJob, s: Snapshot): string | undefined {
  if (job.held === 'user') return 'JobHeldUser';
  if (job.held === 'admin') return 'JobHeldAdmin';
  const part = s.cluster.partitions.find((p) => p.name === job.record.partition.split(',')[0]);
  if (part && job.record.minNodes > part.nodes.length) {
    return job.record.interactive || s.now - job.record.submitTime >= MAIN_PASS_DELAY ? 'PartitionNodeLimit' : 'PartitionConfig';
  }
  if (job.eligible > s.now) return unservedPartition(job.record.features, job.record.partition.split(','), s.cluster) ? 'BadConstraints' : 'BeginTime';
  if (job.dependency === 'waiting') return 'Dependency';
  if (job.dependency === 'never') return 'DependencyNeverSatisfied';
  return undefined;
}

/** Nodes the job may use, in slurm.conf order: its partition's, not excluded, with the features it asks for. */
function candidates(r: JobRecord, cluster: ClusterConfig, partition: string, demand: NodeDemand | undefined): NodeConfig[] {
  const inPartition = nodeSets(cluster).get(partition);
  if (!inPartition) return [];
  const excluded = r.excNodes ? expand(r.excNodes) : [];
  return cluster.nodes.filter((n) => inPartition.has(n.name) && !excluded.includes(n.name)
    && (demand === undefined || nodeMayServe(demand, featureTest(n.features))));
}

/** Each partition's node names as a set, and each node's place in slurm.conf, once per cluster. */
const partitionSets = new WeakMap<ClusterConfig, Map<string, Set<string>>>();
const nodeOrders = new WeakMap<ClusterConfig, Map<string, number>>();
function nodeSets(cluster: ClusterConfig): Map<string, Set<string>> {
  let sets = partitionSets.get(cluster);
  if (!sets) partitionSets.set(cluster, (sets = new Map(cluster.partitions.map((p) => [p.name, new Set(p.nodes)]))));
  return sets;
}
function nodeOrder(cluster: ClusterConfig): Map<string, number> {
  let order = nodeOrders.get(cluster);
  if (!order) nodeOrders.set(cluster, (order = new Map(cluster.nodes.map((n, i) => [n.name, i]))));
  return order;
}

/** Host lists repeat from job to job and pass to pass: each expanded once (read only). */
const expanded = new Map<string, readonly string[]>();
function expand(list: string): readonly string[] {
  let names = expanded.get(list);
  if (names === undefined) {
    const r = expandHostlist(list);
    names = r.ok ? r.value : [];
    if (expanded.size > 1000) expanded.clear();
    expanded.set(list, names);
  }
  return names;
}

interface NodeNeed {
  cpus: number;
  memMb: number;
  gpus: number;
}

/** What one node must give for `tasks` tasks of the job. */
function needOn(r: JobRecord, node: NodeConfig, tasks: number, nodeCount: number): NodeNeed {
  if (r.oversubscribe === 'NO') return { cpus: node.cpus, memMb: node.realMemory, gpus: gpusOn(node, r.gpuType) };
  const cpus = Math.max(tasks * r.cpusPerTask, r.pnMinCpus, 1);
  const gpus = r.gpusPerNode || (r.gpusTotal ? Math.ceil(r.gpusTotal / nodeCount) : 0);
  let memMb: number;
  if (r.memPerGpu !== undefined) memMb = r.memPerGpu * gpus;
  else if (r.memory.per === 'node') memMb = r.memory.mb === 0 ? node.realMemory : r.memory.mb;
  else memMb = r.memory.mb * cpus;
  return { cpus, memMb, gpus };
}

function freeOn(node: NodeConfig, u: NodeUse | undefined, type?: string): NodeNeed {
  if (u?.exclusive) return { cpus: 0, memMb: 0, gpus: 0 };
  return {
    cpus: node.cpus - (u?.cpus ?? 0),
    memMb: node.realMemory - (u?.memMb ?? 0),
    gpus: gpusOn(node, type) - (u?.gpus.size ?? 0),
  };
}

function lowestFree(inUse: ReadonlySet<number> | undefined, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; out.length < count; i++) if (!inUse?.has(i)) out.push(i);
  return out;
}

/**
 * The CPUs a node gives a job, as cons_tres picks them by default (block:cyclic): each task
 * takes its CPUs from the next socket in turn (from the first, each socket's lowest free
 * cores first), so `-n 2` gets `0,16` on 2x16-core nodes and `-c 4` gets `0-3`. CPUs beyond
 * the tasks' (--mincpus, a whole node) are the lowest free ones. Nodes with threads: lowest free.
 */
export function coresFor(node: NodeConfig, inUse: ReadonlySet<number> | undefined, tasks: number, cpusPerTask: number, count: number): number[] {
  if (node.threadsPerCore !== 1 || node.sockets < 2 || node.sockets * node.coresPerSocket !== node.cpus) return lowestFree(inUse, count);
  const free = Array.from({ length: node.sockets }, (_, s) =>
    Array.from({ length: node.coresPerSocket }, (_, c) => s * node.coresPerSocket + c).filter((c) => !inUse?.has(c)));
  const out: number[] = [];
  let socket = 0;
  for (let t = 0; t < tasks && out.length + cpusPerTask <= count; t++) {
    const s = [...free.keys()].map((k) => (socket + k) % free.length).find((k) => free[k]!.length >= cpusPerTask);
    if (s === undefined) break;
    out.push(...free[s]!.splice(0, cpusPerTask));
    socket = (s + 1) % free.length;
  }
  const taken = new Set([...(inUse ?? []), ...out]);
  for (const c of lowestFree(taken, count - out.length)) out.push(c);
  return out.sort((a, b) => a - b);
}

const fits = (need: NodeNeed, free: NodeNeed) => need.cpus <= free.cpus && need.memMb <= free.memMb && need.gpus <= free.gpus;

/** How many tasks of the job a node with `free` resources can take. */
function roomFor(r: JobRecord, node: NodeConfig, free: NodeNeed): number {
  const cpt = Math.max(r.cpusPerTask, 1);
  if (r.oversubscribe === 'NO') return Math.floor(node.cpus / cpt);
  let n = Math.floor(free.cpus / cpt);
  if (r.memory.per === 'cpu' && r.memPerGpu === undefined && r.memory.mb > 0) n = Math.min(n, Math.floor(free.memMb / (r.memory.mb * cpt)));
  return n;
}

/**
 * Place the job on `count` nodes of the pool given what is in use, or fail.
 * Without --ntasks-per-node each node takes as many tasks as it has room for
 * while leaving one for every node still to choose, as cons_tres packs them
 * (`-n 5 -N 2` gets 4+1 CPUs, `-n 40` on 32-CPU nodes 32+8).
 */
/** Nothing in use (never written to). */
const IDLE: ReadonlyMap<string, NodeUse> = new Map();

function place(r: JobRecord, pool: readonly NodeConfig[], count: number, used: ReadonlyMap<string, NodeUse>): NodeAllocation[] | undefined {
  const chosen: NodeAllocation[] = [];
  let left = r.numTasks;
  for (const node of pool) {
    if (chosen.length === count) break;
    const use = used.get(node.name);
    if (r.oversubscribe === 'NO' && (use?.jobs ?? 0) > 0) continue;
    const free = freeOn(node, use, r.gpuType);
    const after = count - chosen.length - 1;
    let tasks: number;
    if (r.ntasksPerNode !== undefined) tasks = r.ntasksPerNode;
    else if (after === 0) tasks = left;
    else tasks = Math.min(roomFor(r, node, free), left - after);
    tasks = Math.max(tasks, r.nodesSet ? 0 : 1);
    const need = needOn(r, node, tasks, count);
    if (!fits(need, free)) continue;
    // the lowest free GPU indices, and CPUs task by task over the sockets, as cons_tres hands them out
    const gpus = lowestFree(use?.gpus, need.gpus);
    const cores = coresFor(node, use?.cores, tasks, Math.max(r.cpusPerTask, 1), need.cpus);
    chosen.push({ node: node.name, cpus: need.cpus, memMb: need.memMb, gpus, cores });
    left -= tasks;
  }
  return chosen.length === count ? chosen : undefined;
}

/** {@link fitJob}'s nodes. */
export function fit(r: JobRecord, s: Snapshot): NodeAllocation[] | undefined | 'never' {
  const placed = fitJob(r, s);
  return typeof placed === 'object' ? placed.alloc : placed;
}

/**
 * Choose nodes for the job, or say it cannot run now (undefined) or ever
 * ('never'): the first of its partitions (`-p a,b`) that can hold it now, and
 * the nodes there. The smallest node count that holds the tasks wins; with a
 * node range (`-N 1-2`) the largest that can be had, as slurmctld aims for the
 * maximum. A `[a|b]` constraint takes all nodes from one alternative; `a*N`
 * needs N nodes with `a`.
 */
export function fitJob(r: JobRecord, s: Snapshot): { alloc: NodeAllocation[]; partition: string } | undefined | 'never' {
  let verdict: undefined | 'never' = 'never';
  for (const partition of r.partition.split(',')) {
    const got = fitIn(r, s, partition);
    if (Array.isArray(got)) return { alloc: got, partition };
    if (got === undefined) verdict = undefined;
  }
  return verdict;
}

function fitIn(r: JobRecord, s: Snapshot, partition: string): NodeAllocation[] | undefined | 'never' {
  const demand = demandOf(r.features);
  const nodes = candidates(r, s.cluster, partition, demand);
  const groups = demand?.alternatives
    ? demand.alternatives.map((alt) => nodes.filter((n) => alt(featureTest(n.features)))).filter((g) => g.length > 0)
    : [nodes];
  let verdict: NodeAllocation[] | undefined | 'never' = 'never';
  for (const group of groups) {
    const got = fitAmong(r, group, s, demand);
    if (Array.isArray(got)) return got;
    if (got === undefined) verdict = undefined;
  }
  return verdict;
}

/** The fewest nodes the job can run on: its minimum, its -w names, its tasks at --ntasks-per-node, its counted features. */
function leastNodes(r: JobRecord, required: number, demand: NodeDemand | undefined): number {
  const perNode = r.ntasksPerNode ? Math.ceil(r.numTasks / r.ntasksPerNode) : 0;
  let shared = 0;
  let distinct = 0;
  for (const c of demand?.counts ?? []) {
    if (c.distinct) distinct += c.count;
    else shared = Math.max(shared, c.count);
  }
  return Math.max(r.minNodes, required, perNode, shared + distinct, 1);
}

function fitAmong(r: JobRecord, nodes: NodeConfig[], s: Snapshot, demand: NodeDemand | undefined): NodeAllocation[] | undefined | 'never' {
  const required = r.reqNodes ? expand(r.reqNodes) : [];
  const minNodes = leastNodes(r, required.length, demand);
  if (nodes.length < minNodes) return 'never';
  // -w names first, then the nodes a counted feature needs, then the rest
  let pool = nodes;
  if (required.length > 0 || demand?.counts.length) {
    const counted = (n: NodeConfig) => (demand?.counts ?? []).some((c) => c.match(featureTest(n.features)));
    pool = [...nodes.filter((n) => required.includes(n.name)),
      ...nodes.filter((n) => !required.includes(n.name) && counted(n)),
      ...nodes.filter((n) => !required.includes(n.name) && !counted(n))];
  }
  // node counts to try: a range from its maximum down, else from the fewest up
  const range = r.nodesSet && r.maxNodes > minNodes;
  const first = range ? Math.min(r.maxNodes, pool.length) : minNodes;
  const last = range ? minNodes : r.nodesSet ? minNodes : Math.min(pool.length, Math.max(r.numTasks, minNodes));
  const step = range ? -1 : 1;
  const usable = (alloc: NodeAllocation[]) => required.every((n) => alloc.some((c) => c.node === n))
    && countsMet(demand, alloc.map((a) => nodes.find((n) => n.name === a.node)!));
  for (let count = first; range ? count >= last : count <= last; count += step) {
    const chosen = place(r, pool, count, s.used);
    if (chosen && usable(chosen)) {
      // slurm.conf order, as Slurm lists allocated nodes
      const order = nodeOrder(s.cluster);
      return chosen.sort((a, b) => order.get(a.node)! - order.get(b.node)!);
    }
  }
  // would it fit on idle nodes?
  for (let count = first; range ? count >= last : count <= last; count += step) {
    const chosen = place(r, pool, count, IDLE);
    if (chosen && usable(chosen)) return undefined;
  }
  return 'never';
}

/** Each counted feature has its nodes among the chosen ones (a term after `&` in a `[a*1&b*1]` set: nodes no earlier term took). */
function countsMet(demand: NodeDemand | undefined, chosen: NodeConfig[]): boolean {
  if (!demand?.counts.length) return true;
  const taken = new Set<string>();
  for (const c of demand.counts) {
    const matching = chosen.filter((n) => c.match(featureTest(n.features)) && !(c.distinct && taken.has(n.name)));
    if (matching.length < c.count) return false;
    matching.slice(0, c.count).forEach((n) => taken.add(n.name));
  }
  return true;
}

/**
 * How many nodes slurmctld's test at submit would pick for a job that does not
 * start at once (NumNodes= of a pending job it has sized): a fit on idle
 * nodes, undefined if there is none.
 */
export function idleNodeCount(r: JobRecord, cluster: ClusterConfig): number | undefined {
  // fit() only reads `used`
  const got = fit(r, { now: 0, cluster, used: IDLE as Map<string, NodeUse>, pending: [] });
  return Array.isArray(got) ? got.length : undefined;
}
