/**
 * The local provider: emulated nodes on this machine. A job's batch step runs
 * under its own small supervisor (supervisor.sh, the slurmstepd stand-in),
 * detached in its own session so it outlives the controller; the supervisor
 * writes how the job ended into the spool, where the controller finds it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pidAlive } from '../../controller/holder.js';
import type { StepRecord, StoredJob } from '../../controller/state.js';
import { batchFileName } from '../../spec/patterns.js';
import { limitSeconds } from '../../spec/job.js';
import { parseSignal } from '../../spec/values/index.js';
import type { LaunchContext, LaunchResult, Provider, SignalTarget } from '../provider.js';
import { asJobUser } from './as-user.js';
import { batchEnv } from './batch-env.js';
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

export class LocalProvider implements Provider {
  /**
   * `timeScale` < 1 shortens every time limit, --signal lead time and KillWait
   * (FLOW_MINUTE_SECONDS=2 makes a one-minute limit last two seconds); the
   * tests use it to run time limits quickly. Displayed limits do not change.
   */
  constructor(
    private readonly binDir: string,
    private readonly slurmConf: string | undefined,
    private readonly timeScale = 1,
    private readonly say: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {}

  async start(job: StoredJob, ctx: LaunchContext): Promise<LaunchResult> {
    const r = job.record;
    const node = job.alloc[0]!.node;
    // a job runs as its owner: only a root controller can run another user's job (never as itself)
    const self = process.getuid?.();
    if (self !== undefined && self !== 0 && r.userId !== self) {
      return { ok: false, reason: 'JobLaunchFailure', message: `the controller runs as uid ${self}, not as root: it cannot run uid ${r.userId}'s job as its owner` };
    }
    // the job's tasks reach each other's nodes by name
    await ensureNodesResolve(ctx.cluster.config.nodes.map((n) => n.name), this.say, hostsPolicy(process.env, ctx.cluster.flow));
    const dir = runDir(ctx.spoolDir, r.jobId, job.run);
    mkdirSync(dir, { recursive: true });
    ensureEndsDir(join(ctx.spoolDir, 'ends'));
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
      endFile(ctx.spoolDir, r.jobId, job.run), String(limit), String(warn ? scaled(warn.seconds) : 0), String(warn?.signal ?? 0),
      warn?.batchOnly ? '1' : '0', String(scaled(killWait)), String(r.jobId), node, scriptPath, ...r.scriptArgs,
    ];
    const asUser = process.getuid?.() === 0 && r.userId !== 0 ? { uid: r.userId, gid: r.groupId } : {};
    const child = spawn('/bin/sh', args, { cwd, env, stdio, detached: true, ...asUser });
    for (const fd of new Set(fds)) closeSync(fd);
    const pid = child.pid;
    child.unref();
    if (pid === undefined) return { ok: false, reason: 'JobLaunchFailure', message: 'could not start the supervisor' };
    return { ok: true, supervisor: `${pid}` };
  }

  signal(job: StoredJob, signal: NodeJS.Signals | number, target: SignalTarget, spoolDir: string): void {
    const pgid = Number(job.sup);
    if (!pgid) return;
    if (job.record.interactive) {
      // srun's own allocation: srun forwards signals to its tasks, as it does in Slurm
      try {
        process.kill(pgid, signal);
      } catch {
        // gone
      }
      return;
    }
    const kill = (pid: number) => {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    };
    if (target === 'all') return kill(-pgid);
    let batch = 0;
    try {
      batch = Number(readFileSync(`${endFile(spoolDir, job.record.jobId, job.run)}.child`, 'utf8').trim());
    } catch {
      return;
    }
    if (target === 'batch') return kill(batch);
    for (const { pid, args } of groupMembers(pgid)) if (pid !== pgid && pid !== batch && !isSrun(args)) kill(pid);
  }

  end(job: StoredJob): void {
    const pid = Number(job.sup);
    if (!pid) return;
    try {
      // srun's own allocation: srun ends its steps itself; a batch job: its supervisor (supervisor.sh on_term)
      process.kill(pid, 'SIGTERM');
    } catch {
      // gone
    }
  }

  cancelStep(step: StepRecord): void {
    if (!step.srun || step.srun.host !== hostname()) return;
    try {
      // srun's signal for "look at your step" (srun-step.ts): default-ignored, so nothing else minds it
      process.kill(step.srun.pid, 'SIGURG');
    } catch {
      // gone
    }
  }

  alive(job: StoredJob): boolean {
    const pid = Number(job.sup);
    return pid > 0 && pidAlive(pid);
  }
}

