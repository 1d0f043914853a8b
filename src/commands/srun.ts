/**
 * srun: run a job step. With SLURM_JOB_ID (inside a batch job) or --jobid it
 * runs in that allocation; otherwise it makes an allocation of its own first
 * (srun-alloc.ts). Messages and exit codes are srun 22.05's.
 */
import { loadCluster } from '../cluster/load.js';
import { Session } from '../client/session.js';
import { lines, type IO } from './io.js';
import { srunAllocation } from './srun-alloc.js';
import { parseSrun, type SrunOptions } from './srun-options.js';
import { allocationVars, cancelOnJobEnd, runStep } from './srun-step.js';

export async function srun(argv: string[], io: IO): Promise<number> {
  const parsed = parseSrun(argv, io.env, io.now());
  if (parsed.kind === 'info') {
    io.stdout(parsed.stdout);
    return 0;
  }
  if (parsed.kind === 'error') {
    lines(io.stderr, parsed.stderr);
    return parsed.exit;
  }
  const o = parsed.options;
  return o.jobId === undefined ? srunAllocation(o, io) : srunInAllocation(o, o.jobId, io);
}

/** A step in an existing allocation (a batch job's, or one named by --jobid). */
async function srunInAllocation(o: SrunOptions, jobId: number, io: IO): Promise<number> {
  const loaded = loadCluster(io.env);
  if (!loaded.ok) {
    io.stderr(`srun: error: ${loaded.message}\n`);
    return 1;
  }
  const cluster = loaded.cluster;
  // the job runs, so its controller does: no need to look for one
  const s = await Session.open(cluster, io.env, { controller: false });
  try {
    const job = await s.job(jobId);
    if (!job) {
      io.stderr(`srun: error: Unable to confirm allocation for job ${jobId}: Invalid job id specified\nsrun: Check SLURM_JOB_ID environment variable. Expired or invalid job ${jobId}\n`);
      return 1;
    }
    if (job.state !== 'RUNNING') {
      // slurm_allocation_lookup: a job that ended (scancel of a salloc's allocation: tty-scancel) has expired
      const why = job.state === 'PENDING' ? `Unable to confirm allocation for job ${jobId}: Job is pending execution` : `Slurm job ${jobId} has expired`;
      io.stderr(`srun: error: ${why}\nsrun: Check SLURM_JOB_ID environment variable. Expired or invalid job ${jobId}\n`);
      return 1;
    }
    const scale = await s.timeScale();
    const killWait = Number(cluster.config.settings.get('killwait') ?? 30);
    const killAfter = Math.max(1, Math.round(killWait * scale));
    // --jobid from outside the job (SkyPilot's `srun --overlap --jobid=J`): srun sets the job's variables and uses all its nodes,
    // as in an allocation of its own, and watches for the job's end
    const attached = io.env.SLURM_JOB_ID !== String(jobId);
    // inside salloc's allocation no batch shell gave the tasks the job's variables or gets the job's signals: srun does it
    const inSalloc = !attached && job.record.interactive !== undefined;
    const options = attached ? { ...o, request: { ...o.request, nodes: o.request.nodes ?? { min: job.alloc.length, max: job.alloc.length } } } : o;
    return await runStep({
      // a batch job's cancellation reaches srun as srun in a batch job reports it; salloc's ends its steps as the job's end does
      session: s, job, options, io, killWait, killAfter, intercept: cancelOnJobEnd(s, job, scale, undefined, !attached && !inSalloc),
      allocation: attached || inSalloc ? { ...allocationVars(cluster, job, io), inside: inSalloc } : undefined, watchJob: attached,
    });
  } finally {
    await s.close();
  }
}
