/**
 * The GPUs of a step and of each of its tasks, as slurmd 22.05 binds them
 * (fixtures/oracle/srun gpus-per-task*, layout-*): a step gets all the job's
 * GPUs on each of its nodes (`--gres=gpu:N` limits that to the first N);
 * `--gpus-per-task=K` (from srun or inherited from the job) gives task with
 * local id L the GPUs L*K..L*K+K-1; `--gpu-bind=closest` undoes that binding,
 * `--gpu-bind=none` hides the GPUs altogether. `--gpus=N` binds nothing. Pure.
 */
import type { AllocatedNode, LayoutError } from './layout.js';

export interface StepGpuRequest {
  /** --gpus-per-task */
  perTask?: number;
  /** --gres=gpu:N given to srun: the step's GPUs on each node */
  perNode?: number;
  /** some GPU option was given (--gres=gpu, --gpus, --gpus-per-*) */
  requested: boolean;
  /** --gpu-bind */
  bind?: string;
}

/** One task's view: what CUDA_VISIBLE_DEVICES and friends say; undefined hides them. */
export interface TaskGpus {
  visible?: number[];
  /** SLURM_GPUS_ON_NODE: the step's GPUs on the task's node */
  onNode: number;
  /** SLURMD_TRES_BIND */
  tresBind?: string;
}

export type GpuPlan = { ok: true; plan: StepGpus } | { ok: false; error: LayoutError; lines: string[] };

export interface StepGpus {
  /** step GPUs per node name */
  perNode: Map<string, number[]>;
  request: StepGpuRequest;
}

export const GRES_INVALID = 'Invalid generic resource (gres) specification';

/** The step's GPUs on each of its nodes; errors for a GPU step in a job without GPUs, or asking for more than a node has. */
export function planStepGpus(nodes: readonly AllocatedNode[], tasksOnNode: (name: string) => number, req: StepGpuRequest): GpuPlan {
  const gresError = (lines: string[] = []): GpuPlan => ({ ok: false, error: { kind: 'create', reason: GRES_INVALID }, lines });
  if (req.requested && nodes.every((n) => n.gpus.length === 0)) return gresError(["Step requested GRES but job doesn't have GRES"]);
  const perNode = new Map<string, number[]>();
  for (const n of nodes) {
    if (req.perNode !== undefined && req.perNode > n.gpus.length) return gresError();
    const gpus = req.perNode !== undefined ? n.gpus.slice(0, req.perNode) : n.gpus;
    if (req.perTask !== undefined && n.gpus.length > 0 && tasksOnNode(n.name) * req.perTask > gpus.length) return gresError();
    perNode.set(n.name, gpus);
  }
  return { ok: true, plan: { perNode, request: req } };
}

/** The GPUs one task sees: `localId` is its index among the step's tasks on its node. */
export function taskGpus(plan: StepGpus, node: string, localId: number): TaskGpus {
  const gpus = plan.perNode.get(node) ?? [];
  const { bind, perTask } = plan.request;
  const kind = bind?.toLowerCase();
  if (kind === 'none') return { onNode: gpus.length, tresBind: 'gpu:none' };
  if (kind !== undefined && kind.startsWith('map_gpu:')) {
    const map = kind.slice(8).split(',').map(Number).filter((x) => Number.isInteger(x));
    const pick = map.length > 0 ? gpus[map[localId % map.length]!] : undefined;
    return { visible: pick === undefined ? gpus : [pick], onNode: gpus.length, tresBind: `gpu:${bind}` };
  }
  if (kind !== undefined && kind.startsWith('mask_gpu:')) {
    const masks = kind.slice(9).split(',');
    const mask = parseInt(masks[localId % masks.length] ?? '', 16);
    const picked = Number.isNaN(mask) ? gpus : gpus.filter((_, i) => (mask >> i) & 1);
    return { visible: picked, onNode: gpus.length, tresBind: `gpu:${bind}` };
  }
  if (kind !== undefined) return { visible: gpus, onNode: gpus.length, tresBind: `gpu:${bind}` };
  if (perTask !== undefined) {
    return { visible: gpus.slice(localId * perTask, localId * perTask + perTask), onNode: gpus.length, tresBind: `gpu:per_task:${perTask}` };
  }
  return { visible: gpus, onNode: gpus.length };
}
