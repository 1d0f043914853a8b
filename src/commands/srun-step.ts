/**
 * One srun job step in an allocation, from plan to exit code: lay the tasks
 * out over the job's nodes, wait for room beside the steps already running
 * (as slurmctld makes a plain step wait for the CPUs another holds), record
 * the step for sacct (`N.0`, `N.1`...), run its tasks on the local provider's
 * emulated nodes, and record how it ended. Used inside a batch job and in
 * srun's own allocation alike.
 */
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Cluster } from '../cluster/load.js';
import type { Session } from '../client/session.js';
import { packageRoot } from '../package-root.js';
import type { StepRecord, StoredJob } from '../job/job-run.js';
import { admit, MEMORY_UNAVAILABLE, type NodeClaim } from '../steps/claims.js';
import { srunIsOurs } from '../steps/job-path.js';
import { StepRun, type LaunchTask, type StepResult } from '../steps/launch.js';
import { allocatedNodes, planSrunStep, stepTasks } from '../steps/step-plan.js';
import { taskStdio } from '../steps/stdio.js';
import type { AllocationVars } from '../steps/task-env.js';
import { limitSeconds } from '../job/job.js';
import { lines, type IO } from './io.js';
import type { SrunOptions } from './srun-options.js';

export interface StepContext {
  session: Session;
  job: StoredJob;
  options: SrunOptions;
  io: IO;
  /** set when srun is not in a batch job of the allocation (it made it, or attached with --jobid) */
  allocation?: AllocationVars;
  /** srun attached from outside: nothing signals it when the job ends, so it looks */
  watchJob?: boolean;
  /** slurm.conf KillWait in seconds */
  killWait: number;
  /** seconds between SIGTERM and SIGKILL for real (KillWait, shorter in tests) */
  killAfter: number;
  /** srun's own allocation: a handle the caller uses to end the step (scancel, time limit) */
  onRun?: (run: StepRun) => void;
  /** how the tasks ended, once they have (srun's own allocation ends after them) */
  onResult?: (result: StepResult) => void;
  /** a signal the caller handles itself while the tasks run (true: handled) */
  intercept?: (signal: NodeJS.Signals, run: StepRun) => boolean;
}

/**
 * The job's variables srun sets itself for a step outside a batch job (its own
 * allocation, or one it attaches to with --jobid): a batch step's tasks
 * inherit them from the batch shell instead.
 */
export function allocationVars(cluster: Cluster, job: StoredJob, io: Pick<IO, 'env' | 'cwd'>): AllocationVars {
  const r = job.record;
  const bin = join(packageRoot(), 'bin');
  return {
    clusterName: cluster.config.clusterName, submitDir: r.submitDir, submitHost: r.submitHost, jobName: r.name, partition: r.partition,
    userId: r.userId, userName: r.userName, groupId: r.groupId, account: r.account, qos: r.qos,
    workingCluster: `${cluster.config.clusterName}:${hostname().split('.')[0]}:6817:9728:109`,
    binDir: srunIsOurs(io.env.PATH ?? '', bin, io.cwd) ? undefined : bin,
  };
}

/** srun's signals while it waits for a step to be created, and while its tasks run. */
const SRUN_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGCONT', 'SIGALRM', 'SIGWINCH'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => Math.floor(Date.now() / 1000);


function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The steps running now; a step whose srun (on this host) is gone holds nothing. */
export function runningSteps(stepsJson: string | null): StepRecord[] {
  const steps = stepsJson ? (JSON.parse(stepsJson) as StepRecord[] | Record<string, never>) : [];
  if (!Array.isArray(steps)) return [];
  const here = hostname();
  return steps.filter((s) => s.end === 0 && s.state === 'RUNNING' && s.claims && !(s.srun && s.srun.host === here && !alive(s.srun.pid)));
}

type Started = { ok: true; id: number } | { ok: false; exit: number };

type Attempt = { kind: 'go'; id: number } | { kind: 'busy'; running: Set<number> } | { kind: 'fail'; exit: number };

/**
 * One try at creating the step: look at the running steps and, if there is
 * room, record mine (its id comes from there). A short lock makes the two one
 * step for concurrent sruns, as slurmctld's single step allocator is.
 */
