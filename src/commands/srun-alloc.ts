/**
 * srun outside an allocation: it asks for one itself, with sbatch's options
 * and the same front end and submission path (buildJob, RedisBackend), waits
 * for it as Slurm's srun does (`srun: job N queued and waiting for
 * resources` only when the job does not start at once), runs step 0 in it,
 * and ends the job with the step's outcome. The job record carries
 * `interactive` (srun's host and pid): the controller allocates it, launches
 * nothing, and treats srun's process as the job's; scancel signals srun.
 */
import { basename } from 'node:path';
import { loadCluster, type Cluster } from '../cluster/load.js';
import { RedisBackend } from '../client/redis-backend.js';
import { ControllerWatch } from '../client/ensure-controller.js';
import { Session } from '../client/session.js';
import { FINAL_STATES, type StoredJob } from '../controller/state.js';
import { ensureNodesResolve } from '../providers/local/node-hosts.js';
import { buildJob } from '../spec/build-job.js';
import { limitSeconds, type JobRecord } from '../spec/job.js';
import type { StepResult, StepRun } from '../steps/launch.js';
import type { TaskEnd } from '../steps/exit-report.js';
import { parseFlowOptions } from '../submit/flow-options.js';
import type { ParsedSubmission } from '../submit/parse.js';
import { currentIdentity } from './identity.js';
import { lines, type IO } from './io.js';
import type { SrunOptions } from './srun-options.js';
import { allocationVars, cancelOnJobEnd, runStep } from './srun-step.js';

/** setTimeout's longest delay (2^31 - 1 ms) */
const MAX_TIMER_MS = 2 ** 31 - 1;

const SUBMIT_FAILED = 'Batch job submission failed: ';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => Math.floor(Date.now() / 1000);
/** signals that make a waiting srun give its request up */
const REVOKING: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

type AllocationRecord =
  | { ok: true; job: JobRecord; submission: ParsedSubmission }
  /** `refused`: slurmctld keeps the request as a FAILED job (BadConstraints), as recorded for impossible requests */
  | { ok: false; stderr: string[]; refused?: { job: JobRecord; submission: ParsedSubmission } };

const UNAVAILABLE = 'Requested node configuration is not available';

/** The job record of srun's own allocation, or srun's error lines. */
function allocationRecord(o: SrunOptions, io: IO, config: Parameters<typeof buildJob>[1]): AllocationRecord {
  if (o.request.nodes?.min === 0) return { ok: false, stderr: ['srun: error: Unable to allocate resources: Node count specification invalid'] };
  const program = o.command[0]!;
  const script = { bytes: Buffer.alloc(0), text: '', path: null, args: [], displayName: 'srun', defaultJobName: basename(program) };
  const identity = currentIdentity();
  const build = (request: typeof o.request) => buildJob({ request, state: o.resolution.state, script }, config, { ...identity, jobId: 0, now: now(), cwd: io.cwd });
  const flow = parseFlowOptions([], io.env);
  if (!flow.ok) return { ok: false, stderr: [`srun: error: ${flow.message}`] };
  const submission = { resolution: o.resolution, script, flow: flow.options, warnings: [] };
  const record = (job: JobRecord): JobRecord => ({ ...job, command: program, interactive: { host: identity.submitHost, pid: process.pid } });
  const built = build(o.request);
  if (!built.ok) {
    // slurmctld's refusal reads differently from srun
    const stderr = built.messages.map((m) => `srun: error: ${m.startsWith(SUBMIT_FAILED) ? `Unable to allocate resources: ${m.slice(SUBMIT_FAILED.length)}` : m}`);
    if (!built.messages.includes(`${SUBMIT_FAILED}${UNAVAILABLE}`)) return { ok: false, stderr };
    // the record as it would be without the node-fit checks (a held job skips them), kept as a failed job
    const kept = build({ ...o.request, hold: true });
    return { ok: false, stderr, refused: kept.ok ? { job: { ...record(kept.job), held: false }, submission } : undefined };
  }
  return { ok: true, job: record(built.job), submission };
}

type Waited = { ok: true; job: StoredJob } | { ok: false; exit: number };

/** Wait until the controller starts the job; Slurm's lines on the way; a signal gives the request up. */
async function waitForAllocation(s: Session, jobId: number, io: IO): Promise<Waited> {
  let revoked: NodeJS.Signals | undefined;
  const revoke = (sig: NodeJS.Signals) => {
    revoked ??= sig;
  };
  for (const sig of REVOKING) process.on(sig, revoke);
  try {
    const began = Date.now();
    let queued = false;
    let told = false;
    // never wait on a dead controller
    const watch = new ControllerWatch(s, io.env);
    for (;;) {
      await watch.check();
      if (revoked) {
        await s.scripts.cancel(jobId, process.getuid?.() ?? 0, now());
        io.stderr(`srun: Job allocation ${jobId} has been revoked\n`);
        return { ok: false, exit: 1 };
      }
      const job = await s.job(jobId);
      if (!job) return { ok: false, exit: 1 };
      if (job.state === 'RUNNING') {
        if (queued) io.stderr(`srun: job ${jobId} has been allocated resources\n`);
        return { ok: true, job };
      }
      if (job.state !== 'PENDING') {
        if (job.state === 'CANCELLED') io.stderr('srun: Job has been cancelled\n');
        io.stderr('srun: error: Unable to allocate resources: Job/step already completing or completed\n');
        return { ok: false, exit: 1 };
      }
      if (!told && /^Partition(Config|NodeLimit)$/.test(job.reason)) {
        io.stderr('srun: Requested partition configuration not available now\n');
        told = true;
      }
      // the first scheduling pass gave a reason to wait (or took long): Slurm's srun says it waits
      if (!queued && (job.reason !== 'None' || Date.now() - began > 2000)) {
        io.stderr(`srun: job ${jobId} queued and waiting for resources\n`);
        queued = true;
      }
      await sleep(Date.now() - began < 2000 ? 25 : 200);
    }
  } finally {
    for (const sig of REVOKING) process.off(sig, revoke);
  }
}

