/**
 * An allocation asked for by a command itself, not by a batch script: srun
 * outside a job, and salloc. The request goes through sbatch's front end and
 * submission path (buildJob, RedisBackend); the job record carries
 * `interactive` (the command's host and pid): the controller allocates it,
 * launches nothing, and treats that process as the job's (scancel signals
 * it). Then the command waits for the controller to start it, with the lines
 * Slurm's allocation library prints on the way (src/api/allocate.c): `job N
 * queued and waiting for resources` only when the job does not start at
 * once, `job N has been allocated resources` once it does.
 */
import { loadCluster, type Cluster } from '../cluster/load.js';
import { ControllerWatch } from '../client/ensure-controller.js';
import { RedisBackend } from '../client/redis-backend.js';
import { Session } from '../client/session.js';
import type { StoredJob } from '../job/job-run.js';
import type { JobRequest } from '../options/request.js';
import type { Resolution } from '../options/resolve.js';
import { buildJob } from '../job/build-job.js';
import { providerRefusal } from '../job/provider-route.js';
import type { FlowConfig } from '../cluster/flow-config.js';
import type { JobRecord } from '../job/job.js';
import { parseFlowOptions } from '../submit/flow-options.js';
import type { ParsedSubmission } from '../submit/parse.js';
import { currentIdentity } from './identity.js';
import type { IO } from './io.js';

export type AllocatingCommand = 'srun' | 'salloc';

/** What the command asks for. */
export interface AllocationAsk {
  cmd: AllocatingCommand;
  resolution: Resolution;
  request: JobRequest;
  /** the job name when none is given */
  defaultName: string;
  /** Command= of the record (srun's program; salloc has none) */
  command?: string;
}

/** How a command speaks: `cmd: text` for information (which -Q silences), `cmd: error: text` for errors. */
export interface Voice {
  info(text: string): void;
  error(text: string): void;
}

export function voiceOf(cmd: AllocatingCommand, io: IO, quiet = false): Voice {
  return {
    info: (t) => {
      if (!quiet) io.stderr(`${cmd}: ${t}\n`);
    },
    error: (t) => io.stderr(`${cmd}: error: ${t}\n`),
  };
}

const SUBMIT_FAILED = 'Batch job submission failed: ';
const UNAVAILABLE = 'Requested node configuration is not available';
const ALREADY_DONE = 'Job/step already completing or completed';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => Math.floor(Date.now() / 1000);
const uid = () => process.getuid?.() ?? 0;

/** How slurmctld's refusal of an allocation reads in each command. */
const REFUSED: Record<AllocatingCommand, string> = { srun: 'Unable to allocate resources: ', salloc: 'Job submit/allocate failed: ' };

export type AllocationRecord =
  | { ok: true; job: JobRecord; submission: ParsedSubmission }
  /** `refused`: slurmctld keeps the request as a FAILED job (BadConstraints), as recorded for impossible requests */
  | { ok: false; errors: string[]; refused?: { job: JobRecord; submission: ParsedSubmission } };

/** The job record of the command's allocation, or its error lines (without the `cmd: error: ` prefix). */
export function allocationRecord(ask: AllocationAsk, io: IO, config: Parameters<typeof buildJob>[1], flowConfig: FlowConfig = {}): AllocationRecord {
  if (ask.request.nodes?.min === 0) return { ok: false, errors: [`${REFUSED[ask.cmd]}Node count specification invalid`] };
  const script = { bytes: Buffer.alloc(0), text: '', path: null, args: [], displayName: ask.cmd, defaultJobName: ask.defaultName };
  const identity = currentIdentity();
  const build = (request: JobRequest) => buildJob({ request, state: ask.resolution.state, script }, config, { ...identity, jobId: 0, now: now(), cwd: io.cwd });
  const flow = parseFlowOptions([], io.env);
  if (!flow.ok) return { ok: false, errors: [flow.message] };
  const submission = { resolution: ask.resolution, script, flow: flow.options, warnings: [] };
  const record = (job: JobRecord): JobRecord => ({
    ...job, ...(ask.command !== undefined ? { command: ask.command } : {}), interactive: { host: identity.submitHost, pid: process.pid },
  });
  const built = build(ask.request);
  if (!built.ok) {
    const errors = built.messages.map((m) => (m.startsWith(SUBMIT_FAILED) ? `${REFUSED[ask.cmd]}${m.slice(SUBMIT_FAILED.length)}` : m));
    if (!built.messages.includes(`${SUBMIT_FAILED}${UNAVAILABLE}`)) return { ok: false, errors };
    // the record as it would be without the node-fit checks (a held job skips them), kept as a failed job
    const kept = build({ ...ask.request, hold: true });
    return { ok: false, errors, refused: kept.ok ? { job: { ...record(kept.job), held: false }, submission } : undefined };
  }
  const refused = providerRefusal(built.job.partition, flowConfig, flow.options, { batch: false, env: io.env });
  if (refused) return { ok: false, errors: [`${REFUSED[ask.cmd]}${refused}`] };
  return { ok: true, job: record(built.job), submission };
}

/** Submit the record; its job id. */
export async function submitAllocation(io: IO, cluster: Cluster, job: JobRecord, submission: ParsedSubmission): Promise<number> {
  const backend = new RedisBackend(io.env, cluster);
  try {
    const jobId = await backend.nextJobId(cluster.config);
    await backend.submit(cluster, { ...job, jobId }, submission, { env: io.env });
    return jobId;
  } finally {
    await backend.close();
  }
}

