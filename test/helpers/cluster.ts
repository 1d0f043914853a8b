/**
 * A private cluster for one test file: its own cluster name (so its Redis keys
 * are its own), slurm.conf, state directory and controller, all torn down after.
 * Commands run as real processes through bin/, against real Redis.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { FIXTURES, ROOT } from './oracle.js';
import { spawnAsync } from './spawn.js';

export const REDIS_URL = process.env.FLOW_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/7';

/**
 * The time zone and clock the tests run under reach the commands too: CI runs the suite again
 * under another zone and a shifted clock (libfaketime, whose settings travel in the environment),
 * and the command tests again with the other client of the served commands (FLOW_CLIENT=node).
 */
export function clockEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined && (k === 'TZ' || k === 'FLOW_CLIENT' || k.startsWith('FAKETIME') || (k === 'LD_PRELOAD' && v.includes('faketime')))) out[k] = v;
  }
  return out;
}

/** A process of this pid runs (one that exited but was not reaped, a zombie, does not). */
export { pidAlive as alive } from '../../src/store/holder.js';

/** Three 4-CPU nodes in one partition: for tests of the controller's life, not of Slurm's output. */
export const SMALL_CONF = `ClusterName=x
DefMemPerCPU=1024
MinJobAge=300
NodeName=n[1-3] CPUs=4 RealMemory=8000 State=UNKNOWN
PartitionName=main Nodes=n[1-3] Default=YES MaxTime=INFINITE State=UP
`;

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** The same Redis server as REDIS_URL, another database. */
export function redisDb(db: number): string {
  const u = new URL(REDIS_URL);
  u.pathname = `/${db}`;
  return u.toString();
}

/**
 * SIGTERM to a controller named by a lease: only if that pid still is a controller. A lease can
 * outlive its holder, and pids come round again fast (pid_max is often 32768): a bare kill could
 * hit another test's process.
 */
export function killController(pid: number, signal: NodeJS.Signals = 'SIGTERM'): void {
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return; // gone (or no /proc: then leave it, its lease runs out)
  }
  if (!cmdline.includes('controller')) return;
  try {
    process.kill(pid, signal);
  } catch {
    // gone meanwhile
  }
}

export class TestCluster {
  readonly name: string;
  readonly dir: string;
  readonly conf: string;
  readonly env: Record<string, string>;
  /** the Redis this cluster lives in */
  readonly redisUrl: string;

