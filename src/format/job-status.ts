/**
 * What squeue and scontrol show of a job's state and reason.
 */
import type { JobStatus } from './scontrol/show-job.js';
import { isPendingState, shownState } from '../job/job-states.js';
import { limitSeconds } from '../job/job.js';
import type { StoredJob } from '../job/job-run.js';

/**
 * When a job began to accrue age: from its eligible time (also one still ahead, as a --begin job's); a held
 * job accrues nothing, unless it was requeued (held) out of a run, whose accrual it keeps.
 */
function accrueTime(j: StoredJob): number | undefined {
  if (!isPendingState(j.state) || j.held === '') return j.eligible || undefined;
  const last = j.history[j.history.length - 1];
  return last?.state === 'REQUEUED' ? last.eligible || undefined : undefined;
}

/** What squeue/scontrol show: completing jobs keep their final state hidden until they end. */
export function displayStatus(j: StoredJob, now: number, allocNode: string): JobStatus {
  const running = j.state === 'RUNNING' || j.state === 'CONFIGURING' || j.state === 'COMPLETING' || j.state === 'SUSPENDED';
  const runTime = j.start === 0 ? 0 : Math.max(0, (running ? now : j.end) - j.start);
  const limit = j.record.timeLimit;
  const endTime = j.end !== 0 ? j.end : j.start !== 0 && limit !== 'UNLIMITED' ? j.start + limitSeconds(limit)
    : isPendingState(j.state) && j.eligible && limit !== 'UNLIMITED' ? j.eligible + limitSeconds(limit) : undefined;
  const cpus = j.alloc.reduce((s, a) => s + a.cpus, 0);
  return {
    state: shownState(j.state, j.reason),
    reason: j.reason,
    dependency: j.dependency,
    priority: j.priority,
    restarts: j.restarts,
    exitCode: j.exit,
    eligibleTime: j.eligible || undefined,
    // accrues from its eligible time (also one still ahead, as a --begin job's); never while held
    accrueTime: accrueTime(j),
    startTime: j.start || (isPendingState(j.state) ? j.eligible || undefined : undefined),
    endTime,
    lastSchedEval: j.lastSchedEval || j.submit || j.record.submitTime,
    submitTime: j.submit || undefined,
    runTime,
    nodeList: j.nodes || undefined,
    batchHost: j.batchHost || undefined,
    allocCpus: cpus || undefined,
    allocNodes: j.alloc.length || undefined,
    allocNode,
    allocSid: 0,
  };
}
