/**
 * A step from request to plan: its layout over the job's nodes and its GPUs,
 * or srun's exact complaint. Pure; srun's launch and the tests share it.
 */
import { planStepGpus, type StepGpuRequest, type StepGpus } from './gpus.js';
import { layoutStep, type AllocatedNode, type LayoutError, type StepLayout, type StepRequest } from './layout.js';

export type StepPlan =
  | { ok: true; layout: StepLayout; gpus: StepGpus; warnings: string[] }
  | { ok: false; stderr: string[] };

/** srun's lines for a step it cannot create (warnings first, as srun prints them). */
export function stepErrorLines(jobId: number, error: LayoutError, warnings: readonly string[] = [], extra: readonly string[] = []): string[] {
  const what = error.kind === 'create' ? `Unable to create step for job ${jobId}: ${error.reason}` : error.message;
  return [...warnings.map((w) => `srun: ${w}`), ...extra.map((l) => `srun: error: ${l}`), `srun: error: ${what}`];
}

export function planStep(jobId: number, job: readonly AllocatedNode[], step: StepRequest, gpuRequest: StepGpuRequest): StepPlan {
  const laid = layoutStep(job, step);
  if (!laid.ok) return { ok: false, stderr: stepErrorLines(jobId, laid.error, laid.warnings) };
  const byName = new Map(job.map((n) => [n.name, n]));
  const onNode = new Map(laid.layout.nodes.map((n) => [n.name, n.tasks.length]));
  const stepNodes = laid.layout.nodes.map((n) => byName.get(n.name)!);
  const gpus = planStepGpus(stepNodes, (name) => onNode.get(name) ?? 0, gpuRequest);
  if (!gpus.ok) return { ok: false, stderr: stepErrorLines(jobId, gpus.error, laid.warnings, gpus.lines) };
  return { ok: true, layout: laid.layout, gpus: gpus.plan, warnings: laid.warnings.map((w) => `srun: ${w}`) };
}
