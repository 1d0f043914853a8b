/** What a requeue keeps of the run it ends, and when the job may start again. */
import type { PastRun, StoredJob } from '../job/job-run.js';

/**
 * Seconds before a requeued job is eligible again: slurmctld makes it wait
 * 121 s (BeginTime). The cluster's minute length (`timeScale`, see
 * cluster-settings.ts) shortens it with every other duration, for tests.
 */
export function requeueDelay(timeScale: number): number {
  return Math.max(1, Math.round(121 * timeScale));
}

/** The run a requeue ends, as sacct lists it (state REQUEUED). */
export function pastRun(job: StoredJob, now: number): PastRun {
  const running = job.state === 'RUNNING' || job.state === 'COMPLETING' || job.state === 'SUSPENDED';
  return {
    run: job.run,
    submit: job.submit || job.record.submitTime,
    eligible: job.eligible,
    start: job.start,
    end: running ? now : job.end,
    state: running ? 'REQUEUED' : job.state,
    exit: running ? '0:0' : job.exit,
    nodes: job.nodes,
    cpus: job.alloc.reduce((n, a) => n + a.cpus, 0),
    nnodes: job.alloc.length,
  };
}
