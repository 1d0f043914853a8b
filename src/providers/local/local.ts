/**
 * The local driver: emulated nodes on this machine. A job's batch step runs
 * under its own small supervisor (supervisor.sh, the slurmstepd stand-in),
 * detached in its own session so it outlives the controller; the supervisor
 * writes how the job ended into the spool, where ended() finds it. The spool,
 * the pids, the markers and KillWait are this driver's business alone.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, watch, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { holderDead, pidAlive } from '../../store/holder.js';
import type { StepRecord, StoredJob } from '../../job/job-run.js';
import { batchFileName } from '../../job/patterns.js';
import { limitSeconds } from '../../job/job.js';
import { parseSignal } from '../../job/values/index.js';
import type { Driver, RunEnd, RunRef, RunStatus, SignalTarget, StartContext, StartResult, StopWhy } from '../driver.js';
import { asJobUser } from './as-user.js';
import { readEndRecord } from '../end-record.js';
import { batchEnv } from '../../steps/batch-env.js';
import { srunIsOurs } from '../../steps/job-path.js';
import { ensureNodesResolve, hostsPolicy } from './node-hosts.js';
import supervisorScript from './supervisor.sh';

/** slurm.conf KillWait default: seconds between SIGTERM and SIGKILL */
const DEFAULT_KILL_WAIT = 30;

/**
 * Where supervisors write how their job ended. A root controller runs other users' jobs as them,
 * so it is writable by all, sticky as /tmp is; the controller believes an end record only from
 * the job's owner (writtenByOwner).
 */
export function ensureEndsDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
  if (process.geteuid?.() === 0) chmodSync(dir, 0o1777);
}

/** An end record (or marker) written by the job's owner, root, or this process's user. */
export function writtenByOwner(file: string, job: StoredJob): boolean {
  try {
    const uid = statSync(file).uid;
    return uid === job.record.userId || uid === 0 || uid === process.geteuid?.();
  } catch {
    return false;
  }
}

export function endFile(spoolDir: string, jobId: number, run: number): string {
  return join(spoolDir, 'ends', `${jobId}.${run}`);
}

export function runDir(spoolDir: string, jobId: number, run: number): string {
  return join(spoolDir, `job${jobId}.${run}`);
}

/** The user's login environment (`--export=NONE` and friends), as `su - user` gives it. */
function loginEnv(user: string, uid: number): Record<string, string> {
  const asOther = uid !== process.getuid?.();
  const r = asOther
    ? spawnSync('su', ['-', user, '-c', 'env -0'], { timeout: 8000, encoding: 'buffer' })
    : spawnSync(process.env.SHELL || '/bin/sh', ['-l', '-c', 'env -0'], { timeout: 8000, encoding: 'buffer', env: { HOME: process.env.HOME ?? '/', USER: user, LOGNAME: user } });
  const out: Record<string, string> = {};
  if (r.status !== 0 || !r.stdout) return out;
  for (const entry of r.stdout.toString('utf8').split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) out[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return out;
}

/** Processes of a process group (ps is the portable way to ask), with their command lines. */
function groupMembers(pgid: number): { pid: number; args: string }[] {
  const r = spawnSync('ps', ['-A', '-o', 'pid=', '-o', 'pgid=', '-o', 'args='], { encoding: 'utf8' });
  if (r.status !== 0) return [];
  return r.stdout.split('\n').flatMap((l) => {
    const m = /^\s*(\d+)\s+(\d+)\s?(.*)$/.exec(l);
    return m && Number(m[2]) === pgid ? [{ pid: Number(m[1]), args: m[3]! }] : [];
  });
}

/**
 * An srun process (ours runs as `node .../bin/srun ...`): part of the batch
 * step, not of the steps it launched, so `scancel --signal` without -b/-f
 * reaches its tasks directly and not through it a second time.
 */
export function isSrun(args: string): boolean {
  const [first = '', second = ''] = args.split(/\s+/);
  const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);
  return base(first) === 'srun' || (/^node/.test(base(first)) && base(second) === 'srun');
}

export class LocalDriver implements Driver {
  private readonly endsDir: string;

