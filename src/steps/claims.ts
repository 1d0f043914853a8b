/**
 * What a running step holds of its job's allocation, and whether a new step
 * may start beside the running ones. A model of slurmctld 22.05's step
 * allocation that reproduces the recorded cases (fixtures/oracle/srun
 * bg-steps, too-many):
 * - CPUs: a plain step holds all the job's CPUs on its nodes, so plain steps
 *   on one node run one after another (the later ones wait: "Requested nodes
 *   are busy"); `--exact` (or `--exclusive`) holds only tasks x CPUs per task;
 *   `--overlap` holds none and ignores what others hold.
 * - Memory: what the step asks for, from srun's command line or inherited from
 *   the job (`SLURM_MEM_PER_CPU` x its tasks' CPUs, `SLURM_MEM_PER_NODE`); an
 *   `--overlap` step without a memory option of its own asks for all of the
 *   job's memory on the node. Memory that is not free fails the step at once
 *   ("Memory required by task is not available"), it does not wait.
 * Pure.
 */
import type { AllocatedNode, StepLayout } from './layout.js';

export interface NodeClaim {
  node: string;
  cpus: number;
  memMb: number;
}

export interface StepMemory {
  /** MB per node (--mem) */
  perNode?: number;
  /** MB per CPU (--mem-per-cpu) */
  perCpu?: number;
  /** given on srun's command line (not inherited from the job) */
  byCli: boolean;
}

export interface ClaimOptions {
  exact: boolean;
  overlap: boolean;
  cpusPerTask: number;
  memory: StepMemory;
}

export const MEMORY_UNAVAILABLE = 'Memory required by task is not available';

export function stepClaims(layout: StepLayout, job: readonly AllocatedNode[], o: ClaimOptions): NodeClaim[] {
  return layout.nodes.map((n) => {
    const node = job[n.jobIndex]!;
    // an overcommitted step (-O) still holds no more than the node's CPUs
    const taskCpus = Math.min(n.tasks.length * o.cpusPerTask, node.cpus);
    const cpus = o.overlap ? 0 : o.exact ? taskCpus : node.cpus;
    let memMb: number;
    if (o.overlap && !o.memory.byCli) memMb = node.memMb;
    // --mem=0: all of the job's memory, shared rather than held
    else if (o.memory.perNode !== undefined) memMb = o.memory.perNode;
    else if (o.memory.perCpu !== undefined) memMb = o.memory.perCpu * taskCpus;
    else memMb = 0;
    return { node: n.name, cpus, memMb };
  });
}

/** A step asking for more memory than the job has on a node can never start. */
export function exceedsJob(claims: readonly NodeClaim[], job: readonly AllocatedNode[]): boolean {
  return claims.some((c) => c.memMb > (job.find((n) => n.name === c.node)?.memMb ?? 0));
}

export type Admission = 'go' | 'busy' | 'memory';

/** May a step with these claims start while `running` steps hold theirs? */
export function admit(claims: readonly NodeClaim[], running: readonly (readonly NodeClaim[])[], job: readonly AllocatedNode[]): Admission {
  const used = new Map<string, { cpus: number; memMb: number }>();
  for (const step of running) {
    for (const c of step) {
      const u = used.get(c.node) ?? { cpus: 0, memMb: 0 };
      u.cpus += c.cpus;
      u.memMb += c.memMb;
      used.set(c.node, u);
    }
  }
  const nodeOf = (name: string) => job.find((n) => n.name === name);
  for (const c of claims) {
    if (c.cpus > 0 && c.cpus > (nodeOf(c.node)?.cpus ?? 0) - (used.get(c.node)?.cpus ?? 0)) return 'busy';
  }
  for (const c of claims) {
    if (c.memMb > 0 && c.memMb > (nodeOf(c.node)?.memMb ?? 0) - (used.get(c.node)?.memMb ?? 0)) return 'memory';
  }
  return 'go';
}
