/**
 * Everything sbatch does before the controller sees the job: parse, then
 * build the job record against the cluster. Shared by `sbatch`, `flow submit`
 * and the tests; the job id comes from the caller (the controller hands them out).
 */
import type { ClusterConfig } from '../cluster/slurm-conf.js';
import { buildJob, type SubmitContext } from '../job/build-job.js';
import type { JobRecord } from '../job/job.js';
import { parseSubmission, type ParsedSubmission, type SubmitInput } from './parse.js';

export type Prepared =
  | { kind: 'info'; stdout: string }
  | { kind: 'error'; stderr: string[]; exit: number }
  | { kind: 'job'; job: JobRecord; parsed: ParsedSubmission };

export type Identity = Omit<SubmitContext, 'jobId' | 'now' | 'cwd'>;

export function prepareSubmission(
  input: SubmitInput, cluster: ClusterConfig, identity: Identity, jobId: number,
): Prepared {
  const outcome = parseSubmission(input);
  if (outcome.kind !== 'ok') return outcome;
  return buildSubmission(outcome.submission, input, cluster, identity, jobId);
}

/** The second half: a parsed submission against the cluster (commands load the cluster only once the options parse). */
export function buildSubmission(
  parsed: ParsedSubmission, input: SubmitInput, cluster: ClusterConfig, identity: Identity, jobId: number,
): Prepared {
  const built = buildJob(
    { request: parsed.resolution.request, state: parsed.resolution.state, script: parsed.script },
    cluster,
    submitContext(identity, jobId, Math.floor(input.now.getTime() / 1000), input.cwd),
  );
  if (!built.ok) {
    const unavailable = 'Batch job submission failed: Requested node configuration is not available';
    // --test-only asks the scheduler, which words a job that cannot fit its own way
    if (parsed.resolution.request.testOnly && built.messages.includes(unavailable)) {
      return { kind: 'error', stderr: [...parsed.warnings, 'allocation failure: Requested node configuration is not available'], exit: 1 };
    }
    return { kind: 'error', stderr: [...parsed.warnings, ...built.messages.map((m) => `sbatch: error: ${m}`)], exit: 1 };
  }
  return { kind: 'job', job: built.job, parsed };
}

/**
 * The context field by field: `{ ...identity, jobId, now, cwd }` would be the same, but V8 makes an object
 * literal that starts with a spread slowly (microseconds, every submission).
 */
function submitContext(identity: Identity, jobId: number, now: number, cwd: string): SubmitContext {
  return {
    userId: identity.userId,
    userName: identity.userName,
    groupId: identity.groupId,
    groupName: identity.groupName,
    submitHost: identity.submitHost,
    allocSid: identity.allocSid,
    jobId,
    now,
    cwd,
  };
}