async function tryStart(c: StepContext, claims: NodeClaim[], record: Omit<StepRecord, 'id'>): Promise<Attempt> {
  const { session: s, job, io } = c;
  const jobId = job.record.jobId;
  const lockKey = `${s.keys.prefix}step-lock:${jobId}`;
  const token = `${hostname()}:${process.pid}`;
  for (;;) {
    const [locked, stepsJson, state] = await s.redis.pipeline([
      ['SET', lockKey, token, 'PX', 5000, 'NX'],
      ['HGET', s.keys.job(jobId), 'steps'],
      ['HGET', s.keys.job(jobId), 'state'],
    ]) as [string | null, string | null, string | null];
    if (locked !== 'OK') {
      await sleep(10);
      continue;
    }
    const release = () => s.call('EVAL', "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", 1, lockKey, token);
    const gone = (): Attempt => {
      io.stderr(`srun: error: Unable to create step for job ${jobId}: Job/step already completing or completed\n`);
      return { kind: 'fail', exit: 1 };
    };
    if (state !== 'RUNNING') {
      await release();
      return gone();
    }
    const running = runningSteps(stepsJson);
    const verdict = admit(claims, running.map((r) => r.claims!), allocatedNodes(job));
    if (verdict === 'go') {
      // one round trip: the record and the lock's release go out together
      const [id] = await Promise.all([s.scripts.stepStart(jobId, record), release()]);
      return id < 0 ? gone() : { kind: 'go', id };
    }
    // slurmctld numbers the step before it finds the memory held by others: that id is used up (bg-steps: 8, then 10)
    if (verdict === 'memory') await s.call('HINCRBY', s.keys.job(jobId), 'nextStep', 1);
    await release();
    if (verdict === 'memory') {
      io.stderr(`srun: error: Unable to create step for job ${jobId}: ${MEMORY_UNAVAILABLE}\n`);
      return { kind: 'fail', exit: 1 };
    }
    return { kind: 'busy', running: new Set(running.map((r) => r.id)) };
  }
}

/** Wait until one of `running` has ended (or the job has); false when interrupted. */
async function stepEnded(c: StepContext, running: ReadonlySet<number>, interrupted: () => boolean): Promise<boolean> {
  const { session: s, job } = c;
  for (;;) {
    if (interrupted()) return false;
    await sleep(50);
    const [stepsJson, state] = await s.redis.pipeline([['HGET', s.keys.job(job.record.jobId), 'steps'], ['HGET', s.keys.job(job.record.jobId), 'state']]) as [string | null, string | null];
    if (state !== 'RUNNING') return true;
    const now = new Set(runningSteps(stepsJson).map((r) => r.id));
    if ([...running].some((id) => !now.has(id))) return true;
  }
}

/**
 * Create the step, waiting for room as srun 22.05 does when slurmctld says the
 * nodes are busy: slurmctld wakes the waiting sruns when a step ends, their
 * retry then still finds the resources held (they are released a moment
 * later), so each says "temporarily disabled" (the first time) or "still
 * disabled", sleeps 0.1-0.2 s (doubling), tries again, and says "Step created"
 * once it gets in (fixtures/oracle/srun/bg-steps).
 */
async function startStep(c: StepContext, claims: NodeClaim[], record: Omit<StepRecord, 'id'>, interrupted: () => boolean): Promise<Started> {
  const { io } = c;
  const jobId = c.job.record.jobId;
  let pause = 100 + (process.pid % 1000) / 10;
  for (let round = 0; ; round++) {
    if (interrupted()) return { ok: false, exit: 1 };
    const attempt = await tryStart(c, claims, record);
    if (attempt.kind === 'fail') return { ok: false, exit: attempt.exit };
    if (attempt.kind === 'go') {
      if (round > 0) io.stderr(`srun: Step created for job ${jobId}\n`);
      return { ok: true, id: attempt.id };
    }
    if (!(await stepEnded(c, attempt.running, interrupted))) return { ok: false, exit: 1 };
    io.stderr(`srun: Job ${jobId} step creation ${round === 0 ? 'temporarily' : 'still'} disabled, retrying (Requested nodes are busy)\n`);
    if (round > 0) pause = Math.min(pause * 2, 29_000);
    await sleep(pause);
  }
}

