/**
 * Redis faults are survived: kill -9 of the Redis a cluster lives in, an
 * outage of a few seconds, a restart that answers LOADING while it reads its
 * append-only file back. Every command run during the outage and after it
 * either succeeds, or (with a limit shorter than the outage) fails with one
 * line after its limit; every job accepted before the outage ends as it
 * should, the controller resubscribes and reads everything again.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { serverEnv } from '../../src/store/connect.js';
import { SMALL_CONF, TestCluster, type RunResult } from '../helpers/cluster.js';
import { freePort } from '../helpers/ports.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


/** A private redis-server with an append-only file, as a deployment runs one. */
class PrivateRedis {
  readonly dir = mkdtempSync(join(tmpdir(), 'flow-redis-'));
  constructor(readonly port: number) {}

  start(extra: string[] = []): void {
    const r = spawnSync('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes',
      '--appendfsync', 'everysec', '--save', '', '--daemonize', 'yes', '--pidfile', join(this.dir, 'redis.pid'),
      '--logfile', join(this.dir, 'redis.log'), ...extra], { env: serverEnv(process.env) });
    if (r.status !== 0) throw new Error(`redis-server did not start: ${r.stderr}`);
  }

  pid(): number {
    return Number(readFileSync(join(this.dir, 'redis.pid'), 'utf8'));
  }

  kill9(): void {
    const pid = this.pid();
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && spawnSync('kill', ['-0', String(pid)]).status === 0; i++) spawnSync('sleep', ['0.05']);
  }

  stop(): void {
    spawnSync('redis-cli', ['-p', String(this.port), 'shutdown', 'nosave']);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const timed = async (p: Promise<RunResult>): Promise<RunResult & { ms: number }> => {
  const began = Date.now();
  const r = await p;
  return { ...r, ms: Date.now() - began };
};

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const f of cleanups.reverse()) await f();
});