  /**
   * `timeScale` < 1 shortens every time limit, --signal lead time and KillWait
   * (FLOW_MINUTE_SECONDS=2 makes a one-minute limit last two seconds); the
   * tests use it to run time limits quickly. Displayed limits do not change.
   */
  constructor(
    private readonly binDir: string,
    private readonly slurmConf: string | undefined,
    private readonly spoolDir: string,
    private readonly timeScale = 1,
    private readonly say: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {
    this.endsDir = join(spoolDir, 'ends');
    ensureEndsDir(this.endsDir);
  }

  async start(job: StoredJob, ref: RunRef, ctx: StartContext): Promise<StartResult> {
    const r = job.record;
    // srun's own allocation: srun runs the steps; its process stands for the job
    if (r.interactive) return { ok: true, handle: String(r.interactive.pid) };
    // a job runs as its owner: only a root controller can run another user's job (never as itself)
    const self = process.getuid?.();
    if (self !== undefined && self !== 0 && r.userId !== self) {
      return { ok: false, reason: 'JobLaunchFailure', message: `the controller runs as uid ${self}, not as root: it cannot run uid ${r.userId}'s job as its owner` };
    }
    const dir = runDir(this.spoolDir, ref.jobId, ref.run);
    // The claim: the run's directory appears at once with who claimed it and when, by our clock (a
    // file's mtime is the kernel's, which a shifted test clock does not move): made aside, then
    // renamed into place, so a claim never lacks its launcher file, whenever its controller dies.
    // A second start of this run stops here, and inspect() follows the claim.
    const aside = `${dir}.claim-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    mkdirSync(aside);
    writeFileSync(join(aside, 'launcher'), `${ctx.controllerId}\n${Date.now()}\n`);
    try {
      if (existsSync(dir)) throw new Error('claimed');
      renameSync(aside, dir);
    } catch {
      rmSync(aside, { recursive: true, force: true });
      const sup = this.supervisorOf(ref);
      return { ok: true, handle: sup ?? '' };
    }
    ctx.checkpoint('launch-claimed');
    // the job's tasks reach each other's nodes by name
    await ensureNodesResolve(ctx.cluster.config.nodes.map((n) => n.name), this.say, hostsPolicy(process.env, ctx.cluster.flow));
    const result = this.spawnSupervisor(job, ref, ctx, dir);
    ctx.checkpoint('launch-spawned');
    if (result.ok) writeFileSync(join(dir, 'sup.pid'), result.handle);
    return result;
  }

  private spawnSupervisor(job: StoredJob, ref: RunRef, ctx: StartContext, dir: string): StartResult {
    const r = job.record;
    const node = job.alloc[0]!.node;
    const scriptPath = join(dir, 'slurm_script');
    writeFileSync(scriptPath, ctx.script, { mode: 0o755 });
    chmodSync(scriptPath, 0o755);

    // Output files are opened here, as slurmd does: a missing directory fails the launch.
    const truncate = r.openMode !== 'append' && job.restarts === 0 ? 'w' : 'a';
    const mode = r.openMode === 'append' ? 'a' : truncate;
    const fds: number[] = [];
    const open = (pattern: string, flags: string): number => {
      const fd = openSync(batchFileName(pattern, r, node), flags, 0o644);
      fds.push(fd);
      return fd;
    };
    let stdio: [number, number, number];
    try {
      const outName = batchFileName(r.stdout, r, node);
      const errName = batchFileName(r.stderr, r, node);
      stdio = asJobUser({ uid: r.userId, gid: r.groupId, name: r.userName }, () => {
        const out = open(r.stdout, mode);
        const err = errName === outName ? out : open(r.stderr, mode);
        const input = open(r.stdin, 'r');
        return [input, out, err];
      });
    } catch (e) {
      for (const fd of fds) closeSync(fd);
      return { ok: false, reason: 'JobLaunchFailure', message: (e as Error).message };
    }

    const cwd = existsSync(r.workDir) ? r.workDir : '/tmp';
    if (cwd !== r.workDir) {
      writeFileSync(stdio[2], `slurmstepd-${node}: error: couldn't chdir to \`${r.workDir}': No such file or directory: going to /tmp instead\n`);
    }
    const env = batchEnv(job, {
      clusterName: ctx.cluster.config.clusterName,
      slurmConf: this.slurmConf,
      controllerHost: ctx.controllerHost,
      submitEnv: ctx.submitEnv,
      loginEnv: r.export !== undefined ? loginEnv(r.userName, r.userId) : undefined,
      binDir: this.binDir,
      srunIsOurs: (path) => srunIsOurs(path, this.binDir, cwd),
    });
    const scaled = (secs: number) => Math.max(1, Math.round(secs * this.timeScale));
    const limit = r.timeLimit === 'UNLIMITED' ? 0 : scaled(limitSeconds(r.timeLimit));
    const signal = r.signal ? parseSignal(r.signal) : undefined;
    const warn = signal?.ok ? signal.value : undefined;
    const killWait = Number(ctx.cluster.config.settings.get('killwait') ?? DEFAULT_KILL_WAIT);
    const args = [
      '-c', supervisorScript, 'flow-supervisor',
      endFile(this.spoolDir, ref.jobId, ref.run), String(limit), String(warn ? scaled(warn.seconds) : 0), String(warn?.signal ?? 0),
      warn?.batchOnly ? '1' : '0', String(scaled(killWait)), String(r.jobId), node, scriptPath, ...r.scriptArgs,
    ];
    const asUser = process.getuid?.() === 0 && r.userId !== 0 ? { uid: r.userId, gid: r.groupId } : {};
    const child = spawn('/bin/sh', args, { cwd, env, stdio, detached: true, ...asUser });
    for (const fd of new Set(fds)) closeSync(fd);
    const pid = child.pid;
    child.unref();
    if (pid === undefined) return { ok: false, reason: 'JobLaunchFailure', message: 'could not start the supervisor' };
    return { ok: true, handle: `${pid}` };
  }

  async inspect(ref: RunRef): Promise<RunStatus> {
    const end = endFile(this.spoolDir, ref.jobId, ref.run);
    if (existsSync(end)) return { kind: 'ended' };
    if (ref.handle) {
      if (this.handleAlive(ref)) return { kind: 'running' };
      // it may have written its end record just now
      if (existsSync(end)) return { kind: 'ended' };
      return { kind: 'lost', reason: 'node_fail', timedOut: existsSync(`${end}.timeout`) };
    }
    if (ref.interactive) return { kind: 'none' };
    // started, but the controller that started it went before recording so
    const sup = this.supervisorOf(ref);
    if (sup) return { kind: 'running', handle: sup };
    return this.unfinishedStart(ref);
  }

  /** The supervisor's pid, as the starting controller or the supervisor itself recorded it. */
  private supervisorOf(ref: RunRef): string | undefined {
    for (const file of [join(runDir(this.spoolDir, ref.jobId, ref.run), 'sup.pid'), `${endFile(this.spoolDir, ref.jobId, ref.run)}.pid`]) {
      try {
        const pid = readFileSync(file, 'utf8').trim();
        if (/^\d+$/.test(pid)) return pid;
      } catch {
        // not there
      }
    }
    return undefined;
  }

  /**
   * A run with no supervisor yet: is its start under way, or will it never
   * finish? Never begun, or begun by a controller that died before the
   * supervisor started: `none` (start it again). A supervisor writes its pid
   * first thing, within milliseconds of its start, so a claim a few seconds
   * old without one never got a supervisor, and starting again cannot run the
   * job twice. One that stays stuck is a failed node.
   */
  private unfinishedStart(ref: RunRef): RunStatus {
    const dir = runDir(this.spoolDir, ref.jobId, ref.run);
    if (!existsSync(dir)) return { kind: 'none' };
    let launcher = '';
    let age = Infinity;
    try {
      const [who = '', at = ''] = readFileSync(join(dir, 'launcher'), 'utf8').split('\n');
      launcher = who;
      age = Date.now() - Number(at);
    } catch {
      // a claim without its launcher (made by an older version that died between the two): nobody's
      launcher = '';
    }
    if (age < 3000) return { kind: 'configuring' };
    if (launcher === '' || holderDead(launcher)) {
      rmSync(dir, { recursive: true, force: true });
      return { kind: 'none' };
    }
    return age > 30_000 ? { kind: 'lost', reason: 'node_fail', timedOut: false } : { kind: 'configuring' };
  }

  async ended(owner: (jobId: number) => Promise<StoredJob | undefined>): Promise<RunEnd[]> {
    let names: string[];
    try {
      names = readdirSync(this.endsDir);
    } catch {
      return [];
    }
    const ends: RunEnd[] = [];
    for (const name of names) {
      const m = /^(\d+)\.(\d+)$/.exec(name);
      if (!m) continue;
      const jobId = Number(m[1]);
      const file = join(this.endsDir, name);
      const job = await owner(jobId);
      // another user's forgery of this job's end is not believed (the ends directory is shared)
      if (job && !writtenByOwner(file, job)) {
        rmSync(file, { force: true });
        continue;
      }
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue; // forgotten meanwhile
      }
      ends.push({ jobId, run: Number(m[2]), ...readEndRecord(text, Math.floor(Date.now() / 1000)), timedOut: existsSync(`${file}.timeout`) });
    }
    return ends;
  }

  forget(ref: RunRef): void {
    const file = endFile(this.spoolDir, ref.jobId, ref.run);
    for (const suffix of ['', '.child', '.timeout', '.cancel', '.cancel.at', '.tmp', '.sig', '.pid', '.pid.tmp']) rmSync(`${file}${suffix}`, { force: true });
    rmSync(runDir(this.spoolDir, ref.jobId, ref.run), { recursive: true, force: true });
  }

  /**
   * As slurmstepd: the supervisor says why in the job's output (the marker),
   * then sends every process of the job SIGCONT and SIGTERM; KillWait later,
   * whatever is left gets SIGKILL. The marker's age is the clock, so a
   * controller that takes over goes on where the last one was.
   */
  async stop(ref: RunRef, why: StopWhy, graceSeconds: number): Promise<void> {
    const pid = Number(ref.handle);
    if (!pid) return;
    const marker = `${endFile(this.spoolDir, ref.jobId, ref.run)}.cancel`;
    let since: number;
    try {
      since = Number(readFileSync(`${marker}.at`, 'utf8'));
    } catch {
      writeFileSync(marker, why.kind === 'requeue' ? 'requeue' : why.by);
      // srun's own allocation: srun ends its steps itself; a batch job: its supervisor (supervisor.sh on_term)
      if (this.handleAlive(ref)) kill(pid, 'SIGTERM');
      // when, by our clock (not the marker's mtime: the kernel's clock, which a shifted test clock does not move);
      // last, so a controller that dies before it sends the SIGTERM again (the supervisor ends once)
      writeFileSync(`${marker}.at`, String(Date.now()));
      return;
    }
    if (Date.now() - since >= graceSeconds * 1000 && this.handleAlive(ref)) this.signal(ref, 'SIGKILL', 'all');
  }

  /**
   * The run's supervisor (or srun/salloc) still runs: its pid is alive and, where /proc tells, is
   * still this run's supervisor. Pids come round again fast (pid_max is often 32768): a signal to
   * a pid that is now someone else's must never be sent.
   */
  private handleAlive(ref: RunRef): boolean {
    const pid = Number(ref.handle);
    if (!(pid > 0) || !pidAlive(pid)) return false;
    if (ref.interactive) return true;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return existsSync('/proc/self') ? false : true; // gone meanwhile; or no /proc to ask
    }
    // the supervisor's arguments name its run's end file
    return cmdline.includes(endFile(this.spoolDir, ref.jobId, ref.run));
  }

  signal(ref: RunRef, signal: NodeJS.Signals | number, target: SignalTarget): void {
    const pgid = Number(ref.handle);
    if (!pgid || !this.handleAlive(ref)) return;
    // srun's own allocation: srun forwards signals to its tasks, as it does in Slurm
    if (ref.interactive) return kill(pgid, signal);
    if (target === 'all') return kill(-pgid, signal);
    let batch = 0;
    try {
      batch = Number(readFileSync(`${endFile(this.spoolDir, ref.jobId, ref.run)}.child`, 'utf8').trim());
    } catch {
      return;
    }
    if (target === 'batch') return kill(batch, signal);
    for (const { pid, args } of groupMembers(pgid)) if (pid !== pgid && pid !== batch && !isSrun(args)) kill(pid, signal);
  }

  cancelStep(step: StepRecord): void {
    if (!step.srun || step.srun.host !== hostname()) return;
    // srun's signal for "look at your step" (srun-step.ts): default-ignored, so nothing else minds it
    kill(step.srun.pid, 'SIGURG');
  }

  watch(wake: () => void): () => void {
    const watcher = watch(this.endsDir, (_event, name) => {
      // an end record (not a supervisor's pid or child file)
      if (!name || /^\d+\.\d+$/.test(String(name))) wake();
    });
    return () => watcher.close();
  }
}

function kill(pid: number, signal: NodeJS.Signals | number): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