/**
 * How srun's own job ends (srun tells slurmctld the tasks' raw wait status,
 * src/srun/srun_job.c fini_srun): CANCELLED when srun gave the step up (a
 * second Ctrl-C, SIGTERM), FAILED JobLaunchFailure `0:<signal>` when a task
 * was killed, FAILED NonZeroExitCode `<code>:0`, else COMPLETED.
 */
function allocationEnd(code: number, result: StepResult | undefined): { state: string; reason: string; exit: string } {
  if (result?.cancelled) return { state: 'CANCELLED', reason: 'None', exit: '0:0' };
  const worst = result?.ends.reduce<TaskEnd | undefined>((w, e) => (!w || endCode(e) > endCode(w) ? e : w), undefined);
  if (worst && worst.signal !== null && endCode(worst) === code) return { state: 'FAILED', reason: 'JobLaunchFailure', exit: `0:${worst.signal}` };
  return code === 0 ? { state: 'COMPLETED', reason: 'None', exit: '0:0' } : { state: 'FAILED', reason: 'NonZeroExitCode', exit: `${code}:0` };
}

const endCode = (e: TaskEnd) => (e.signal !== null ? 128 + e.signal : e.code ?? 0);

/** An impossible request stays in slurmctld's records: FAILED, Reason=BadConstraints, ExitCode=0:1 (direct-bad-option). */
async function recordRefused(io: IO, cluster: Cluster, job: JobRecord, submission: ParsedSubmission): Promise<void> {
  const backend = new RedisBackend(io.env, cluster);
  try {
    const jobId = await backend.nextJobId(cluster.config);
    await backend.submit(cluster, { ...job, jobId }, submission, { env: io.env });
    const s = await Session.open(cluster, io.env, { controller: false });
    try {
      await s.scripts.cancel(jobId, process.getuid?.() ?? 0, now(), 'BadConstraints', '', { state: 'FAILED', exit: '0:1' });
    } finally {
      await s.close();
    }
  } finally {
    await backend.close();
  }
}

export async function srunAllocation(o: SrunOptions, io: IO): Promise<number> {
  const loaded = loadCluster(io.env);
  if (!loaded.ok) {
    io.stderr(`srun: error: ${loaded.message}\n`);
    return 1;
  }
  const cluster = loaded.cluster;
  const built = allocationRecord(o, io, cluster.config);
  if (!built.ok) {
    if (built.refused) await recordRefused(io, cluster, built.refused.job, built.refused.submission);
    lines(io.stderr, built.stderr);
    return 1;
  }
  const backend = new RedisBackend(io.env, cluster);
  let jobId: number;
  try {
    jobId = await backend.nextJobId(cluster.config);
    await backend.submit(cluster, { ...built.job, jobId }, built.submission, { env: io.env });
  } finally {
    await backend.close();
  }

  const s = await Session.open(cluster, io.env);
  try {
    const waited = await waitForAllocation(s, jobId, io);
    if (!waited.ok) return waited.exit;
    const job = waited.job;
    await ensureNodesResolve(cluster.config.nodes.map((n) => n.name), (line) => io.stderr(`${line}\n`));

    const r = job.record;
    const scale = await s.timeScale();
    const killWait = Number(cluster.config.settings.get('killwait') ?? 30);
    const killAfter = Math.max(1, Math.round(killWait * scale));
    let ending: 'cancel' | 'timeout' | undefined;
    let result: StepResult | undefined;
    let timer: NodeJS.Timeout | undefined;
    const options: SrunOptions = { ...o, request: { ...o.request, nodes: o.request.nodes ?? { min: job.alloc.length, max: job.alloc.length } } };
    const code = await runStep({
      session: s, job, options, io, killWait, killAfter,
      allocation: allocationVars(cluster, job, io),
      onRun: (run: StepRun) => {
        const ms = r.timeLimit === 'UNLIMITED' ? Infinity : Math.max(1, Math.round(limitSeconds(r.timeLimit) * scale)) * 1000;
        // a limit beyond setTimeout's range (~24.8 days; `-t -5` is 136 years) is never reached here
        if (ms <= MAX_TIMER_MS) {
          timer = setTimeout(() => {
            ending ??= 'timeout';
            run.terminate(' DUE TO TIME LIMIT');
          }, ms);
        }
      },
      onResult: (r) => {
        result = r;
      },
      // scancel of srun's job reaches srun as SIGTERM: the step is cancelled, not forced
      intercept: cancelOnJobEnd(s, job, scale, (why) => {
        if (why === 'cancel') ending ??= 'cancel';
      }),
    });
    clearTimeout(timer);
    const end = ending === 'timeout' ? { state: 'TIMEOUT', reason: 'TimeLimit', exit: '0:15' }
      : ending === 'cancel' ? { state: 'CANCELLED', reason: 'None', exit: '0:15' }
        : allocationEnd(code, result);
    const current = await s.job(jobId);
    if (current && !FINAL_STATES.has(current.state)) await s.scripts.finish(jobId, current.run, end.state, end.reason, end.exit, now());
    return code;
  } finally {
    await s.close();
  }
}
