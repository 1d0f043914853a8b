/**
 * Starting a step's task processes. Each task learns its own pid as
 * SLURM_TASK_PID (it execs the program as that process), gets its stdio and
 * its own environment. Node's spawn waits for each child's exec in turn, so
 * many tasks start faster through one small perl process that forks them all
 * and reports, on a pipe, each task's pid and raw wait status (a signal told
 * apart from an exit code); without perl (or for a task or two) each task is
 * spawned through a one-line sh. Both give ChildProcess-like handles.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { accessSync, constants } from 'node:fs';
import { constants as os } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

/** What StepRun needs of a task process. */
export interface TaskHandle {
  readonly pid: number | undefined;
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  on(event: 'exit' | 'close', listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
  on(event: 'error', listener: (e: Error) => void): this;
}

export type TaskFd = 'ignore' | 'pipe' | number;

export interface TaskStart {
  procid: number;
  env: Record<string, string>;
  /** stdin, stdout, stderr: a pipe to srun, nothing, or one of srun's fds (its own 0-2, a file it opened) */
  stdio: [TaskFd, TaskFd, TaskFd];
}

export interface LaunchOptions {
  cwd: string;
  /** each task in a process group of its own */
  detached: boolean;
}

/** One line of sh: the task learns its own pid, then becomes the program. */
const TASK_WRAPPER = 'SLURM_TASK_PID=$$; export SLURM_TASK_PID; exec "$@"';
/** The same for a task without PWD: sh would export one of its own, which slurmstepd does not give. */
const TASK_WRAPPER_NO_PWD = `unset PWD; ${TASK_WRAPPER}`;

/**
 * The forker. Arguments: detached, its highest fd, argc, the program's argv, then per task
 * `procid in out err n` and n `NAME=value` pairs (fds are its own: 0-2, or
 * the extra stdio entries from 4 on; -1 is /dev/null). Writes `S procid pid`
 * and `E procid status` lines to fd 3. Ignores the signals srun handles: a
 * group's SIGTERM reaches the tasks, which report through it. Builtins
 * only: `use POSIX` alone would cost more than the forks it saves.
 */
const FORKER = `my $detached = shift; my $top = shift; my $argc = shift; my @cmd = splice(@ARGV, 0, $argc);
open(my $st, '>&=', 3) or exit 1; select((select($st), $| = 1)[0]);
$SIG{$_} = 'IGNORE' for qw(INT TERM HUP QUIT USR1 USR2 ALRM PIPE TSTP TTIN TTOU);
my (%task, %mine);
while (@ARGV) {
  my ($procid, @fd) = splice(@ARGV, 0, 4); my $n = shift; my @env = splice(@ARGV, 0, $n);
  for (@fd) { $mine{$_} = 1 if $_ > 3 }
  my $pid = fork;
  if (!defined $pid) { print $st "E $procid 32512\\n"; next; }
  if (!$pid) {
    $SIG{$_} = 'DEFAULT' for keys %SIG;
    setpgrp(0, 0) if $detached;
    my ($in, $out, $err) = @fd;
    if ($in < 0) { open(STDIN, '<', '/dev/null') } elsif ($in != 0) { open(STDIN, '<&', $in) }
    if ($out < 0) { open(STDOUT, '>', '/dev/null') } elsif ($out != 1) { open(STDOUT, '>&', $out) }
    if ($err < 0) { open(STDERR, '>', '/dev/null') } elsif ($err != 2) { open(STDERR, '>&', $err) }
    for my $f (3 .. $top) { open(my $h, '<&=', $f) and close($h) }
    for (@env) { my ($k, $v) = split /=/, $_, 2; $ENV{$k} = $v }
    $ENV{SLURM_TASK_PID} = $$;
    exec { $cmd[0] } @cmd;
    exit 127;
  }
  $task{$pid} = $procid;
  print $st "S $procid $pid\\n";
}
for my $f (keys %mine) { open(my $h, '<&=', $f) and close($h) }
while (%task) { my $pid = waitpid(-1, 0); last if $pid < 0; my $p = delete $task{$pid}; print $st "E $p $?\\n" if defined $p }
`;

let perlPath: string | null | undefined;

/** perl on PATH, looked up once. */
export function findPerl(): string | null {
  if (perlPath !== undefined) return perlPath;
  perlPath = null;
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    try {
      const p = join(dir || '.', 'perl');
      accessSync(p, constants.X_OK);
      perlPath = p;
      break;
    } catch {
      // not here
    }
  }
  return perlPath;
}

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(Object.entries(os.signals).map(([name, n]) => [n, name as NodeJS.Signals]));

/** A task forked by the forker. */
class ForkedTask extends EventEmitter implements TaskHandle {
  pid: number | undefined;
  private exited?: [number | null, NodeJS.Signals | null];
  private open = 0;