/** An impossible request stays in slurmctld's records: FAILED, Reason=BadConstraints, ExitCode=0:1 (direct-bad-option). */
export async function recordRefused(io: IO, cluster: Cluster, job: JobRecord, submission: ParsedSubmission): Promise<void> {
  const jobId = await submitAllocation(io, cluster, job, submission);
  await failAllocation(io, cluster, jobId);
}

/** End a job that will never run as slurmctld ends an impossible or `-I` request: FAILED BadConstraints 0:1. */
async function failAllocation(io: IO, cluster: Cluster, jobId: number, session?: Session): Promise<void> {
  const s = session ?? (await Session.open(cluster, io.env, { controller: false }));
  try {
    await s.scripts.cancel(jobId, { uid: uid(), any: true }, now(), 'BadConstraints', '', { state: 'FAILED', exit: '0:1' });
  } finally {
    if (!session) await s.close();
  }
}

/** The cluster, or the command's error line. */
export function clusterFor(io: IO, voice: Voice): Cluster | undefined {
  const loaded = loadCluster(io.env);
  if (!loaded.ok) voice.error(loaded.message);
  return loaded.ok ? loaded.cluster : undefined;
}

export type Waited = { ok: true; job: StoredJob; waited: boolean } | { ok: false; exit: number };

export interface WaitOptions {
  cmd: AllocatingCommand;
  voice: Voice;
  /** salloc's exit code for failures (SLURM_EXIT_ERROR) */
  errorExit?: number;
  /** -I/--immediate: 1 = start now or never, N > 1 = wait at most N seconds */
  immediate?: number;
  /** the exit code when -I finds the resources busy (SLURM_EXIT_IMMEDIATE) */
  immediateExit?: number;
}

/** signals that make a waiting command give its request up (salloc's `sig_array` adds SIGPIPE) */
const REVOKING: Record<AllocatingCommand, NodeJS.Signals[]> = {
  srun: ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'],
  salloc: ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGPIPE'],
};

/** Wait until the controller starts the job; Slurm's lines on the way; a signal gives the request up. */
export async function waitForAllocation(s: Session, jobId: number, io: IO, w: WaitOptions): Promise<Waited> {
  const { cmd, voice } = w;
  const fail = w.errorExit ?? 1;
  let revoked: NodeJS.Signals | undefined;
  const revoke = (sig: NodeJS.Signals) => {
    revoked ??= sig;
  };
  for (const sig of REVOKING[cmd]) process.on(sig, revoke);
  try {
    const began = Date.now();
    let queued = false;
    let told = false;
    // never wait on a dead controller: its liveness is checked twice a second, one started if it is gone
    const watch = new ControllerWatch(s, io.env);
    for (;;) {
      await watch.check();
      if (revoked) {
        await s.scripts.cancel(jobId, { uid: uid(), any: true }, now());
        if (cmd === 'srun') {
          voice.info(`Job allocation ${jobId} has been revoked`);
        } else {
          voice.info(`Job allocation ${jobId} has been revoked.`);
          voice.info('Job aborted due to signal');
        }
        return { ok: false, exit: fail };
      }
      const job = await s.job(jobId);
      if (!job) return { ok: false, exit: fail };
      if (job.state === 'RUNNING') {
        if (queued) voice.info(`job ${jobId} has been allocated resources`);
        return { ok: true, job, waited: queued };
      }
      if (job.state !== 'PENDING') {
        if (job.state === 'CANCELLED') voice.info('Job has been cancelled');
        if (cmd === 'salloc') voice.info(`Job allocation ${jobId} has been revoked.`);
        voice.error(`${REFUSED[cmd]}${ALREADY_DONE}`);
        return { ok: false, exit: fail };
      }
      // the first scheduling pass gave a reason to wait (or took long): the job does not start at once
      const waits = job.reason !== 'None' || Date.now() - began > 2000;
      if (waits && w.immediate === 1) {
        // slurmctld refuses an immediate request it cannot start, and keeps it as a failed job
        await failAllocation(io, s.cluster, jobId, s);
        voice.error('Unable to allocate resources: Requested nodes are busy');
        return { ok: false, exit: w.immediateExit ?? fail };
      }
      if (!told && /^Partition(Config|NodeLimit)$/.test(job.reason)) {
        voice.info('Requested partition configuration not available now');
        told = true;
      }
      if (!queued && waits) {
        if (cmd === 'salloc') voice.info(`Pending job allocation ${jobId}`);
        voice.info(`job ${jobId} queued and waiting for resources`);
        queued = true;
      }
      if (w.immediate !== undefined && w.immediate > 1 && Date.now() - began >= w.immediate * 1000) {
        await s.scripts.cancel(jobId, { uid: uid(), any: true }, now());
        voice.info(`Job allocation ${jobId} has been revoked.`);
        voice.error('Unable to allocate resources: Connection timed out');
        return { ok: false, exit: w.immediateExit ?? fail };
      }
      await sleep(Date.now() - began < 2000 ? 25 : 200);
    }
  } finally {
    for (const sig of REVOKING[cmd]) process.off(sig, revoke);
  }
}
