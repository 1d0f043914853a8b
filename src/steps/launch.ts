/**
 * Running a step's tasks on the local provider's emulated nodes: one process
 * per task (task-launcher.ts starts them), stdio wired as srun -i/-o/-e/-l
 * ask, and srun's behaviour around them, as recorded on Slurm 22.05: exit
 * lines and code (exit-report.ts), -K (the others are terminated when one
 * fails), -W (the others are killed some seconds after the first ends), and
 * what srun does with the signals it gets
 * (SIGINT: status, a second within a second forwards it; SIGTERM/SIGHUP:
 * "forcing job termination" and SIGKILL to the tasks; others forwarded).
 * This is the I/O edge of the step code; the decisions are in the pure modules.
 */
import { closeSync, existsSync, fstatSync, openSync, statSync } from 'node:fs';
import { writeFully } from '../fd-write.js';
import { formatIsoLocal } from '../job/values/datetime.js';
import { exitCodeOf, exitLines, outcomeText, statusLines, type TaskEnd } from './exit-report.js';
import { LabelledLines, labelPrefix } from './output.js';
import { checkProgram } from './program.js';
import type { OutputPlan, TaskStdio } from './stdio.js';
import { startTasks, type TaskFd, type TaskHandle, type TaskStart } from './task-launcher.js';

export interface LaunchTask {
  procid: number;
  node: string;
  env: Record<string, string>;
  cwd: string;
  stdio: TaskStdio;
}

export interface StepRunOptions {
  command: readonly string[];
  /** in rank order */
  tasks: readonly LaunchTask[];
  ntasks: number;
  /** `<job>.<step>` */
  step: string;
  /** the step's node names, for slurmstepd's per-node lines */
  nodes: readonly string[];
  label: boolean;
  unbuffered: boolean;
  append: boolean;
  /** each task in a process group of its own (srun's own allocation: terminal signals reach srun only) */
  detached: boolean;
  /** a step of a batch job: its tasks are in the job's process group, and get the job's signals (scancel, time limit) directly */
  inBatchJob: boolean;
  killOnBadExit: boolean;
  /** -W: seconds after the first task ends */
  maxWait?: number;
  /** slurm.conf KillWait, seconds: what srun says it waits */
  killWait: number;
  /** how long it really waits before SIGKILL, seconds (shorter in tests, FLOW_MINUTE_SECONDS) */
  killAfter: number;
  quitOnInterrupt: boolean;
  disableStatus: boolean;
  /** srun's own messages */
  stderr: (text: string) => void;
}

export interface StepResult {
  ends: TaskEnd[];
  exitCode: number;
  /** srun or the job ended the tasks (-K, -W, cancellation, time limit, a signal to srun) */
  aborted: boolean;
  /** srun itself gave up the step (a second Ctrl-C, SIGTERM/SIGHUP/SIGQUIT): its own allocation ends CANCELLED */
  cancelled: boolean;
  /** the step was cancelled by scancel N.S */
  stepCancelled: boolean;
  /** highest outcome as sacct writes it, `code:signal` */
  exit: string;
}

/** Write all of `bytes` to fd; a reader that went away gets nothing more, as srun's does. */
function writeBytes(fd: number, bytes: Buffer): void {
  writeFully(fd, bytes);
}

/** Whether fd 0 is /dev/null (then every task can have its own, and srun reads nothing). */
function stdinIsNull(): boolean {
  try {
    const s = fstatSync(0);
    return s.isCharacterDevice() && s.rdev === statSync('/dev/null').rdev;
  } catch {
    return true;
  }
}

export class StepRun {
  private readonly children = new Map<number, TaskHandle>();
  private readonly ends = new Map<number, TaskEnd>();
  private readonly notStarted = new Set<number>();
  private unreported: TaskEnd[] = [];
  private flushTimer?: NodeJS.Timeout;
  private waitTimer?: NodeJS.Timeout;
  private killTimer?: NodeJS.Timeout;
  /**
   * kill: -K; wait: -W; forced: srun ended it (a signal of its own); ended: the job's end (scancel, time limit) ended it;
   * cancelled: scancel of the step or of its batch job
   */
  private aborted: 'kill' | 'wait' | 'forced' | 'ended' | 'cancelled' | undefined;
  private stepCancelled = false;
  /** a decision about the step is being made elsewhere (is its job ending?): report nothing until it is */
  private held = 0;
  private cancelled = false;
  private lastInterrupt = 0;
  private readonly fds: number[] = [];
  /** srun reads its stdin only to copy it to several tasks */
  private readsStdin = false;
  private resolve!: (r: StepResult) => void;
  readonly done = new Promise<StepResult>((r) => (this.resolve = r));