function umask(): string {
  return process.umask().toString(8).padStart(4, '0');
}

/** Run one step; the exit code srun ends with. */
export async function runStep(c: StepContext): Promise<number> {
  const { job, options: o, io } = c;
  const q = o.request;
  const jobId = job.record.jobId;
  const planned = planSrunStep(job, o);
  if (!planned.ok) {
    lines(io.stderr, planned.stderr);
    return 1;
  }
  const { step: plan } = planned;
  lines(io.stderr, plan.warnings);
  const claims = plan.claims;
  const stepNodes = plan.layout.nodes.map((n) => n.name);
  const record: Omit<StepRecord, 'id'> = { ...plan.record, start: now(), srun: { host: hostname(), pid: process.pid } };

  // signals before the tasks run: srun gives up the step it waits for
  let pendingSignal: NodeJS.Signals | undefined;
  let run: StepRun | undefined;
  let onCancel: (() => void) | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (run) {
      if (!c.intercept?.(sig, run)) run.onSignal(sig);
    }
    else if (sig !== 'SIGCONT' && sig !== 'SIGWINCH') pendingSignal ??= sig;
  };
  for (const sig of SRUN_SIGNALS) process.on(sig, onSignal);
  try {
    const started = await startStep(c, claims, record, () => pendingSignal !== undefined);
    if (!started.ok) {
      if (pendingSignal) io.stderr(`srun: Cancelled pending job step with signal ${SIGNAL_NUMBERS[pendingSignal] ?? 0}\nsrun: error: Unable to create step for job ${jobId}: Job/step already completing or completed\n`);
      return started.exit;
    }
    const stepId = started.id;

    const cwd = q.chdir !== undefined ? resolve(io.cwd, q.chdir) : io.cwd;
    const launcher = { launchHost: '127.0.0.1', port: 30000 + (process.pid % 30000), umask: umask() };
    const r = job.record;
    const tasks: LaunchTask[] = stepTasks(job, o, plan, stepId, io.env, launcher, c.allocation).tasks.map((t) => ({
      procid: t.procid,
      node: t.node,
      env: t.env,
      cwd,
      stdio: taskStdio({ input: q.input, output: q.output, error: q.error }, {
        jobId, arrayJobId: r.arrayJobId, arrayTaskId: r.arrayTaskId, stepId, jobName: r.name, user: r.userName,
        nodeName: t.node, nodeIndex: t.nodeId, taskId: t.procid, workDir: cwd,
      }),
    }));
    run = new StepRun({
      command: o.command, tasks, ntasks: plan.layout.ntasks, step: `${jobId}.${stepId}`, nodes: stepNodes,
      label: q.label === true, unbuffered: q.unbuffered === true, append: q.openMode === 'append',
      detached: c.allocation !== undefined && q.pty !== true, inBatchJob: c.allocation === undefined, killOnBadExit: (q.killOnBadExit ?? 0) !== 0, maxWait: q.maxWait,
      killWait: c.killWait, killAfter: c.killAfter, quitOnInterrupt: q.quitOnInterrupt === true, disableStatus: q.disableStatus === true,
      stderr: io.stderr,
    });
    c.onRun?.(run);
    const stepRun = run;
    onCancel = () => void stepCancelled(c, stepId).then((yes) => yes && stepRun.cancelStep(), () => undefined);
    process.on('SIGURG', onCancel);
    run.start();
    if (pendingSignal) run.onSignal(pendingSignal);
    const watch = c.watchJob ? watchJobEnd(c, run) : undefined;
    const result = await run.done;
    clearInterval(watch);
    c.onResult?.(result);
    await c.session.scripts.stepEnd(jobId, { ...record, id: stepId, end: now(), state: await stepState(result, c), exit: result.exit });
    return result.exitCode;
  } finally {
    for (const sig of SRUN_SIGNALS) process.off(sig, onSignal);
    if (onCancel) process.off('SIGURG', onCancel);
  }
}

