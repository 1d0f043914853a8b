/**
 * The controller always comes back: after kill -9 (anywhere: idle, while a
 * job runs, while an array is split, half-way through a launch), a command
 * that needs a controller starts another, sbatch --wait never waits on a dead
 * one, a standby takes over, and no job is lost or run twice. Kills at an
 * exact point use FLOW_CRASH_AT (the controller SIGKILLs itself there, as
 * kill -9 would); the others are kill -9 from outside.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { LEASE_MS } from '../../src/store/holder.js';
import { clusterPaths } from '../../src/cluster/paths.js';
import { alive, ClusterSet, TestCluster } from '../helpers/cluster.js';
import { ROOT } from '../helpers/oracle.js';


const clusters = new ClusterSet();
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children) child.kill('SIGTERM');
  await clusters.destroy();
});



/** A job script that notes each start of it (job id, array task) in starts.log, then sleeps. */
function noting(c: TestCluster, seconds: number): { script: string; starts: () => string[] } {
  const log = join(c.dir, 'starts.log');
  const script = join(c.dir, 'noting.sh');
  writeFileSync(script, `#!/bin/sh\necho "$SLURM_JOB_ID\${SLURM_ARRAY_TASK_ID:+ $SLURM_ARRAY_TASK_ID}" >> ${log}\nsleep ${seconds}\n`);
  return { script, starts: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).sort() : []) };
}

async function killController(c: TestCluster): Promise<number> {
  const pid = await c.controllerPid();
  expect(pid).toBeGreaterThan(0);
  process.kill(pid!, 'SIGKILL');
  await c.waitFor('the controller to die', () => !alive(pid!));
  return pid!;
}

/** States of every job, array tasks included, finished ones too (MinJobAge keeps them listed). */
function states(c: TestCluster): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of c.run('squeue', ['-h', '-r', '-t', 'all', '-o', '%i %T']).stdout.trim().split('\n').filter(Boolean)) {
    const [id, state] = line.split(' ');
    out.set(id!, state!);
  }
  return out;
}

