/**
 * File name patterns of a job record: what `scontrol show job` displays, and
 * the real file names the batch step writes to.
 */
import type { JobRecord } from './job.js';
import { expandFilenamePattern, expandPatternForScontrol, type PatternContext } from './values/index.js';

function contextOf(job: JobRecord, node = '', taskId = 0): PatternContext {
  return {
    jobId: job.jobId,
    arrayJobId: job.arrayJobId,
    arrayTaskId: job.arrayTaskId,
    stepId: 'batch',
    jobName: job.name,
    user: job.userName,
    nodeName: node,
    nodeIndex: 0,
    taskId,
  };
}

/** StdOut=/StdErr=/StdIn= as scontrol shows them (only some codes expanded). */
export function displayPattern(pattern: string, job: JobRecord): string {
  return expandPatternForScontrol(pattern, contextOf(job));
}

/** The file the batch step of `job` opens on `node`. */
export function batchFileName(pattern: string, job: JobRecord, node: string): string {
  return expandFilenamePattern(pattern, contextOf(job, node));
}
