/**
 * The scheduler only decides: a snapshot of nodes and pending jobs in, a plan
 * out (which jobs start where, and why the others wait). No I/O, so it is
 * tested with plain data. Jobs are taken in priority order per partition; the
 * first that does not fit blocks the partition (reason Resources) and the
 * ones behind it wait with reason Priority, as Slurm's main scheduler does.
 */
import type { ClusterConfig, NodeConfig } from '../cluster/slurm-conf.js';
import { taskIndices, type TaskRange } from '../spec/array-tasks.js';
import type { JobRecord } from '../spec/job.js';
import { featureNames, gpusOn } from '../spec/job-checks.js';
import { expandHostlist } from '../spec/values/index.js';
import type { NodeAllocation } from './state.js';

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
  starts: { jobId: number; task?: number; alloc: NodeAllocation[] }[];
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
  const alloc = fit(job.record, s);
  if (alloc === 'never') return 'PartitionConfig';
  if (alloc === undefined) return 'Resources';
  addUse(s.used, alloc, job.record.oversubscribe === 'NO');
  plan.starts.push({ jobId: job.id, alloc });
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
    const alloc = fit(job.record, s);
    if (alloc === 'never') return 'PartitionConfig';
    if (alloc === undefined) return 'Resources';
    addUse(s.used, alloc, job.record.oversubscribe === 'NO');
    plan.starts.push({ jobId: job.id, task, alloc });
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
  if (job.eligible > s.now) return 'BeginTime';
  if (job.dependency === 'waiting') return 'Dependency';
  if (job.dependency === 'never') return 'DependencyNeverSatisfied';
  return undefined;
}

/** Nodes the job may use, in slurm.conf order. */
function candidates(r: JobRecord, cluster: ClusterConfig): NodeConfig[] {
  const part = cluster.partitions.find((p) => p.name === r.partition.split(',')[0]);
  if (!part) return [];
  const excluded = r.excNodes ? new Set(expand(r.excNodes)) : new Set<string>();
  const wanted = featureNames(r.features ?? '');
  const anyOf = (r.features ?? '').includes('|');
  return cluster.nodes.filter((n) => part.nodes.includes(n.name) && !excluded.has(n.name)
    && (wanted.length === 0 || (anyOf ? wanted.some((f) => n.features.includes(f)) : wanted.every((f) => n.features.includes(f)))));
}

function expand(list: string): string[] {
  const r = expandHostlist(list);
  return r.ok ? r.value : [];
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
function place(r: JobRecord, pool: readonly NodeConfig[], count: number, used: Map<string, NodeUse>): NodeAllocation[] | undefined {
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

/**
 * Choose nodes for the job, or say it cannot run now (undefined) or ever on
 * this partition ('never'). The smallest node count that holds the tasks
 * wins; --nodes fixes the node count.
 */
export function fit(r: JobRecord, s: Snapshot): NodeAllocation[] | undefined | 'never' {
  const nodes = candidates(r, s.cluster);
  const required = r.reqNodes ? expand(r.reqNodes) : [];
  const minNodes = Math.max(r.minNodes, required.length, 1);
  if (nodes.length < minNodes) return 'never';
  const pool = [...nodes.filter((n) => required.includes(n.name)), ...nodes.filter((n) => !required.includes(n.name))];
  const maxNodes = r.nodesSet ? Math.max(r.maxNodes, minNodes) : Math.min(pool.length, Math.max(r.numTasks, minNodes));
  const hasRequired = (alloc: NodeAllocation[]) => required.every((n) => alloc.some((c) => c.node === n));
  for (let count = minNodes; count <= maxNodes; count++) {
    const chosen = place(r, pool, count, s.used);
    if (chosen && hasRequired(chosen)) {
      // slurm.conf order, as Slurm lists allocated nodes
      return chosen.sort((a, b) => s.cluster.nodes.findIndex((n) => n.name === a.node) - s.cluster.nodes.findIndex((n) => n.name === b.node));
    }
  }
  // would it fit on idle nodes?
  const idle = new Map<string, NodeUse>();
  for (let count = minNodes; count <= maxNodes; count++) {
    const chosen = place(r, pool, count, idle);
    if (chosen && hasRequired(chosen)) return undefined;
  }
  return 'never';
}
