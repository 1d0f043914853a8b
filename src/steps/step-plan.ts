/**
 * A step of srun from its options to its record and its tasks' environments:
 * the part of srun that decides, not the part that runs. Pure. srun runs it
 * on the local provider (srun-step.ts), and the Mithril driver runs the same
 * for an srun inside a job on Mithril nodes, so a step's layout, rank
 * variables and GPUs are the same on both.
 */
import { basename } from 'node:path';
import type { StepRecord, StoredJob } from '../job/job-run.js';
import { compressHostlist } from '../job/values/hostlist.js';
import { exceedsJob, MEMORY_UNAVAILABLE, stepClaims, type NodeClaim } from './claims.js';
import { exportedToTasks } from './export.js';
import { perNodeCounts, type AllocatedNode, type StepLayout } from './layout.js';
import { planStep } from './plan.js';
import type { StepGpus } from './gpus.js';
import { stepEnv, taskEnv, taskPlaces, type AllocationVars, type StepEnvContext } from './task-env.js';
import { stepGpuRequest, stepMemory, stepRequest, type SrunOptions } from '../commands/srun-options.js';

export function allocatedNodes(job: StoredJob): AllocatedNode[] {
  return job.alloc.map((a) => ({ name: a.node, cpus: a.cpus, memMb: a.memMb, gpus: a.gpus }));
}

/** A step to create: what it holds, how it is recorded (but its id and start), and what srun warned. */
export interface PlannedStep {
  layout: StepLayout;
  gpus: StepGpus;
  claims: NodeClaim[];
  nodes: AllocatedNode[];
  record: Omit<StepRecord, 'id' | 'start' | 'srun'>;
  warnings: string[];
}

export type StepPlanResult = { ok: true; step: PlannedStep } | { ok: false; stderr: string[] };

export function planSrunStep(job: StoredJob, o: SrunOptions): StepPlanResult {
  const q = o.request;
  const jobId = job.record.jobId;
  const nodes = allocatedNodes(job);
  const req = stepRequest(o);
  if (!req.ok) return { ok: false, stderr: req.stderr };
  const plan = planStep(jobId, nodes, req.step, stepGpuRequest(o));
  if (!plan.ok) return { ok: false, stderr: plan.stderr };
  const exact = q.exact === true || (q.exclusive !== undefined && o.resolution.state.get('exclusive')?.source.from === 'command-line');
  const claims = stepClaims(plan.layout, nodes, { exact, overlap: q.overlap === true, cpusPerTask: req.step.cpusPerTask, memory: stepMemory(o) });
  if (exceedsJob(claims, nodes)) return { ok: false, stderr: [...plan.warnings, `srun: error: Unable to create step for job ${jobId}: ${MEMORY_UNAVAILABLE}`] };
  const stepNodes = plan.layout.nodes.map((n) => n.name);
  return {
    ok: true,
    step: {
      layout: plan.layout,
      gpus: plan.gpus,
      claims,
      nodes,
      warnings: plan.warnings,
      record: {
        name: q.jobName !== undefined && o.resolution.state.get('job-name')?.source.from === 'command-line' ? q.jobName : basename(o.command[0]!),
        end: 0,
        state: 'RUNNING',
        exit: '0:0',
        nodes: compressHostlist(stepNodes),
        nnodes: stepNodes.length,
        ntasks: plan.layout.ntasks,
        cpus: claims.reduce((sum, cl, i) => sum + (cl.cpus || plan.layout.nodes[i]!.tasks.length * req.step.cpusPerTask), 0),
        tasksPerNode: perNodeCounts(plan.layout.nodes.map((n) => n.tasks.length)),
        claims,
        dist: plan.layout.distribution,
      },
    },
  };
}

/** Where srun listens, as its tasks are told, and its umask. */
export interface Launcher {
  launchHost: string;
  port: number;
  umask: string;
}

export interface PlannedTask {
  procid: number;
  /** index of its node within the step */
  nodeId: number;
  /** its node's name */
  node: string;
  env: Record<string, string>;
}

/** Each task's environment, once the step has its id. */
export function stepTasks(job: StoredJob, o: SrunOptions, step: PlannedStep, stepId: number, srunEnv: Readonly<Record<string, string | undefined>>, launcher: Launcher, allocation?: AllocationVars): { ctx: StepEnvContext; tasks: PlannedTask[] } {
  const ctx: StepEnvContext = {
    jobId: job.record.jobId, stepId, layout: step.layout, job: step.nodes, allocation, label: o.request.label === true,
    cpusPerTask: o.resolution.state.get('cpus-per-task')?.source.from === 'command-line' ? o.request.cpusPerTask : undefined,
    ...launcher, gpus: step.gpus,
  };
  const common = stepEnv(exportedToTasks(o.request.export, srunEnv), ctx);
  const tasks = taskPlaces(step.layout).map((t) => ({ procid: t.procid, nodeId: t.nodeId, node: step.layout.nodes[t.nodeId]!.name, env: taskEnv(common, ctx, t) }));
  return { ctx, tasks };
}
