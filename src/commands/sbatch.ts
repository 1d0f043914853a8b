/**
 * sbatch: parse the submission, build the job, hand it to the controller, and
 * print exactly what Slurm prints (`Submitted batch job N`, or `N` with
 * --parsable; nothing with -Q). Errors are sbatch's, with its exit codes.
 */
import { loadCluster } from '../cluster/load.js';
import { buildSubmission } from '../submit/prepare.js';
import { providerRefusal } from '../job/provider-route.js';
import { placementOf, toFlowTask } from '../job/flow-task.js';
import { parseSubmission } from '../submit/parse.js';
import { currentIdentity } from './identity.js';
import { lines, OnlyTheCaller, type IO } from './io.js';
import type { BackendFactory } from './backend.js';

export async function sbatch(argv: string[], io: IO, makeBackend: BackendFactory): Promise<number> {
  const input = { argv, env: io.env, cwd: io.cwd, now: io.now(), readStdin: io.readStdin, openScript: io.openScript };
  const parsed = parseSubmission(input);
  if (parsed.kind === 'info') {
    io.stdout(parsed.stdout);
    return 0;
  }
  if (parsed.kind === 'error') {
    lines(io.stderr, parsed.stderr);
    return parsed.exit;
  }
  const loaded = loadCluster(io.env);
  if (!loaded.ok) {
    io.stderr(`sbatch: error: ${loaded.message}\n`);
    return 1;
  }
  const cluster = loaded.cluster;
  // The id is taken only once the submission is accepted, so a bad option wastes none.
  let jobId = 0;
  const prepared = buildSubmission(parsed.submission, input, cluster.config, io.identity ?? currentIdentity(), 0);
  if (prepared.kind !== 'job') {
    if (prepared.kind === 'error') lines(io.stderr, prepared.stderr);
    return prepared.kind === 'error' ? prepared.exit : 0;
  }
  lines(io.stderr, prepared.parsed.warnings);
  const refused = providerRefusal(prepared.job.partition, cluster.flow, prepared.parsed.flow, { batch: true, env: io.env });
  if (refused) {
    io.stderr(`sbatch: error: Batch job submission failed: ${refused}\n`);
    return 1;
  }
  const request = prepared.parsed.resolution.request;
  // --wait stays with the job until it ends: the caller's own process does that
  if (request.wait && io.answering) throw new OnlyTheCaller('--wait');
  const backend = await makeBackend(cluster, io.env);
  try {
    jobId = await backend.nextJobId(cluster.config);
    const placement = placementOf(toFlowTask(prepared.job, cluster.config, cluster.flow, prepared.parsed.flow));
    const job = { ...prepared.job, jobId, ...(prepared.job.arrayJobId !== undefined ? { arrayJobId: jobId } : {}), placement };

    if (request.testOnly) {
      const answer = await backend.testOnly(cluster, job);
      if (!answer.ok) {
        io.stderr(`allocation failure: ${answer.reason}\n`);
        return 1;
      }
      io.stderr(`sbatch: Job ${jobId} to start at ${answer.startTime} using ${answer.cpus} processors on nodes ${answer.nodes} in partition ${answer.partition}\n`);
      return 0;
    }

    await backend.submit(cluster, job, prepared.parsed, { env: io.env });
    if (!request.quiet) io.stdout(request.parsable ? `${jobId}\n` : `Submitted batch job ${jobId}\n`);
    if (request.wait) return await backend.waitForEnd(cluster, jobId);
    return 0;
  } finally {
    await backend.close();
  }
}
