/**
 * The state of a job the moment it is accepted, before any scheduling: its
 * pending reason, the dependency text and the times scontrol shows. The
 * controller starts every job from this.
 */
import type { ClusterConfig } from '../cluster/slurm-conf.js';
import type { JobStatus } from '../format/scontrol/show-job.js';
import { limitSeconds, type JobRecord } from './job.js';
import { unservedPartition } from './constraint.js';
import { formatArrayIndexSet, formatDependency, parseArray, parseDependency, resolveDependency } from './values/index.js';

export interface SubmitFacts {
  /** epoch seconds */
  now: number;
  /** priority the controller gives a job that is not held */
  priority: number;
  /** whether a job id refers to a known job (unknown ones are dropped from dependencies) */
  jobExists: (jobId: number) => boolean;
  /** whether a job id is a job array (a bare reference to one means all its tasks) */
  isArrayJob?: (jobId: number) => boolean;
  allocNode: string;
  allocSid: number;
}

export function pendingReason(job: JobRecord, cluster: ClusterConfig, now: number): string {
  if (job.held) return 'JobHeldUser';
  const partition = cluster.partitions.find((p) => p.name === job.partition.split(',')[0]);
  if (partition && job.minNodes > partition.nodes.length) return 'PartitionConfig';
  if (unservedPartition(job.features, job.partition.split(','), cluster)) return 'BadConstraints';
  if (job.beginTime !== undefined && job.beginTime > now) return 'BeginTime';
  if (job.dependency !== undefined) return 'Dependency';
  return 'None';
}

/** `Dependency=` text: every term unfulfilled; terms on unknown jobs vanish unless the job is held. */
export function dependencyText(job: JobRecord, jobExists: (id: number) => boolean, isArrayJob?: (id: number) => boolean): string | null {
  if (job.dependency === undefined) return null;
  const parsed = parseDependency(job.dependency);
  if (!parsed.ok) return null;
  const dep = isArrayJob ? resolveDependency(parsed.value, isArrayJob) : parsed.value;
  const text = formatDependency(dep, (term) => {
    if (term.jobId !== undefined && !job.held && !jobExists(term.jobId)) return null;
    return 'unfulfilled';
  });
  return text === '' ? null : text;
}

export function statusAtSubmit(job: JobRecord, cluster: ClusterConfig, facts: SubmitFacts): JobStatus {
  const begin = job.beginTime;
  const end = begin !== undefined && job.timeLimit !== 'UNLIMITED' ? begin + limitSeconds(job.timeLimit) : undefined;
  const array = job.arraySpec !== undefined ? parseArray(job.arraySpec) : undefined;
  return {
    state: 'PENDING',
    reason: pendingReason(job, cluster, facts.now),
    dependency: dependencyText(job, facts.jobExists, facts.isArrayJob),
    priority: job.held ? 0 : job.priority ?? facts.priority,
    restarts: 0,
    exitCode: '0:0',
    eligibleTime: begin,
    startTime: begin,
    endTime: end,
    lastSchedEval: facts.now,
    runTime: 0,
    allocNode: facts.allocNode,
    allocSid: facts.allocSid,
    pendingArrayTasks: array?.ok ? formatArrayIndexSet(array.value) : undefined,
  };
}
