/**
 * salloc with its allocation granted: run the command, wait for it, release
 * the allocation. As salloc 22.05 does (fixtures/oracle/salloc):
 * - the command ends: `Relinquishing job allocation N`; the job ends with its
 *   status (COMPLETED, FAILED NonZeroExitCode `N:0`, FAILED JobLaunchFailure
 *   `0:<sig>`); salloc exits with its code (0 when HUP/INT/QUIT/KILL killed
 *   it, 1 for other signals);
 * - scancel, or SIGINT/TERM/QUIT/USR1/USR2/PIPE to salloc: the job is
 *   CANCELLED, `Job allocation N has been revoked.`, its steps end; the
 *   command is signalled only with -K (the default build has no
 *   SALLOC_KILL_CMD) and salloc still waits for it;
 * - the time limit: TIMEOUT, `Job N has exceeded its time limit and its
 *   allocation has been revoked.`, the same otherwise;
 * - SIGHUP to salloc: passed on to the command; salloc relinquishes at once
 *   and exits 1.
 */
import { hostname, constants as osConstants } from 'node:os';
import type { Session } from '../client/session.js';
import type { StoredJob } from '../job/job-run.js';
import { FINAL_STATES } from '../job/job-states.js';
import { limitMs } from '../job/job.js';
import type { Voice } from './allocation.js';
import type { IO } from './io.js';
import { isInteractive, resolveCommand, signalCommand, startCommand } from './salloc-command.js';
import { sallocEnv, type SallocEnvContext } from './salloc-job-env.js';
import type { SallocOptions } from './salloc-options.js';
import { jobEnding, runningSteps, type JobEnding } from './srun-step.js';

export interface RunContext {
  session: Session;
  job: StoredJob;
  options: SallocOptions;
  io: IO;
  voice: Voice;
  /** the directory the command runs in (-D, else salloc's) */
  cwd: string;
  env: SallocEnvContext;
  loginShell: string;
}

/** Signals that end the allocation while the command runs (salloc's sig_array but SIGHUP). */
const ENDING: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGPIPE'];
/** Job control signals salloc ignores on a terminal. */
const JOB_CONTROL: NodeJS.Signals[] = ['SIGTSTP', 'SIGTTIN', 'SIGTTOU'];
const now = () => Math.floor(Date.now() / 1000);

type Ended = { code: number | null; signal: NodeJS.Signals | null } | 'hangup';

export async function runCommand(c: RunContext): Promise<number> {
  const { session: s, job, options: o, io, voice } = c;
  const jobId = job.record.jobId;
  const env = sallocEnv(io.env, job, o.request, c.env);
  const resolved = resolveCommand(o.command, c.loginShell, env.PATH, c.cwd);
  if (!resolved.ok) {
    voice.error(`_fork_command: Unable to find command "${resolved.program}"`);
    await relinquish(c, { code: o.errorExit, signal: null });
    return o.errorExit;
  }

  const scale = await s.timeScale();
  const interactive = isInteractive();
  const started = startCommand(resolved.argv, env, c.cwd, interactive);
  let revoked: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const revoke = (why: JobEnding): Promise<void> => (revoked ??= revokeNow(why));
  const revokeNow = async (why: JobEnding) => {
    clearTimeout(timer);
    const steps = await stepSruns(s, jobId);
    const current = await s.job(jobId);
    if (current && !FINAL_STATES.has(current.state)) {
      await s.scripts.finish(jobId, current.run, why === 'timeout' ? 'TIMEOUT' : 'CANCELLED', why === 'timeout' ? 'TimeLimit' : 'None', '0:0', now());
    }
    voice.info(why === 'timeout' ? `Job ${jobId} has exceeded its time limit and its allocation has been revoked.` : `Job allocation ${jobId} has been revoked.`);
    stopSteps(steps);
    if (o.request.killCommand !== undefined) signalCommand(started, o.request.killCommand);
  };
  const limit = job.record.timeLimit;
  const ms = limitMs(limit, scale);
  if (ms !== Infinity) {
    timer = setTimeout(() => {
      void revoke('timeout');
    }, Math.max(0, job.start * 1000 + ms - Date.now()));
  }

  let hangup: () => void = () => undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (sig === 'SIGHUP') {
      signalCommand(started, 'SIGHUP');
      hangup();
      return;
    }
    // scancel reaches salloc as SIGTERM: the job is already ending; any other signal ends it here
    void jobEnding(s, jobId, scale).then((why) => revoke(why ?? 'cancel'), () => revoke('cancel'));
  };
  const ignore = () => undefined;
  const handled = ['SIGHUP', ...ENDING] as NodeJS.Signals[];
  for (const sig of handled) process.on(sig, onSignal);
  if (interactive) for (const sig of JOB_CONTROL) process.on(sig, ignore);
  try {
    const ended = await new Promise<Ended>((resolve) => {
      hangup = () => resolve('hangup');
      started.child.on('exit', (code, signal) => resolve({ code, signal }));
      started.child.on('error', () => resolve({ code: o.errorExit, signal: null }));
    });
    clearTimeout(timer);
    started.restore();
    if (revoked) {
      await revoked;
      return exitCode(ended);
    }
    await relinquish(c, ended === 'hangup' ? { code: 0, signal: null } : ended);
    return exitCode(ended);
  } finally {
    for (const sig of handled) process.off(sig, onSignal);
    for (const sig of JOB_CONTROL) process.off(sig, ignore);
  }
}

/** salloc's exit code: the command's; 0 when the user killed it (HUP, INT, QUIT, KILL); 1 for other signals and a hangup of salloc. */
function exitCode(e: Ended): number {
  if (e === 'hangup') return 1;
  if (e.signal === null) return e.code ?? 1;
  return ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGKILL'].includes(e.signal) ? 0 : 1;
}

/** `Relinquishing job allocation N`, and the job ends with the command's wait status (slurm_complete_job). */
async function relinquish(c: RunContext, e: { code: number | null; signal: NodeJS.Signals | null }): Promise<void> {
  const { session: s, job } = c;
  const jobId = job.record.jobId;
  c.voice.info(`Relinquishing job allocation ${jobId}`);
  const current = await s.job(jobId);
  if (!current || FINAL_STATES.has(current.state)) return;
  const signal = e.signal === null ? 0 : osConstants.signals[e.signal];
  const end = signal > 0 ? { state: 'FAILED', reason: 'JobLaunchFailure', exit: `0:${signal}` }
    : e.code === 0 ? { state: 'COMPLETED', reason: 'None', exit: '0:0' } : { state: 'FAILED', reason: 'NonZeroExitCode', exit: `${e.code ?? 1}:0` };
  await s.scripts.finish(jobId, current.run, end.state, end.reason, end.exit, now());
}

/** The sruns (on this host) of the job's running steps, read before the job ends (that ends their records too). */
async function stepSruns(s: Session, jobId: number): Promise<number[]> {
  const text = await s.call('HGET', s.keys.job(jobId), 'steps');
  const here = hostname();
  return runningSteps(typeof text === 'string' ? text : null).filter((st) => st.srun?.host === here).map((st) => st.srun!.pid);
}

/** The job's steps end with it, as slurmd ends them: their sruns get SIGTERM and find the job ending (srun-step.ts cancelOnJobEnd). */
function stopSteps(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // gone meanwhile
    }
  }
}
