/**
 * From a Slurm job to the Flow task that runs it. On the local provider the
 * task is what the job asked for: its nodes, GPUs and time, its command;
 * nothing to buy, so no instance shape or price. On Mithril it is one spot
 * bid for all the job's nodes (one InfiniBand group, `instance_quantity =
 * nodes`), an instance shape that holds the GPUs a node needs, the time limit
 * as the maximum run time, and a per-instance limit price; the job stores
 * its placement (placementOf) and the Mithril driver buys it.
 */
import type { ClusterConfig } from '../cluster/slurm-conf.js';
import { partitionFlow, type FlowConfig } from '../cluster/flow-config.js';
import type { FlowOptions } from '../submit/flow-options.js';
import { gpusOnNodes, type JobRecord, type Placement } from './job.js';

interface TaskCommon {
  name: string;
  partition: string;
  /** nodes the job asked for (its minimum) */
  nodes: number;
  /** GPUs the job asked for in all (0: none) */
  gpus: number;
  /** the GPU model, when the job names one (--gpus=h100:2) */
  gpuType?: string;
  maxRunTimeHours: number | null;
  /** the batch script and its arguments, run from the job's working directory */
  command: string[];
  workingDir: string;
  /** variables set explicitly with --export (the rest follow --export's rules on the node) */
  env: Record<string, string>;
  exportAll: boolean;
}

/** A job on this machine's emulated nodes. */
export interface LocalTaskSpec extends TaskCommon {
  provider: 'local';
}

/** A job as one Mithril spot bid. */
export interface MithrilTaskSpec extends TaskCommon {
  provider: 'mithril';
  instanceType: string;
  instanceCount: number;
  gpusPerInstance: number;
  /** USD per instance per hour */
  maxPricePerHour: number;
  /** USD: the most the job may spend (absent: no cap) */
  maxCost?: number;
  priority: 'low' | 'med' | 'high';
  region?: string;
  image?: string;
}

export type FlowTaskSpec = LocalTaskSpec | MithrilTaskSpec;

/** Default limit prices per GPU-hour by priority tier (the Flow SDK's table). */
const TIER_PRICE: Record<string, [number, number, number]> = {
  b200: [6, 12, 24], h100: [4, 8, 16], h200: [5, 10, 20], a100: [3, 6, 12], a10: [1, 2, 4], t4: [0.5, 1, 2],
};
const OTHER_PRICE: [number, number, number] = [2, 4, 8];
/** Shapes Mithril sells, GPUs per instance. */
const SHAPES: Record<string, number[]> = { a100: [1, 2, 4, 8], h100: [8], h200: [8], b200: [8] };

export function toFlowTask(job: JobRecord, cluster: ClusterConfig, config: FlowConfig, flow: FlowOptions): FlowTaskSpec {
  const partition = job.partition.split(',')[0]!;
  const p = partitionFlow(config, partition);
  const env: Record<string, string> = {};
  let exportAll = true;
  if (job.export !== undefined) {
    const items = job.export.split(',');
    exportAll = items.some((i) => i.toUpperCase() === 'ALL');
    for (const i of items) {
      const eq = i.indexOf('=');
      if (eq > 0) env[i.slice(0, eq)] = i.slice(eq + 1);
    }
  }
  const nodes = Math.max(job.minNodes, 1);
  const common: TaskCommon = {
    name: job.name,
    partition: job.partition,
    nodes,
    gpus: gpusOnNodes(job, nodes),
    ...(job.gpuType !== undefined ? { gpuType: job.gpuType } : {}),
    maxRunTimeHours: job.timeLimit === 'UNLIMITED' ? null : Math.round((job.timeLimit / 60) * 1000) / 1000,
    command: job.scriptPath === null ? ['slurm_script'] : [job.scriptPath, ...job.scriptArgs],
    workingDir: job.workDir,
    env,
    exportAll,
  };
  const provider = flow.provider ?? p.provider ?? 'local';
  if (provider === 'local') return { provider, ...common };

  const nodeType = cluster.nodes.find((n) => cluster.partitions.find((x) => x.name === partition)?.nodes.includes(n.name))
    ?.gres.find((g) => g.name === 'gpu')?.type;
  const gpuType = job.gpuType ?? p.gpuType ?? nodeType ?? 'h100';
  const shapes = p.shapes ?? SHAPES[gpuType] ?? [1, 2, 4, 8];
  const wanted = Math.max(job.gpusPerNode, Math.ceil(job.gpusTotal / Math.max(job.minNodes, 1)), 1);
  const gpusPerInstance = shapes.find((s) => s >= wanted) ?? shapes[shapes.length - 1]!;
  const priority = flow.priority ?? p.priority ?? 'med';
  const tier = TIER_PRICE[gpuType] ?? OTHER_PRICE;
  const defaultPrice = tier[{ low: 0, med: 1, high: 2 }[priority]]! * gpusPerInstance;
  const region = flow.region ?? p.region;
  const image = flow.image ?? p.image;
  return {
    provider,
    ...common,
    instanceType: flow.instanceType ?? p.instanceType ?? `${gpusPerInstance}x${gpuType}`,
    instanceCount: nodes,
    gpusPerInstance,
    maxPricePerHour: flow.maxPricePerHour ?? p.maxPricePerHour ?? defaultPrice,
    ...(flow.maxCost !== undefined ? { maxCost: flow.maxCost } : {}),
    priority,
    ...(region !== undefined ? { region } : {}),
    ...(image !== undefined ? { image } : {}),
  };
}

/** The provider a job runs on: its stored placement's, or local (a job stored before placements, or srun's and salloc's own). */
export function providerOf(job: JobRecord | undefined): string {
  return job?.placement?.provider ?? 'local';
}

/** What of the task is stored with the job: its provider and what it buys there. */
export function placementOf(task: FlowTaskSpec): Placement {
  if (task.provider === 'local') return { provider: 'local' };
  const { provider, instanceType, instanceCount, maxPricePerHour, maxCost, priority, region, image } = task;
  return {
    provider, instanceType, instanceCount, maxPricePerHour, priority,
    ...(maxCost !== undefined ? { maxCost } : {}), ...(region !== undefined ? { region } : {}), ...(image !== undefined ? { image } : {}),
  };
}