  constructor(private readonly o: StepRunOptions) {}

  start(): void {
    const o = this.o;
    const files = new Map<string, number>();
    const openFile = (path: string, flags: string): number => {
      let fd = flags === 'r' ? undefined : files.get(path);
      if (fd === undefined) {
        fd = openSync(path, flags, 0o644);
        this.fds.push(fd);
        if (flags !== 'r') files.set(path, fd);
      }
      return fd;
    };
    const program = o.tasks.length > 0 ? checkProgram(o.command[0]!, o.tasks[0]!.env.PATH, o.tasks[0]!.cwd) : { ok: true as const };
    const broadcast = o.tasks.filter((t) => t.stdio.stdin.kind === 'srun').length;
    const nullInput = broadcast > 1 && stdinIsNull();
    const pipedInputs: NodeJS.WritableStream[] = [];

    const starts: TaskStart[] = [];
    let cwd = '/tmp';
    for (const t of o.tasks) {
      let stdio: [TaskFd, TaskFd, TaskFd];
      try {
        const out = (p: OutputPlan, fd: number): TaskFd =>
          p.kind === 'null' ? 'ignore' : p.kind === 'file' ? openFile(p.path, o.append ? 'a' : 'w') : o.label ? 'pipe' : fd;
        const inPlan = t.stdio.stdin;
        const stdin = inPlan.kind === 'null' || (inPlan.kind === 'srun' && nullInput) ? 'ignore'
          : inPlan.kind === 'file' ? openFile(inPlan.path, 'r')
            : broadcast === 1 ? 0 : 'pipe';
        stdio = [stdin, out(t.stdio.stdout, 1), out(t.stdio.stderr, 2)];
      } catch {
        // slurmstepd could not open the task's files: the task is not run, and srun does not count it as failed
        o.stderr(`srun: error: task ${t.procid} launch failed: Slurmd could not connect IO\n`);
        this.notStarted.add(t.procid);
        continue;
      }
      // slurmstepd's own complaints go where the task's stderr goes
      const stepdError = (what: string) => {
        if (stdio[2] !== 'ignore') writeBytes(typeof stdio[2] === 'number' ? stdio[2] : 2, Buffer.from(`slurmstepd-${t.node}: error: ${what}\n`));
      };
      if (!program.ok) {
        stepdError(program.message);
        this.record({ procid: t.procid, node: t.node, code: program.code, signal: null });
        continue;
      }
      cwd = existsSync(t.cwd) ? t.cwd : '/tmp';
      if (cwd !== t.cwd) stepdError(`couldn't chdir to \`${t.cwd}': No such file or directory: going to /tmp instead`);
      starts.push({ procid: t.procid, env: t.env, stdio });
    }

    const nodeOf = new Map(o.tasks.map((t) => [t.procid, t.node]));
    const handles = starts.length ? startTasks(o.command, starts, { cwd, detached: o.detached }) : new Map<number, TaskHandle>();
    for (const [procid, child] of handles) {
      const node = nodeOf.get(procid)!;
      this.children.set(procid, child);
      if (child.stdin) {
        child.stdin.on('error', () => undefined);
        pipedInputs.push(child.stdin);
      }
      const prefix = labelPrefix(procid, o.ntasks);
      const relay = (stream: NodeJS.ReadableStream | null, fd: number) => {
        if (!stream) return;
        const lines = new LabelledLines(prefix, o.unbuffered, (b) => writeBytes(fd, b));
        stream.on('data', (b: Buffer) => lines.push(b));
        stream.on('end', () => lines.end());
      };
      relay(child.stdout, 1);
      relay(child.stderr, 2);
      child.on('error', () => undefined);
      let ended: TaskEnd | undefined;
      child.on('exit', (code, signal) => {
        ended = { procid, node, code: signal ? null : code ?? 0, signal: signal ? signalNumber(signal) : null };
        // output still in the pipes comes first; a task's leftover children keeping them open do not hold srun
        setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
        }, 1000).unref();
      });
      child.on('close', (code, signal) => {
        if (!this.children.has(procid)) return;
        this.children.delete(procid);
        this.record(ended ?? { procid, node, code: signal ? null : code ?? 0, signal: signal ? signalNumber(signal) : null });
      });
    }
    for (const fd of new Set(this.fds)) closeSync(fd);
    if (pipedInputs.length > 0) {
      this.readsStdin = true;
      process.stdin.on('data', (b: Buffer) => pipedInputs.forEach((w) => w.write(b)));
      process.stdin.on('end', () => pipedInputs.forEach((w) => w.end()));
      process.stdin.on('error', () => pipedInputs.forEach((w) => w.end()));
    }
    this.maybeDone();
  }

  private record(end: TaskEnd): void {
    this.ends.set(end.procid, end);
    this.unreported.push(end);
    if (this.o.maxWait !== undefined && this.o.maxWait > 0 && !this.waitTimer && this.ends.size < this.o.tasks.length) {
      this.waitTimer = setTimeout(() => this.firstTaskWaitOver(), this.o.maxWait * 1000);
    }
    // tasks ending together are reported together, as slurmstepd does (`tasks 0-2`); a clean end says nothing, so it need not wait
    if (!this.flushTimer && this.unreported.every((e) => outcomeText(e) === undefined)) this.unreported = [];
    else this.flushTimer ??= setTimeout(() => this.flush(), 30);
    this.maybeDone();
  }

  private flush(): void {
    this.flushTimer = undefined;
    if (this.held) {
      this.flushTimer = setTimeout(() => this.flush(), 30);
      return;
    }
    // slurmstepd reports the tasks that ended together in task order
    const batch = this.unreported.sort((a, b) => a.procid - b.procid);
    this.unreported = [];
    const lines = exitLines(batch);
    if (lines.length) this.o.stderr(`${lines.join('\n')}\n`);
    if (this.o.killOnBadExit && !this.aborted && batch.some((e) => e.signal !== null || e.code) && this.children.size > 0) {
      this.aborted = 'kill';
      this.cancelLines('');
      this.signalAll('SIGTERM');
      this.killLater();
    }
    this.maybeDone();
  }

  private maybeDone(): void {
    if (this.children.size > 0 || this.flushTimer || this.unreported.length || this.held) return;
    if (this.ends.size + this.notStarted.size < this.o.tasks.length) return;
    clearTimeout(this.waitTimer);
    clearTimeout(this.killTimer);
    const ends = [...this.ends.values()].sort((a, b) => a.procid - b.procid);
    // not when the job or scancel ended it (salloc/scancel-step, golden signals have no such line)
    if (this.aborted !== 'wait' && this.aborted !== 'ended' && this.aborted !== 'cancelled' && ends.some((e) => e.signal !== null)) {
      this.o.stderr(`srun: Force Terminated StepId=${this.o.step}\n`);
    }
    if (this.readsStdin) process.stdin.destroy();
    // a batch job's cancellation ends its steps as their tasks end (a task that traps SIGTERM and exits 0: COMPLETED)
    const aborted = this.aborted !== undefined && (this.aborted !== 'cancelled' || this.stepCancelled);
    this.resolve({ ends, exitCode: exitCodeOf(ends), aborted, cancelled: this.cancelled, stepCancelled: this.stepCancelled, exit: sacctExit(ends) });
  }

  /** srun's lines when it ends the step, then slurmstepd's on each node. */
  private cancelLines(why: string): void {
    const at = formatIsoLocal(Math.floor(Date.now() / 1000));
    this.o.stderr(`srun: launch/slurm: _step_signal: Terminating StepId=${this.o.step}\n`);
    for (const node of this.o.nodes) this.o.stderr(`slurmstepd-${node}: error: *** STEP ${this.o.step} ON ${node} CANCELLED AT ${at}${why} ***\n`);
  }

  private firstTaskWaitOver(): void {
    if (this.children.size === 0) return;
    const o = this.o;
    this.o.stderr(`srun: First task exited ${o.maxWait}s ago\n`);
    this.o.stderr(`${statusLines(`StepId=${o.step}`, o.ntasks, this.ends, this.notStarted).join('\n')}\n`);
    this.aborted = 'wait';
    this.cancelLines('');
    this.o.stderr(`srun: Job step aborted: Waiting up to ${o.killWait + 2} seconds for job step to finish.\n`);
    this.signalAll('SIGKILL');
  }

  private killLater(): void {
    this.killTimer ??= setTimeout(() => this.signalAll('SIGKILL'), this.o.killAfter * 1000);
  }

  /** Send a signal to every task still running (with its process group, when it has one of its own). */
  signalAll(signal: NodeJS.Signals): void {
    for (const child of this.children.values()) {
      if (child.pid === undefined) continue;
      try {
        process.kill(this.o.detached ? -child.pid : child.pid, signal);
      } catch {
        // already gone
      }
    }
  }

  /** The job is being ended (scancel, time limit): slurmstepd's lines, SIGTERM now, SIGKILL after KillWait. */
  terminate(why: '' | ' DUE TO TIME LIMIT'): void {
    if (this.children.size === 0) return;
    this.aborted ??= 'ended';
    const at = formatIsoLocal(Math.floor(Date.now() / 1000));
    this.o.stderr(`srun: Job step aborted: Waiting up to ${this.o.killWait + 2} seconds for job step to finish.\n`);
    for (const node of this.o.nodes) this.o.stderr(`slurmstepd-${node}: error: *** STEP ${this.o.step} ON ${node} CANCELLED AT ${at}${why} ***\n`);
    // tasks in the batch job's process group got the job's SIGTERM with srun: once is what slurmstepd sends
    if (!this.o.inBatchJob) this.signalAll('SIGTERM');
    this.killLater();
  }

  /** Keep the step's outcome back (task exit lines, the end) until release(). */
  hold(): void {
    this.held++;
  }

  release(): void {
    this.held = Math.max(0, this.held - 1);
    this.maybeDone();
  }

  /**
   * The step was cancelled (scancel N.S): slurmstepd's line, srun's notice,
   * SIGKILL to the tasks (fixtures/golden signals: `task 0: Killed`, srun exits 137).
   */
  cancelStep(): void {
    if (this.children.size === 0 || this.aborted) return;
    this.aborted = 'cancelled';
    this.stepCancelled = true;
    const at = formatIsoLocal(Math.floor(Date.now() / 1000));
    for (const node of this.o.nodes) this.o.stderr(`slurmstepd-${node}: error: *** STEP ${this.o.step} ON ${node} CANCELLED AT ${at} ***\n`);
    this.o.stderr(`srun: Job step aborted: Waiting up to ${this.o.killWait + 2} seconds for job step to finish.\n`);
    this.signalAll('SIGKILL');
  }

  /**
   * The batch job this step runs in is cancelled (its SIGTERM reached srun and
   * the tasks together): srun's notice, slurmstepd's line for the step, and
   * srun's "forcing"; the tasks have KillWait to end, as slurmstepd gives them
   * (fixtures/golden signals: a task that traps SIGTERM finishes).
   */
  jobCancelled(why: '' | ' DUE TO JOB REQUEUE' = ''): void {
    if (this.aborted === 'cancelled') return;
    this.aborted = 'cancelled';
    const at = formatIsoLocal(Math.floor(Date.now() / 1000));
    this.o.stderr(`srun: Job step aborted: Waiting up to ${this.o.killWait + 2} seconds for job step to finish.\n`);
    for (const node of this.o.nodes) this.o.stderr(`slurmstepd-${node}: error: *** STEP ${this.o.step} ON ${node} CANCELLED AT ${at}${why} ***\n`);
    this.o.stderr('srun: forcing job termination\n');
    this.killLater();
  }

  /** What srun does with a signal it receives while its tasks run. */
  onSignal(signal: NodeJS.Signals): void {
    const o = this.o;
    switch (signal) {
      case 'SIGINT': {
        const now = Date.now();
        if (o.quitOnInterrupt || o.disableStatus || now - this.lastInterrupt < 1000) {
          o.stderr(`srun: sending Ctrl-C to StepId=${o.step}\n`);
          this.cancelled = true;
          this.signalAll('SIGINT');
        } else {
          o.stderr('srun: interrupt (one more within 1 sec to abort)\n');
          o.stderr(`${statusLines(`StepId=${o.step}`, o.ntasks, this.ends, this.notStarted).join('\n')}\n`);
        }
        this.lastInterrupt = now;
        return;
      }
      case 'SIGQUIT':
      case 'SIGTERM':
      case 'SIGHUP':
        if (signal === 'SIGQUIT') o.stderr('srun: Quit\n');
        o.stderr('srun: forcing job termination\n');
        this.aborted ??= 'forced';
        this.cancelled = true;
        this.signalAll('SIGKILL');
        return;
      case 'SIGCONT':
        o.stderr('srun: got SIGCONT\n');
        return;
      default:
        this.signalAll(signal);
    }
  }
}

function signalNumber(name: NodeJS.Signals): number {
  const n = (SIGNALS as Record<string, number | undefined>)[name];
  return n ?? 0;
}

const SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9, SIGUSR1: 10,
  SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGSTKFLT: 16, SIGCHLD: 17, SIGCONT: 18, SIGSTOP: 19, SIGTSTP: 20,
  SIGTTIN: 21, SIGTTOU: 22, SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25, SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28, SIGIO: 29, SIGPWR: 30, SIGSYS: 31 };

/** `code:signal` of the worst task, as sacct shows a step's ExitCode. */
export function sacctExit(ends: readonly TaskEnd[]): string {
  let worst: TaskEnd | undefined;
  for (const e of ends) if (!worst || (e.signal !== null ? 128 + e.signal : e.code ?? 0) > (worst.signal !== null ? 128 + worst.signal : worst.code ?? 0)) worst = e;
  if (!worst) return '0:0';
  return worst.signal !== null ? `0:${worst.signal}` : `${worst.code ?? 0}:0`;
}