export type JobEnding = 'cancel' | 'requeue' | 'timeout';

/**
 * Why the job ends, if it does, when srun gets SIGTERM: scancel, scontrol
 * requeue and the time limit reach srun together with the job's other
 * processes. Then the step is cancelled as slurmstepd cancels it (SIGTERM now,
 * SIGKILL after KillWait), not forced (SIGKILL at once) as for a SIGTERM of
 * srun's own. `run`: the job's run srun belongs to (a requeue ends it).
 */
export async function jobEnding(s: Session, jobId: number, timeScale: number, run?: number): Promise<JobEnding | undefined> {
  const j = await s.job(jobId);
  if (!j) return undefined;
  if (j.cancelBy !== '' || j.state === 'CANCELLED' || j.state === 'COMPLETING') return 'cancel';
  if (run !== undefined && (j.run !== run || j.state === 'PENDING')) return 'requeue';
  const limit = j.record.timeLimit;
  if (j.state === 'TIMEOUT' || (limit !== 'UNLIMITED' && j.start > 0 && Date.now() / 1000 >= j.start + Math.max(1, Math.round(limitSeconds(limit) * timeScale)))) return 'timeout';
  return undefined;
}

/** Every second: has the job ended (scancel, time limit)? Then the step is cancelled as slurmstepd would. */
function watchJobEnd(c: StepContext, run: StepRun): NodeJS.Timeout {
  const timer = setInterval(() => {
    void c.session.timeScale().then((scale) => jobEnding(c.session, c.job.record.jobId, scale, c.job.run)).then((why) => {
      if (!why) return;
      clearInterval(timer);
      run.terminate(why === 'timeout' ? ' DUE TO TIME LIMIT' : '');
    }, () => undefined);
  }, 1000);
  return timer;
}

/**
 * A SIGTERM handler for runStep that tells the job's end from a signal to srun
 * alone. The tasks may die of the same SIGTERM meanwhile: what they did is
 * reported after the answer. `inBatch`: srun runs in the batch job, whose
 * cancellation it reports as srun in a batch job does.
 */
export function cancelOnJobEnd(s: Session, job: StoredJob, timeScale: number, onEnding?: (why: JobEnding) => void, inBatch = false): NonNullable<StepContext['intercept']> {
  return (sig, run) => {
    if (sig !== 'SIGTERM') return false;
    run.hold();
    void jobEnding(s, job.record.jobId, timeScale, job.run).then((why) => {
      if (!why) run.onSignal(sig);
      else {
        onEnding?.(why);
        if (inBatch && why !== 'timeout') run.jobCancelled(why === 'requeue' ? ' DUE TO JOB REQUEUE' : '');
        else run.terminate(why === 'timeout' ? ' DUE TO TIME LIMIT' : '');
      }
    }, () => run.onSignal(sig)).finally(() => run.release());
    return true;
  };
}

/** How sacct lists the step: a step that ended by a signal while its job was ending is CANCELLED. */
async function stepState(r: StepResult, c: StepContext): Promise<string> {
  if (r.aborted || r.cancelled || r.stepCancelled) return 'CANCELLED';
  if (r.exitCode === 0) return 'COMPLETED';
  if (r.ends.some((e) => e.signal !== null)) {
    const why = await c.session.timeScale().then((scale) => jobEnding(c.session, c.job.record.jobId, scale, c.job.run)).catch(() => undefined);
    if (why === 'cancel' || why === 'requeue') return 'CANCELLED';
  }
  return 'FAILED';
}

/** scancel N.S: srun is told with SIGURG (see the controller); it looks whether its step is the one cancelled. */
async function stepCancelled(c: StepContext, stepId: number): Promise<boolean> {
  const stepsJson = await c.session.call('HGET', c.session.keys.job(c.job.record.jobId), 'steps') as string | null;
  const steps = stepsJson ? (JSON.parse(stepsJson) as StepRecord[] | Record<string, never>) : [];
  return Array.isArray(steps) && steps.some((st) => st.id === stepId && st.cancelBy !== undefined);
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGUSR1: 10, SIGUSR2: 12, SIGALRM: 14, SIGTERM: 15 };
