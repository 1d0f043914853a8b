/**
 * The decision core on its own, as Nomad's scheduler harness tests it: real
 * Redis under a random cluster name (so a key prefix of its own), the real
 * controller and Lua scripts, a FakeDriver the test steers, and a clock the
 * test turns by hand. Controllers run passes only when asked, and can be
 * "killed" (dropped where they stand, lease and all). Jobs are submitted by the
 * real sbatch code, in-process. No job process ever runs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { loadCluster, type Cluster } from '../../src/cluster/load.js';
import { RedisBackend } from '../../src/client/redis-backend.js';
import type { IO } from '../../src/commands/io.js';
import { sbatch } from '../../src/commands/sbatch.js';
import { Controller } from '../../src/controller/controller.js';
import { IoredisRunner } from '../../src/store/ioredis-runner.js';
import { keysFor, type Keys } from '../../src/store/keys.js';
import { pastRun, requeueDelay } from '../../src/store/requeue.js';
import { Scripts } from '../../src/store/scripts.js';
import { fromFields, JOB_FIELDS } from '../../src/store/stored-job.js';
import type { StoredJob } from '../../src/job/job-run.js';
import type { LaunchData, LaunchQueue } from '../../src/controller/worker.js';
import { REDIS_URL } from './cluster.js';
import { FakeDriver } from './fake-driver.js';

const ROOT_CALLER = { uid: 0, any: true };

/** The start queue of one controller, held in memory: a killed controller's unstarted starts are lost with it. */
class HeldQueue {
  readonly waiting: LaunchData[] = [];
  constructor(readonly launch: (d: LaunchData) => Promise<void>) {}
  async add(d: LaunchData): Promise<void> {
    this.waiting.push(d);
  }
  async close(): Promise<void> {}
}

interface Running {
  controller: Controller;
  queue: HeldQueue;
  connections: Redis[];
}

export class Harness {
  readonly name = `h${process.pid}${Math.random().toString(36).slice(2, 8)}`;
  readonly keys: Keys = keysFor(this.name);
  readonly driver = new FakeDriver();
  readonly redis = new Redis(REDIS_URL);
  readonly scripts = new Scripts(new IoredisRunner(this.redis), this.keys);
  readonly dir = mkdtempSync(join(tmpdir(), 'flow-harness-'));
  readonly env: Record<string, string>;
  readonly cluster: Cluster;
  /** the manual clock, ms epoch (starts at the real time: job records carry real submit times) */
  ms = Date.now();
  readonly log: string[] = [];
  private current?: Running;
  private controllers = 0;

  constructor(conf: string) {
    const confPath = join(this.dir, 'slurm.conf');
    writeFileSync(confPath, conf.replace(/^ClusterName=.*$/m, `ClusterName=${this.name}`));
    this.env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/root',
      USER: process.env.USER ?? 'root',
      SLURM_CONF: confPath,
      FLOW_REDIS_URL: REDIS_URL,
      FLOW_STATE_DIR: join(this.dir, 'state'),
      FLOW_NO_AUTOSTART: '1',
    };
    const loaded = loadCluster(this.env);
    if (!loaded.ok) throw new Error(loaded.message);
    this.cluster = loaded.cluster;
    this.driver.useClock(() => this.now());
  }

  now(): number {
    return Math.floor(this.ms / 1000);
  }

  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }

  /** A new controller leads (the last one, if any, was killed or stopped). */
  async startController(): Promise<Controller> {
    const connections = [this.redis.duplicate(), this.redis.duplicate()];
    let queue!: HeldQueue;
    const controller = new Controller({
      cluster: this.cluster,
      redis: connections[0]!,
      subscriber: connections[1]!,
      keys: this.keys,
      scripts: new Scripts(new IoredisRunner(connections[0]!), this.keys),
      drivers: { local: this.driver },
      id: `harness-${++this.controllers}`,
      log: (line) => this.log.push(line),
      timeScale: 1,
      makeQueue: (launch) => (queue = new HeldQueue(launch)) as unknown as LaunchQueue,
      startedAt: this.ms,
      clock: () => this.ms,
      manual: true,
    });
    await controller.start();
    this.current = { controller, queue, connections };
    return controller;
  }

  /** kill -9: the controller stops where it stands; what it held only in memory is gone. */
  kill(): void {
    for (const c of this.current?.connections ?? []) c.disconnect();
    this.current = undefined;
  }

  /** The leading controller's subscriber stops listening: the wake messages that follow are lost. */
  deafen(): void {
    void this.current?.connections[1]?.unsubscribe();
  }

  /** One pass of the leading controller, then the starts it queued (a hung start is left hanging). */
  async pass(opts: { starts?: boolean } = {}): Promise<void> {
    const running = this.current;
    if (!running) throw new Error('no controller runs');
    await running.controller.pass();
    if (opts.starts === false) return;
    const starts = running.queue.waiting.splice(0);
    await Promise.all(starts.map((d) => Promise.race([running.queue.launch(d), new Promise((r) => setTimeout(r, 50))])));
  }

  /** A pass, `seconds` later. */
  async after(seconds: number): Promise<void> {
    this.advance(seconds);
    await this.pass();
  }

  /** sbatch, by the real command in-process; the job id. */
  async sbatch(args: string[], script = '#!/bin/sh\ntrue\n'): Promise<number> {
    const file = join(this.dir, `job${Math.random().toString(36).slice(2, 8)}.sh`);
    writeFileSync(file, script, { mode: 0o755 });
    const out: string[] = [];
    const err: string[] = [];
    const io: IO = {
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      readStdin: () => Buffer.alloc(0),
      env: this.env,
      cwd: this.dir,
      now: () => new Date(this.ms),
    };
    const code = await sbatch(['--parsable', '-o', '/dev/null', ...args, file], io, async (cluster, env) => new RedisBackend(env, cluster));
    if (code !== 0) throw new Error(`sbatch ${args.join(' ')}: exit ${code}: ${err.join('')}`);
    return Number(out.join('').trim());
  }

  async job(id: number): Promise<StoredJob> {
    const job = fromFields(await this.redis.hmget(this.keys.job(id), ...JOB_FIELDS));
    if (!job) throw new Error(`no job ${id}`);
    return job;
  }

  /** State, reason and exit code, as one string the tables compare: "COMPLETED None 0:0". */
  async shown(id: number): Promise<string> {
    const j = await this.job(id);
    return `${j.state} ${j.reason} ${j.exit}`;
  }

  cancel(id: number): Promise<number> {
    return this.scripts.cancel(id, ROOT_CALLER, this.now());
  }

  async requeue(id: number): Promise<number> {
    const job = await this.job(id);
    return this.scripts.requeue(id, this.now(), this.now() + requeueDelay(1), pastRun(job, this.now()), ROOT_CALLER);
  }

  signal(id: number, signal: number): Promise<number> {
    return this.scripts.signal(id, signal, true, false, ROOT_CALLER);
  }

  async close(): Promise<void> {
    this.kill();
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `flow:{${this.name}}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await this.redis.del(...keys);
    } while (cursor !== '0');
    this.redis.disconnect();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