  /**
   * firstJobId: default 1000 (a replay of a recording keeps its ids' widths with another);
   * name, redisUrl and stateDir: for clusters that share a name or a state directory on purpose
   */
  constructor(opts: { confText?: string; extraEnv?: Record<string, string>; firstJobId?: number; name?: string; redisUrl?: string; stateDir?: string } = {}) {
    this.name = opts.name ?? `t${process.pid}${Math.random().toString(36).slice(2, 8)}`;
    this.redisUrl = opts.redisUrl ?? REDIS_URL;
    this.dir = mkdtempSync(join(tmpdir(), 'flow-test-'));
    this.conf = join(this.dir, 'slurm.conf');
    const base = opts.confText ?? readFileSync(join(FIXTURES, 'oracle', 'slurm.conf'), 'utf8');
    // job ids start high enough never to be mistaken for node numbers or other small values
    writeFileSync(this.conf, `${base.replace(/^ClusterName=.*$/m, `ClusterName=${this.name}`)}\nFirstJobId=${opts.firstJobId ?? 1000}\n`);
    this.env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/root',
      USER: process.env.USER ?? 'root',
      ...clockEnv(),
      SLURM_CONF: this.conf,
      FLOW_REDIS_URL: this.redisUrl,
      FLOW_STATE_DIR: opts.stateDir ?? join(this.dir, 'state'),
      ...opts.extraEnv,
    };
  }

  run(cmd: string, args: string[], opts: { cwd?: string; input?: string | Buffer; env?: Record<string, string> } = {}): RunResult {
    const r = spawnSync(join(ROOT, 'bin', cmd), args, {
      cwd: opts.cwd ?? this.dir,
      env: { ...this.env, ...opts.env },
      input: opts.input,
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  /** run() without blocking the event loop (for tests that overlap). */
  runAsync(cmd: string, args: string[], opts: { cwd?: string; input?: string | Buffer; env?: Record<string, string> } = {}): Promise<RunResult> {
    return spawnAsync(join(ROOT, 'bin', cmd), args, { cwd: opts.cwd ?? this.dir, env: { ...this.env, ...opts.env }, input: opts.input, timeout: 60_000 });
  }

  /** sbatch --parsable; returns the job id (fails the test otherwise). */
  submit(args: string[], opts: { cwd?: string; input?: string; env?: Record<string, string> } = {}): number {
    const r = this.run('sbatch', ['--parsable', ...args], opts);
    if (r.status !== 0 || !/^\d+\n$/.test(r.stdout)) throw new Error(`sbatch failed (${r.status}): ${r.stdout}${r.stderr}`);
    return Number(r.stdout.trim());
  }

  /** scontrol show job -o, as fields. */
  job(id: number | string): Map<string, string> {
    const r = this.run('scontrol', ['show', 'job', '-o', String(id)]);
    const out = new Map<string, string>();
    for (const part of r.stdout.trim().split(/ (?=[A-Za-z][A-Za-z0-9_/:]*=)/)) {
      const eq = part.indexOf('=');
      if (eq > 0) out.set(part.slice(0, eq), part.slice(eq + 1));
    }
    return out;
  }

  async waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = probe();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async waitState(id: number | string, states: string[], timeoutMs = 30_000): Promise<Map<string, string>> {
    return this.waitFor(`job ${id} in ${states.join('/')}`, () => {
      const j = this.job(id);
      return states.includes(j.get('JobState') ?? '') ? j : undefined;
    }, timeoutMs);
  }

  /** Start a controller in the background (commands also start one on demand). */
  startController(env: Record<string, string> = {}): number {
    const child = spawn(join(ROOT, 'bin', 'flow'), ['controller', '--daemon'], { env: { ...this.env, ...env }, detached: true, stdio: 'ignore' });
    child.unref();
    return child.pid!;
  }

  /** The leading controller's pid, once one leads (within 30 s). */
  async leader(): Promise<number> {
    for (let i = 0; i < 300; i++) {
      const pid = await this.controllerPid();
      if (pid) return pid;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no controller leads cluster ${this.name}`);
  }

  async controllerPid(): Promise<number | undefined> {
    const redis = new Redis(this.redisUrl);
    try {
      const v = await redis.get(`flow:{${this.name}}:controller`);
      return v ? Number(v.split(':')[1]) : undefined;
    } finally {
      redis.disconnect();
    }
  }

  /**
   * For a cluster on our own redis-server (FLOW_REDIS_URL empty): stop its controller and that
   * server, and remove the cluster's directory.
   */
  async destroyWithOwnRedis(): Promise<void> {
    const redis = new Redis({ path: join(this.env.FLOW_STATE_DIR!, 'redis', 'redis.sock'), lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await redis.connect();
      const holder = await redis.get(`flow:{${this.name}}:controller`);
      // at once: a controller given time to stop would start its redis-server again while it reconnects
      if (holder) killController(Number(holder.split(':')[1]), 'SIGKILL');
      await redis.shutdown('NOSAVE').catch(() => undefined);
    } catch {
      // already gone
    } finally {
      redis.disconnect();
    }
    // a controller still reconnecting may have started the server again meanwhile: none is left behind
    const sock = join(this.env.FLOW_STATE_DIR!, 'redis', 'redis.sock');
    for (let i = 0; i < 20; i++) {
      const left = spawnSync('pgrep', ['-f', `redis-server unixsocket:${sock}`], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).map(Number);
      if (left.length === 0 && i >= 5) break;
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  async destroy(): Promise<void> {
    // jobs still running end now (their supervisors would otherwise write into the spool as we remove it)
    if (await this.controllerPid()) this.run('scancel', ['-u', this.env.USER ?? 'root'], { env: { FLOW_NO_AUTOSTART: '1' } });
    const pid = await this.controllerPid();
    if (pid) killController(pid);
    const redis = new Redis(this.redisUrl);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `flow:{${this.name}}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
    // a job still running may have its supervisor write into the spool meanwhile: retry
    for (let attempt = 0; ; attempt++) {
      try {
        rmSync(this.dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
        break;
      } catch (e) {
        // a temporary directory left behind must not fail the tests it served
        if (attempt === 3) {
          process.stderr.write(`test cluster ${this.name}: could not remove ${this.dir}: ${(e as Error).message}\n`);
          break;
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }
}

/** The clusters of one test file (each test makes its own), destroyed together in afterAll. */
export class ClusterSet {
  private readonly made: TestCluster[] = [];

  make(opts: ConstructorParameters<typeof TestCluster>[0] = {}): TestCluster {
    const c = new TestCluster({ confText: SMALL_CONF, ...opts });
    this.made.push(c);
    return c;
  }

  async destroy(): Promise<void> {
    await Promise.all(this.made.map((c) => c.destroy()));
  }
}