describe('Redis faults', () => {
  it('kill -9 of Redis, an outage, a restart that answers LOADING: commands wait or fail in one line, every job ends', async () => {
    const redis = new PrivateRedis(await freePort());
    redis.start();
    cleanups.push(() => redis.stop());
    const url = `redis://127.0.0.1:${redis.port}/0`;
    const c = new TestCluster({ confText: SMALL_CONF, redisUrl: url });
    cleanups.push(() => c.destroy());
    // enough data that reading it back takes a while (LOADING)
    const fill = new Redis(url);
    await fill.eval("for i = 1, 20000 do redis.call('SET', 'filler:' .. i, 'x') end return 1", 0);
    fill.disconnect();

    const running = c.submit(['-o', 'run.out', '--wrap', 'sleep 3; echo ran']);
    const after = c.submit(['--dependency', `afterok:${running}`, '-o', 'after.out', '--wrap', 'echo after']);
    const array = c.submit(['--array=0-2', '--dependency', `afterok:${running}`, '-o', 'arr-%a.out', '--wrap', 'echo task']);
    await c.waitState(running, ['RUNNING']);
    await sleep(1500); // the append-only file has everything (fsync each second)

    redis.kill9();
    const during = [
      timed(c.runAsync('sbatch', ['--parsable', '-o', 'during.out', '--wrap', 'echo during'])),
      timed(c.runAsync('squeue', ['-h', '-t', 'all', '-j', String(after), '-o', '%i %T'])),
      timed(c.runAsync('scontrol', ['show', 'job', String(after)])),
      timed(c.runAsync('sinfo', ['-h', '-o', '%P %D'])),
    ];
    // a limit shorter than the outage: it gives up, in one line
    const impatient = timed(c.runAsync('squeue', ['-h'], { env: { FLOW_REDIS_TIMEOUT: '2' } }));
    await sleep(4500); // the running job ends meanwhile; its end waits in the spool

    // back, reading its file slowly: LOADING for a few seconds
    redis.start(['--key-load-delay', '100', '--loading-process-events-interval-bytes', '1024']);
    const loading = [
      timed(c.runAsync('squeue', ['-h', '-j', String(running), '-o', '%i'])),
      timed(c.runAsync('sbatch', ['--parsable', '-o', 'loading.out', '--wrap', 'echo loading'])),
    ];

    const gaveUp = await impatient;
    expect(gaveUp.status).toBe(1);
    expect(gaveUp.stdout).toBe('');
    expect(gaveUp.stderr).toMatch(new RegExp(`^squeue: error: cannot reach Redis at redis://127\\.0\\.0\\.1:${redis.port}/0 \\(gave up after 2 s: [^\\n]+\\)\\n$`));
    expect(gaveUp.ms).toBeGreaterThanOrEqual(2000);
    expect(gaveUp.ms).toBeLessThan(2000 + 5000);

    const [submitted, listed, shown, nodes] = await Promise.all(during);
    for (const r of [submitted!, listed!, shown!, nodes!]) {
      expect([r.status, r.stderr]).toEqual([0, '']);
      expect(r.ms).toBeLessThan(30_000); // the stated limit (FLOW_REDIS_TIMEOUT, default 30 s) counts from the first failure
    }
    // answered once Redis was back: by then the first job may have ended and the next started
    expect(listed!.stdout).toMatch(new RegExp(`^${after} (PENDING|RUNNING|COMPLETED)\n$`));
    expect(shown!.stdout).toContain(`JobId=${after} `);
    expect(nodes!.stdout).toBe('main* 3\n');
    const [seen, submittedLoading] = await Promise.all(loading);
    for (const r of [seen!, submittedLoading!]) expect([r.status, r.stderr]).toEqual([0, '']);

    // every job, accepted before, during and after the outage, reaches its final state
    const ids = [running, after, Number(submitted!.stdout), Number(submittedLoading!.stdout)];
    for (const id of ids) expect((await c.waitState(id, ['COMPLETED'], 60_000)).get('ExitCode')).toBe('0:0');
    await c.waitFor('the array to complete', () => {
      const q = c.run('squeue', ['-h', '-r', '-t', 'all', '-j', String(array), '-o', '%T']);
      return q.stdout === 'COMPLETED\nCOMPLETED\nCOMPLETED\n' || undefined;
    }, 60_000);
    expect(readFileSync(join(c.dir, 'run.out'), 'utf8')).toBe('ran\n');
    for (const [file, text] of [['after.out', 'after'], ['during.out', 'during'], ['loading.out', 'loading'], ['arr-0.out', 'task']]) {
      expect(readFileSync(join(c.dir, file!), 'utf8')).toBe(`${text}\n`);
    }
  });

  it('kill -9 of our own redis-server: the next command starts it again from its file, nothing is lost', async () => {
    // no FLOW_REDIS_URL: flow-slurm's own redis-server under the state directory
    const c = new TestCluster({ confText: SMALL_CONF, extraEnv: { FLOW_REDIS_URL: '' } });
    const own = join(c.env.FLOW_STATE_DIR!, 'redis');
    cleanups.push(() => c.destroyWithOwnRedis());
    const running = c.submit(['-o', 'run.out', '--wrap', 'sleep 8; echo ran; exit 5']);
    const waiting = c.submit(['--dependency', `afterany:${running}`, '-o', 'wait.out', '--wrap', 'echo waited']);
    await c.waitState(running, ['RUNNING']);
    await sleep(1500);
    const first = Number(readFileSync(join(own, 'redis.pid'), 'utf8'));
    process.kill(first, 'SIGKILL');
    // commands right away: several of them at once must not start two servers on one socket
    const now = await Promise.all([0, 1, 2].map(() => c.runAsync('squeue', ['-h', '-j', String(waiting), '-o', '%T'])));
    for (const r of now) expect([r.status, r.stdout, r.stderr]).toEqual([0, 'PENDING\n', '']);
    const servers = spawnSync('pgrep', ['-f', `redis-server unixsocket:${join(own, 'redis.sock')}`], { encoding: 'utf8' }).stdout.trim().split('\n');
    expect(servers).toHaveLength(1);
    expect(Number(servers[0])).not.toBe(first);
    expect((await c.waitState(running, ['FAILED'], 60_000)).get('ExitCode')).toBe('5:0');
    expect((await c.waitState(waiting, ['COMPLETED'], 60_000)).get('ExitCode')).toBe('0:0');
    expect(readFileSync(join(c.dir, 'run.out'), 'utf8')).toBe('ran\n');
    expect(readFileSync(join(c.dir, 'wait.out'), 'utf8')).toBe('waited\n');
  });
});