  constructor(readonly stdin: Writable | null, readonly stdout: Readable | null, readonly stderr: Readable | null) {
    super();
    for (const s of [stdout, stderr]) {
      if (!s) continue;
      this.open++;
      s.once('close', () => {
        this.open--;
        this.maybeClose();
      });
    }
  }

  /** Its raw wait status came. */
  ended(status: number): void {
    if (this.exited) return;
    const sig = status & 0x7f;
    this.exited = sig ? [null, SIGNAL_NAMES.get(sig) ?? 'SIGKILL'] : [(status >> 8) & 0xff, null];
    this.emit('exit', ...this.exited);
    this.maybeClose();
  }

  private maybeClose(): void {
    if (this.exited && this.open === 0) this.emit('close', ...this.exited);
  }
}

/** Start all tasks through one perl forker (undefined when its argument list would be too long for exec). */
function forkAll(perl: string, command: readonly string[], tasks: readonly TaskStart[], o: LaunchOptions): Map<number, TaskHandle> | undefined {
  // environment every task shares goes to the forker; each task's own values go on its argument list
  const shared: Record<string, string> = {};
  for (const [k, v] of Object.entries(tasks[0]!.env)) if (tasks.every((t) => t.env[k] === v)) shared[k] = v;
  const stdio: StdioOptions = ['ignore', 'ignore', 'ignore', 'pipe'];
  const fdOf = (fd: TaskFd): number => {
    if (fd === 'ignore') return -1;
    if (typeof fd === 'number' && fd <= 2) {
      stdio[fd] = fd;
      return fd;
    }
    stdio.push(fd);
    return stdio.length - 1;
  };
  const perTask: string[] = [];
  const at = new Map<number, [number, number, number]>();
  for (const t of tasks) {
    const fds = t.stdio.map(fdOf) as [number, number, number];
    at.set(t.procid, fds);
    const own = Object.entries(t.env).filter(([k]) => !(k in shared)).map(([k, v]) => `${k}=${v}`);
    perTask.push(String(t.procid), ...fds.map(String), String(own.length), ...own);
  }
  // each task closes every fd above 2 up to the forker's highest: another task's pipe held open would keep srun waiting
  const args = ['-e', FORKER, o.detached ? '1' : '0', String(stdio.length - 1), String(command.length), ...command, ...perTask];
  // exec refuses more than ARG_MAX (2 MB on Linux) of arguments and environment together
  if (args.reduce((n, a) => n + a.length + 1, 0) + Object.entries(shared).reduce((n, [k, v]) => n + k.length + v.length + 2, 0) > 1 << 20) return undefined;
  const forker = spawn(perl, args, { env: shared, cwd: o.cwd, stdio });
  const handles = new Map<number, ForkedTask>();
  const pipeAt = (i: number) => (i > 3 ? (forker.stdio[i] as unknown as Readable & Writable) : null);
  for (const t of tasks) {
    const [i, out, err] = at.get(t.procid)!;
    handles.set(t.procid, new ForkedTask(t.stdio[0] === 'pipe' ? pipeAt(i) : null, t.stdio[1] === 'pipe' ? pipeAt(out) : null, t.stdio[2] === 'pipe' ? pipeAt(err) : null));
  }
  let pending = '';
  const status = forker.stdio[3] as Readable;
  status.setEncoding('utf8');
  status.on('data', (chunk: string) => {
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const [kind, procid, value] = pending.slice(0, nl).split(' ');
      pending = pending.slice(nl + 1);
      const h = handles.get(Number(procid));
      if (!h) continue;
      if (kind === 'S') h.pid = Number(value);
      else if (kind === 'E') h.ended(Number(value));
    }
  });
  // the forker gone without a word for some task (killed with srun's group): that task counts as killed
  forker.on('close', () => handles.forEach((h) => h.ended(9)));
  forker.on('error', (e) => handles.forEach((h) => {
    h.emit('error', e);
    h.ended(127 << 8);
  }));
  return handles;
}

/** Start one task through sh. */
function spawnOne(command: readonly string[], t: TaskStart, o: LaunchOptions): ChildProcess {
  return spawn('/bin/sh', ['-c', t.env.PWD === undefined ? TASK_WRAPPER_NO_PWD : TASK_WRAPPER, 'srun-task', ...command], {
    env: t.env, cwd: o.cwd, stdio: t.stdio, detached: o.detached,
  });
}

/** Start the tasks; handles by task id. FLOW_TASK_FORKER=0 always spawns each task itself. */
export function startTasks(command: readonly string[], tasks: readonly TaskStart[], o: LaunchOptions): Map<number, TaskHandle> {
  const perl = tasks.length >= 3 && process.env.FLOW_TASK_FORKER !== '0' ? findPerl() : null;
  const forked = perl ? forkAll(perl, command, tasks, o) : undefined;
  if (forked) return forked;
  return new Map(tasks.map((t) => [t.procid, spawnOne(command, t, o) as TaskHandle]));
}