describe('the controller comes back', () => {
  it(`after kill -9, sbatch --wait --wrap true completes within the lease (${LEASE_MS / 1000} s) plus 3 s`, async () => {
    const c = clusters.make();
    expect(c.run('sbatch', ['--wait', '--wrap', 'true']).status).toBe(0);
    const dead = await killController(c);
    const began = Date.now();
    const r = await c.runAsync('sbatch', ['--wait', '--wrap', 'true']);
    const took = Date.now() - began;
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^Submitted batch job \d+\n$/);
    expect(took).toBeLessThan(LEASE_MS + 3000);
    const now = await c.controllerPid();
    expect(now).toBeGreaterThan(0);
    expect(now).not.toBe(dead);
  });

  it('waits no longer than the lease for a holder it cannot see (another host), then starts a controller', async () => {
    const c = clusters.make();
    const redis = new Redis(c.redisUrl);
    try {
      // a lease as a controller on another machine holds it, just renewed; that machine then went silent
      await redis.set(`flow:{${c.name}}:controller`, 'elsewhere.example:4242:0:0:abcdef', 'PX', LEASE_MS);
    } finally {
      redis.disconnect();
    }
    const began = Date.now();
    const r = await c.runAsync('sbatch', ['--wait', '--wrap', 'true']);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(Date.now() - began).toBeLessThan(LEASE_MS + 3000);
    expect(alive((await c.controllerPid())!)).toBe(true);
  });

  it('a standby controller takes over from a leader killed with -9, with no command running', async () => {
    const c = clusters.make();
    c.startController();
    const first = await c.leader();
    const standby = spawn(join(ROOT, 'bin', 'flow'), ['controller'], { env: c.env, stdio: 'ignore' });
    children.push(standby);
    await new Promise((r) => setTimeout(r, 1500)); // it is waiting for the lease
    expect(await c.controllerPid()).toBe(first);
    process.kill(first, 'SIGKILL');
    const began = Date.now();
    for (;;) {
      if ((await c.controllerPid()) === standby.pid) break;
      expect(Date.now() - began).toBeLessThan(LEASE_MS + 3000);
      await new Promise((r) => setTimeout(r, 100));
    }
    // and it runs jobs
    expect(c.run('sbatch', ['--wait', '--wrap', 'true']).status).toBe(0);
    expect(await c.controllerPid()).toBe(standby.pid);
  });

  // the wait for an allocation of one's own (allocation.ts, shared by srun and salloc) checks liveness too
  for (const [cmd, pending] of [['salloc', /salloc: Pending job allocation \d+/], ['srun', /srun: job \d+ queued and waiting for resources/]] as const) {
    it(`${cmd} waiting for its allocation when the controller is killed: a new one is started and grants it`, async () => {
      const c = clusters.make();
      const holder = c.submit(['--exclusive', '-N3', '-o', '/dev/null', '--wrap', 'sleep 3']);
      await c.waitState(holder, ['RUNNING']);
      const child = spawn(join(ROOT, 'bin', cmd), ['-N1', 'true'], { cwd: c.dir, env: c.env, stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      let stderr = '';
      child.stderr!.on('data', (b) => (stderr += b));
      const exit = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
      await c.waitFor(`${cmd} to wait`, () => pending.test(stderr));
      const dead = await killController(c);
      // nothing else runs a command now: only the waiting command can bring a controller back for the holder's end
      expect(await exit).toBe(0);
      expect(stderr).toMatch(cmd === 'salloc' ? /salloc: Granted job allocation \d+\n/ : /srun: job \d+ has been allocated resources\n/);
      const now = await c.controllerPid();
      expect(now).toBeGreaterThan(0);
      expect(now).not.toBe(dead);
      expect(states(c).get(String(holder))).toBe('COMPLETED');
    });
  }

  it('kill -9 while jobs run and wait: every job ends as it should, each started once', async () => {
    const c = clusters.make();
    const { script, starts } = noting(c, 3);
    const ids = [0, 1, 2, 3].map(() => c.submit(['--exclusive', script]));
    await c.waitFor('three running', () => [...states(c).values()].filter((s) => s === 'RUNNING').length === 3);
    await killController(c);
    expect(c.run('sbatch', ['--wait', '--wrap', 'true']).status).toBe(0);
    for (const id of ids) await c.waitState(id, ['COMPLETED'], 60_000);
    expect(starts()).toEqual(ids.map((id) => `${id}`).sort());
  });

  it('a job cancelled while no controller listened is cancelled by the next one', async () => {
    const c = clusters.make();
    const id = c.submit(['-o', 'job.out', '--wrap', 'echo started; sleep 100']);
    await c.waitFor('the job to run', () => existsSync(join(c.dir, 'job.out')) && readFileSync(join(c.dir, 'job.out'), 'utf8') === 'started\n');
    await killController(c);
    // the cancel message finds no one (and this scancel starts no controller)
    expect(c.run('scancel', [String(id)], { env: { FLOW_NO_AUTOSTART: '1' } }).status).toBe(0);
    await new Promise((r) => setTimeout(r, 2000));
    // marked, but nobody stops it
    expect(c.run('squeue', ['-h', '-j', String(id), '-o', '%T'], { env: { FLOW_NO_AUTOSTART: '1' } }).stdout).toBe('COMPLETING\n');
    const j = await c.waitState(id, ['CANCELLED'], 30_000); // this command brings a controller back
    expect(j.get('ExitCode')).toBe('0:15');
    expect(readFileSync(join(c.dir, 'job.out'), 'utf8').match(/CANCELLED AT/g)).toHaveLength(1);
  });

  it('kill -9 again and again while an array is split and its tasks run: every task runs once and completes', async () => {
    const c = clusters.make();
    const { script, starts } = noting(c, 0.3);
    const arrayId = c.submit(['--array=0-39%4', script]);
    for (let kill = 0; kill < 3; kill++) {
      await c.waitFor('some tasks done', () => starts().length >= 10 * (kill + 1), 60_000);
      await killController(c);
      // any command brings it back
      expect(c.run('squeue', ['-h', '-j', String(arrayId)]).status).toBe(0);
    }
    await c.waitFor('every task done', () => {
      const s = states(c);
      return s.size === 40 && [...s.values()].every((st) => st === 'COMPLETED');
    }, 90_000);
    const tasks = starts().map((l) => Number(l.split(' ')[1])).sort((a, b) => a - b);
    expect(tasks).toEqual([...Array(40).keys()]);
  });

  // a served sbatch (src/served): its controller claimed it, submitted the job and died before answering
  for (const client of ['c', 'node']) {
    it(`kill -9 between a served submission and its answer: sbatch prints that job, and there is no other (${client} client)`, async () => {
      const c = clusters.make({ extraEnv: { FLOW_CLIENT: client } });
      const crashing = c.startController({ FLOW_CRASH_AT: 'served-submitted' });
      expect(await c.leader()).toBe(crashing);
      await c.waitFor('the controller answering', () => c.run('squeue', ['-h'], { env: { FLOW_SERVED: 'only' } }).status === 0);
      const r = c.run('sbatch', ['--parsable', '-J', 'once', '-o', '/dev/null', '--wrap', 'true']);
      expect([r.status, r.stderr]).toEqual([0, '']);
      expect(r.stdout).toMatch(/^\d+\n$/);
      expect(alive(crashing)).toBe(false);
      const named = c.run('squeue', ['-h', '-t', 'all', '-n', 'once', '-o', '%i']).stdout;
      expect(named).toBe(r.stdout);
      await c.waitState(Number(r.stdout), ['COMPLETED']);
    });
  }

  // each point lies between two steps of the controller's work; the controller dies exactly there
  for (const point of ['after-split', 'after-allocate', 'launch-claimed', 'launch-spawned'] as const) {
    it(`kill -9 at ${point}: the job still runs, once, and completes`, async () => {
      const c = clusters.make();
      const crashing = c.startController({ FLOW_CRASH_AT: point });
      expect(await c.leader()).toBe(crashing);
      const { script, starts } = noting(c, 0);
      const id = c.submit(point === 'after-split' ? ['--array=0-2', script] : [script]);
      await c.waitFor(`the controller to die at ${point}`, () => !alive(crashing));
      // the next command that waits brings a controller back, which finishes what the dead one began
      expect(c.run('sbatch', ['--wait', '--wrap', 'true']).status).toBe(0);
      await c.waitFor('every job done', () => {
        const s = states(c);
        return s.size === (point === 'after-split' ? 4 : 2) && [...s.values()].every((st) => st === 'COMPLETED');
      }, 60_000);
      if (point === 'after-split') expect(starts().map((l) => l.split(' ')[1]).sort()).toEqual(['0', '1', '2']);
      else expect(starts()).toEqual([`${id}`]);
      const log = readFileSync(clusterPaths(c.env, c.name).log, 'utf8');
      expect(log).toContain(`FLOW_CRASH_AT=${point}: killing this controller`);
      // a launch the dead controller began or owed is made again by its successor
      if (point === 'after-allocate' || point === 'launch-claimed') expect(log).toContain('launch interrupted; launching again');
    });
  }
});
