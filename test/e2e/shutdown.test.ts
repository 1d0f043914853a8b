/**
 * `scontrol shutdown`: it stops the controller (and a standby started before
 * it), as real Slurm's stops slurmctld; running jobs go on, and the next
 * command brings a controller back. What it prints and exits with, in every
 * case, is real Slurm 22.05.8's (fixtures/oracle/shutdown, recorded on the
 * private golden cluster by scripts/record-golden-shutdown.sh).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alive, ClusterSet, TestCluster } from '../helpers/cluster.js';
import { FIXTURES, ROOT } from '../helpers/oracle.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Recorded { args: string[]; exit: number; stdout: string; stderr: string; after: { 'daemons running': string[] } }
const fixture = (name: string) => join(FIXTURES, 'oracle', 'shutdown', `${name}.json`);
const recorded = (name: string): Recorded => JSON.parse(readFileSync(fixture(name), 'utf8')) as Recorded;

const clusters = new ClusterSet();
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children) child.kill('SIGTERM');
  await clusters.destroy();
});

/** scontrol as the ordinary user nobody (the test runs as root), or undefined when it cannot. */
function asOrdinaryUser(c: TestCluster, args: string[]): { status: number | null; stdout: string; stderr: string } | undefined {
  if (process.getuid?.() !== 0 || spawnSync('id', ['-u', 'nobody']).status !== 0) return undefined;
  chmodSync(c.dir, 0o755); // its slurm.conf
  return spawnSync('runuser', ['-u', 'nobody', '--', join(ROOT, 'bin', 'scontrol'), ...args], {
    env: { ...c.env, HOME: '/tmp', USER: 'nobody', FLOW_STATE_DIR: join('/tmp', `flow-nobody-${c.name}`) }, encoding: 'utf8', cwd: '/tmp',
  });
}

describe('scontrol shutdown', () => {
  it('stops the controller at once; running jobs go on, and the next command brings a controller back', async () => {
    const c = clusters.make();
    const job = c.submit(['-o', 'job.out', '--wrap', 'sleep 3; echo done']);
    await c.waitState(job, ['RUNNING']);
    const pid = await c.leader();
    const all = recorded('all');
    expect(all.after['daemons running']).toEqual([]);
    const r = c.run('scontrol', all.args.slice(1));
    expect([r.status, r.stdout, r.stderr]).toEqual([all.exit, all.stdout, all.stderr]);
    expect(alive(pid)).toBe(false);
    expect(await c.controllerPid()).toBeUndefined();
    // with none running, what scontrol says when slurmctld is down
    const down = recorded('down');
    const again = c.run('scontrol', down.args.slice(1));
    expect([again.status, again.stdout, again.stderr]).toEqual([down.exit, down.stdout, down.stderr]);
    // the job ran on; a command starts a controller again, which records its end
    expect((await c.waitState(job, ['COMPLETED'], 60_000)).get('ExitCode')).toBe('0:0');
    expect(readFileSync(join(c.dir, 'job.out'), 'utf8')).toBe('done\n');
    expect(await c.controllerPid()).not.toBe(pid);
  });

  it('shutdown controller stops it too, and a standby started before the shutdown with it', async () => {
    const c = clusters.make();
    const pid = c.startController();
    expect(await c.leader()).toBe(pid);
    const standby = spawn(join(ROOT, 'bin', 'flow'), ['controller'], { env: c.env, stdio: 'ignore' });
    children.push(standby);
    const exited = new Promise<number | null>((resolve) => standby.on('exit', (code) => resolve(code)));
    await sleep(1500); // standing by
    const want = recorded('controller');
    expect(want.after['daemons running']).not.toContain('slurmctld');
    const r = c.run('scontrol', want.args.slice(1));
    expect([r.status, r.stdout, r.stderr]).toEqual([want.exit, want.stdout, want.stderr]);
    expect(alive(pid)).toBe(false);
    expect(await exited).toBe(0);
    expect(await c.controllerPid()).toBeUndefined();
  });

  it('refuses bad arguments as Slurm does, and an ordinary user; nothing stops', async () => {
    const c = clusters.make();
    const pid = c.startController();
    expect(await c.leader()).toBe(pid);
    for (const name of ['bad-argument', 'too-many']) {
      const want = recorded(name);
      expect(want.after['daemons running']).toContain('slurmctld');
      const r = c.run('scontrol', want.args.slice(1));
      expect([name, r.status, r.stdout, r.stderr]).toEqual([name, want.exit, want.stdout, want.stderr]);
    }
    const user = recorded('non-root');
    expect(user.after['daemons running']).toContain('slurmctld');
    const r = asOrdinaryUser(c, user.args.slice(1));
    if (r) expect([r.status, r.stdout, r.stderr]).toEqual([user.exit, user.stdout, user.stderr]);
    expect(await c.controllerPid()).toBe(pid);
    expect(alive(pid)).toBe(true);
  });
});
