/**
 * Benchmarks that need a controller: a private cluster (own name, so its keys
 * are its own) on the Redis the tests use, torn down afterwards.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { loadCluster, type Cluster } from '../src/cluster/load.js';
import { RedisBackend } from '../src/client/redis-backend.js';
import { prepareSubmission } from '../src/submit/prepare.js';
import { IoredisRunner } from '../src/store/ioredis-runner.js';
import { keysFor } from '../src/store/keys.js';
import { Scripts } from '../src/store/scripts.js';

export const REDIS_URL = process.env.FLOW_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/7';

export class BenchCluster {
  readonly name = `bench${process.pid}`;
  readonly dir = mkdtempSync(join(tmpdir(), 'flow-bench-'));
  readonly env: Record<string, string>;
  readonly cluster: Cluster;

  /** accounting: the golden cluster's slurm.conf (slurmdbd accounting, which sacct needs) instead of the oracle's */
  constructor(root: string, opts: { accounting?: boolean } = {}) {
    const conf = join(this.dir, 'slurm.conf');
    const text = readFileSync(join(root, 'fixtures', opts.accounting ? 'golden' : 'oracle', 'slurm.conf'), 'utf8');
    writeFileSync(conf, `${text.replace(/^ClusterName=.*$/m, `ClusterName=${this.name}`)}\nFirstJobId=1000\n`);
    this.env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/root',
      SLURM_CONF: conf,
      FLOW_REDIS_URL: REDIS_URL,
      FLOW_STATE_DIR: join(this.dir, 'state'),
    };
    const loaded = loadCluster(this.env);
    if (!loaded.ok) throw new Error(loaded.message);
    this.cluster = loaded.cluster;
  }

  /**
   * Submit jobs in this process through the same code path sbatch uses (without its process start);
   * controller: false starts none (the jobs stay pending until one runs).
   */
  async submitMany(count: number, argv: (i: number) => string[], opts: { controller?: boolean } = {}): Promise<number[]> {
    const backend = new RedisBackend(opts.controller === false ? { ...this.env, FLOW_NO_AUTOSTART: '1' } : this.env, this.cluster);
    const identity = { userId: process.getuid?.() ?? 0, userName: process.env.USER ?? 'root', groupId: 0, groupName: 'root', submitHost: 'localhost' };
    const ids: number[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const p = prepareSubmission({ argv: argv(i), env: this.env, cwd: this.dir, now: new Date(), readStdin: () => Buffer.alloc(0) }, this.cluster.config, identity, 0);
        if (p.kind !== 'job') throw new Error(`submission ${i} failed: ${JSON.stringify(p)}`);
        const jobId = await backend.nextJobId(this.cluster.config);
        await backend.submit(this.cluster, { ...p.job, jobId }, p.parsed, { env: this.env });
        ids.push(jobId);
      }
    } finally {
      await backend.close();
    }
    return ids;
  }

  /**
   * Run pending jobs to COMPLETED through the controller's own scripts (allocate,
   * then finish), as the scheduler and the supervisor would, without processes.
   */
  async completeAll(ids: number[]): Promise<void> {
    const redis = new Redis(REDIS_URL);
    const scripts = new Scripts(new IoredisRunner(redis), keysFor(this.name));
    const alloc = JSON.stringify([{ node: 'gpu1', cpus: 1, memMb: 1024, gpus: [] }]);
    try {
      for (let i = 0; i < ids.length; i += 500) {
        const start = Math.floor(Date.now() / 1000);
        await Promise.all(ids.slice(i, i + 500).map(async (id) => {
          const run = await scripts.allocate(id, 'gpu1', alloc, 'gpu1', start, 1, 1);
          if (run < 0 || (await scripts.finish(id, run, 'COMPLETED', 'None', '0:0', start)) !== 1) throw new Error(`job ${id} did not complete`);
        }));
      }
    } finally {
      redis.disconnect();
    }
  }

  run(cmd: string, args: string[], root: string): string {
    const r = spawnSync(join(root, 'bin', cmd), args, { env: this.env, encoding: 'utf8', cwd: this.dir });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  async destroy(): Promise<void> {
    // FLOW_BENCH_KEEP=1 leaves the cluster up for profiling a command against it
    if (process.env.FLOW_BENCH_KEEP) {
      console.log(`kept: ${Object.entries(this.env).filter(([k]) => k !== 'PATH' && k !== 'HOME').map(([k, v]) => `${k}=${v}`).join(' ')}`);
      return;
    }
    const redis = new Redis(REDIS_URL);
    try {
      const holder = await redis.get(`flow:{${this.name}}:controller`);
      if (holder) {
        try {
          process.kill(Number(holder.split(':')[1]), 'SIGTERM');
        } catch {
          // gone
        }
      }
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `flow:{${this.name}}*`, 'COUNT', 5000);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
