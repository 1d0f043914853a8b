/**
 * Operating it: `flow controller status|stop`, `flow controllers`, `flow
 * clean [--purge]`, and the minute length as a setting of the cluster, not of
 * the process that happens to start its controller.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { parseRedisUrl } from '../../src/client/resp.js';
import { redisLabel } from '../../src/store/connect.js';
import { clusterPaths } from '../../src/cluster/paths.js';
import { alive, ClusterSet, TestCluster } from '../helpers/cluster.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


const clusters = new ClusterSet();
afterAll(async () => {
  await clusters.destroy();
});
async function keysOf(c: TestCluster): Promise<string[]> {
  const redis = new Redis(c.redisUrl);
  try {
    return await redis.keys(`flow:{${c.name}}*`);
  } finally {
    redis.disconnect();
  }
}

describe('flow controller status|stop, flow controllers', () => {
  it('shows the controller (cluster, pid, host, Redis, log, lease age), lists it among others, stops it', async () => {
    const c = clusters.make();
    const other = clusters.make();
    expect(c.run('sbatch', ['--wait', '--wrap', 'true']).status).toBe(0);
    expect(other.run('sbatch', ['--wait', '--wrap', 'true']).status).toBe(0);
    const pid = await c.leader();
    const paths = clusterPaths(c.env, c.name);

    const status = c.run('flow', ['controller', 'status']);
    expect([status.status, status.stderr]).toEqual([0, '']);
    const [header, line, ...rest] = status.stdout.trimEnd().split('\n');
    expect(rest).toEqual([]);
    expect(header!.split(/\s+/)).toEqual(['CLUSTER', 'STATE', 'PID', 'HOST', 'LEASE', 'MINUTE', 'REDIS', 'LOG']);
    const cells = line!.split(/\s+/);
    expect(cells.slice(0, 4)).toEqual([c.name, 'leading', String(pid), hostname()]);
    expect(cells[4]).toMatch(/^\d+\.\ds$/);
    expect(cells.slice(5)).toEqual(['60s', redisLabel(parseRedisUrl(c.redisUrl)), paths.log]);
    expect(readFileSync(paths.log, 'utf8')).toContain(`leading cluster ${c.name}`);

    const json = JSON.parse(c.run('flow', ['controller', 'status', '--json']).stdout) as Record<string, unknown>[];
    expect(json).toEqual([expect.objectContaining({ cluster: c.name, state: 'leading', pid, host: hostname(), log: paths.log, spool: paths.spool })]);
    expect(json[0]!.leaseAgeMs).toBeLessThan(6000);

    const all = JSON.parse(c.run('flow', ['controllers', '--json']).stdout) as { cluster: string; pid: number }[];
    expect(all.filter((v) => v.cluster === c.name || v.cluster === other.name).map((v) => v.cluster).sort()).toEqual([c.name, other.name].sort());
    expect(c.run('flow', ['controllers']).stdout).toContain(`${c.name} `);

    const stop = c.run('flow', ['controller', 'stop']);
    expect([stop.status, stop.stdout, stop.stderr]).toEqual([0, `flow: stopped the controller of cluster ${c.name} (pid ${pid} on ${hostname()})\n`, '']);
    expect(alive(pid)).toBe(false);
    const none = c.run('flow', ['controller', 'status']);
    expect(none.status).toBe(1);
    expect(none.stdout.split('\n')[1]!.split(/\s+/).slice(0, 3)).toEqual([c.name, 'none', '-']);
    expect(c.run('flow', ['controller', 'stop']).stdout).toBe(`flow: no controller runs for cluster ${c.name}\n`);
    // the other cluster's controller is untouched
    expect(alive((await other.controllerPid())!)).toBe(true);
  });
});

describe('flow clean', () => {
  it('stops the controller and removes leftover run records, keeps those of running jobs; --purge forgets the cluster', async () => {
    const c = clusters.make();
    const job = c.submit(['--wrap', 'sleep 4']);
    await c.waitState(job, ['RUNNING']);
    const paths = clusterPaths(c.env, c.name);
    // what a crash in the middle of a run's clean-up leaves (its end record already collected): its directory, a pid file
    mkdirSync(join(paths.spool, 'job999.1'));
    writeFileSync(join(paths.spool, 'ends', '999.1.child'), '1\n');
    const pid = await c.leader();

    const refused = c.run('flow', ['clean', '--purge']);
    expect([refused.status, refused.stdout, refused.stderr]).toEqual([1, '', `flow: error: cluster ${c.name} has 1 running job; cancel it first (scancel)\n`]);
    expect(await c.controllerPid()).toBe(pid);

    const r = c.run('flow', ['clean']);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toBe(`flow: stopped the controller of cluster ${c.name} (pid ${pid} on ${hostname()})\nflow: removed 2 leftover run records from ${paths.spool}\n`);
    expect(existsSync(join(paths.spool, 'job999.1'))).toBe(false);
    expect(readdirSync(join(paths.spool, 'ends')).filter((n) => n.startsWith('999.'))).toEqual([]);
    expect(readdirSync(paths.spool)).toContain(`job${job}.1`); // the running job's

    // the running job is not lost: the next command brings a controller back
    expect((await c.waitState(job, ['COMPLETED'], 60_000)).get('ExitCode')).toBe('0:0');
    const purged = c.run('flow', ['clean', '--purge']);
    expect(purged.status).toBe(0);
    expect(purged.stdout).toMatch(new RegExp(`^flow: stopped the controller of cluster ${c.name} \\(pid \\d+ on .+\\)\\nflow: removed cluster ${c.name}: \\d+ keys from redis://[^ ]+, and ${paths.dir.replace(/[.]/g, '\\.')}\\n$`));
    expect(await keysOf(c)).toEqual([]);
    expect(existsSync(paths.dir)).toBe(false);
    // a fresh start: job ids from FirstJobId again
    expect(c.submit(['--wrap', 'true'])).toBe(1000);
  });
});

describe('the minute length belongs to the cluster', () => {
  it("is fixed by the cluster's first command and holds for a controller started later from an environment without it", async () => {
    const c = clusters.make();
    // the cluster's first command says a minute lasts 2 s
    expect(c.run('sbatch', ['--hold', '--wrap', 'true'], { env: { FLOW_MINUTE_SECONDS: '2' } }).status).toBe(0);
    const first = await c.leader();
    process.kill(first, 'SIGKILL');
    // from now on no command says so; the controller they start still counts 2 s a minute
    const id = c.submit(['-t', '1', '--wrap', 'sleep 100']);
    const j = await c.waitState(id, ['TIMEOUT'], 30_000);
    expect(j.get('TimeLimit')).toBe('00:01:00');
    expect(c.run('flow', ['controller', 'status']).stdout.split('\n')[1]!.split(/\s+/)[5]).toBe('2s');
  });

  it('and a later command cannot change it', async () => {
    const c = clusters.make();
    expect(c.run('sbatch', ['--hold', '--wrap', 'true']).status).toBe(0);
    const id = c.submit(['-t', '1', '--wrap', 'sleep 100'], { env: { FLOW_MINUTE_SECONDS: '2' } });
    await c.waitState(id, ['RUNNING']);
    await sleep(5000);
    expect(c.job(id).get('JobState')).toBe('RUNNING');
    expect(c.run('scancel', [String(id)]).status).toBe(0);
  });
});
