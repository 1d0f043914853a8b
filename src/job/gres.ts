/**
 * A job's GPU and generic-resource requests, as the job record needs them:
 * scontrol's TresPer*= strings and the GPU counts the scheduler allocates, or
 * the exact error sbatch (or slurmctld) gives for a bad value.
 */
import type { JobRequest } from '../options/request.js';
import { formatGpusTres, formatTresPerNode, parseGpus, parseGres, type GpuRequest, type GresRequest, type Result } from './values/index.js';

export interface GpuPlan {
  perNode: number;
  perJob: number;
  perTask: number;
  type?: string;
  tresPerNode?: string;
  tresPerJob?: string;
  tresPerTask?: string;
  tresPerSocket?: string;
}

/** An error and who gives it: sbatch itself, or slurmctld (`Batch job submission failed: ...`). */
export type GresProblem = { message: string; controller: boolean };

const sum = (xs: { count: number }[]) => xs.reduce((s, x) => s + x.count, 0);
const typeOf = (xs: { type?: string; name?: string }[]) => xs.find((x) => x.type !== undefined && (x.name === undefined || x.name === 'gpu'))?.type;

/** A parsed request's items; a failure is added to `problems` instead. */
function take<T>(r: Result<T[]> | undefined, problems: GresProblem[]): T[] | undefined {
  if (r === undefined) return undefined;
  if (r.ok) return r.value;
  problems.push({ message: r.error.message, controller: r.error.side === 'controller' });
  return undefined;
}

export function planGpus(req: JobRequest, gresTypes: readonly string[]): { ok: true; plan: GpuPlan } | { ok: false; problem: GresProblem } {
  const problems: GresProblem[] = [];
  const gres = take<GresRequest>(req.gres !== undefined ? parseGres(req.gres, { gresTypes }) : undefined, problems);
  const perNode = take<GpuRequest>(req.gpusPerNode !== undefined ? parseGpus(req.gpusPerNode) : undefined, problems);
  const perJob = take<GpuRequest>(req.gpus !== undefined ? parseGpus(req.gpus) : undefined, problems);
  const perTask = take<GpuRequest>(req.gpusPerTask !== undefined ? parseGpus(req.gpusPerTask) : undefined, problems);
  const perSocket = take<GpuRequest>(req.gpusPerSocket !== undefined ? parseGpus(req.gpusPerSocket) : undefined, problems);
  if (problems.length) return { ok: false, problem: problems.find((p) => !p.controller) ?? problems[0]! };
  const gresGpus = (gres ?? []).filter((g) => g.name === 'gpu');
  return {
    ok: true,
    plan: {
      perNode: sum(perNode ?? []) || sum(gresGpus),
      perJob: sum(perJob ?? []),
      perTask: sum(perTask ?? []),
      type: typeOf(perNode ?? []) ?? typeOf(gresGpus) ?? typeOf(perJob ?? []) ?? typeOf(perTask ?? []),
      tresPerNode: formatTresPerNode(perNode, gres),
      tresPerJob: perJob?.length ? formatGpusTres(perJob) : undefined,
      tresPerTask: perTask?.length ? formatGpusTres(perTask) : undefined,
      tresPerSocket: perSocket?.length ? formatGpusTres(perSocket) : undefined,
    },
  };
}
