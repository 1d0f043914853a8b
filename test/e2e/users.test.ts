/**
 * Users own their jobs, as in Slurm: a plain user (alice) who cancels, signals, holds, releases,
 * updates or requeues root's jobs is refused with real Slurm 22.05.8's message and exit code
 * (fixtures/oracle/users/cases.json, recorded by scripts/record-oracle-users.sh), and the job is
 * untouched; her own jobs are hers to change, root may change anyone's. PrivateData=jobs hides
 * other users' jobs from her in squeue and scontrol show job (and sacct). A job she submits runs
 * as her under root's controller. The test runs as root (CI does) and creates alice if missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterSet, clockEnv, type RunResult, type TestCluster } from '../helpers/cluster.js';
import { FIXTURES, ROOT } from '../helpers/oracle.js';

interface Case { name: string; user: 'root' | 'alice'; args: string[]; exit: number; stdout: string; stderr: string; after?: string }
const CASES: Case[] = (JSON.parse(readFileSync(join(FIXTURES, 'oracle', 'users', 'cases.json'), 'utf8')) as { cases: Case[] }).cases;
const recorded = (name: string): Case => {
  const c = CASES.find((x) => x.name === name);
  if (!c) throw new Error(`no recorded case ${name}`);
  return c;
};

/** Why the test cannot run here, if it cannot: it acts as a second Unix user. */
function cannotRun(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (to act as a second Unix user, alice, through runuser)';
  if (spawnSync('id', ['-u', 'alice']).status !== 0 && spawnSync('useradd', ['-m', 'alice']).status !== 0) return 'could not create the user alice';
  if (spawnSync('runuser', ['--help']).status !== 0) return 'needs runuser (util-linux)';
  return undefined;
}
const skip = cannotRun();
if (skip) process.stderr.write(`users.test.ts skipped: ${skip}\n`);

const userId = (name: string) => Number(spawnSync('id', ['-u', name], { encoding: 'utf8' }).stdout.trim());
const clusters = new ClusterSet();
afterAll(() => clusters.destroy());

/** A cluster alice can use too: its slurm.conf readable, a working directory of hers. */
function sharedCluster(extraConf = '', conf = join(FIXTURES, 'oracle', 'slurm.conf')): { c: TestCluster; home: string } {
  const c = clusters.make({ confText: readFileSync(conf, 'utf8') + extraConf });
  chmodSync(c.dir, 0o755);
  const home = join(c.dir, 'alice');
  mkdirSync(home);
  chownSync(home, userId('alice'), userId('alice'));
  return { c, home };
}

function as(user: 'root' | 'alice', c: TestCluster, home: string, args: string[]): RunResult {
  const [cmd, ...rest] = args;
  if (user === 'root') return c.run(cmd!, rest);
  const env = { ...c.env, ...clockEnv(), HOME: home, USER: 'alice', PATH: '/usr/bin:/bin' };
  const r = spawnSync('runuser', ['-u', 'alice', '--', 'env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), join(ROOT, 'bin', cmd!), ...rest],
    { cwd: home, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The recording's {X} names as our job ids. */
const fill = (text: string, ids: Record<string, number>) => text.replace(/\{(\w)\}/g, (_, k: string) => String(ids[k]));
/** Lines in order, or (several requests answered in parallel by slurmctld) as a set. */
const lines = (text: string) => text.split('\n').filter(Boolean).sort();
/** What root's squeue says of a job: id, state, reason (priorities are the oracle's own). */
const stateOf = (c: TestCluster, id: number | string) => lines(c.run('squeue', ['-h', '-r', '-j', String(id), '-o', '%i %T %r']).stdout);
const recordedState = (after: string, ids: Record<string, number>) => lines(fill(after, ids).replace(/ \d+$/gm, ''));

describe.skipIf(skip !== undefined)('users own their jobs (real Slurm 22.05.8 answers)', () => {
  let c: TestCluster;
  let home: string;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    ({ c, home } = sharedCluster());
    const job = (args: string[]) => c.submit(['-o', '/dev/null', ...args, '--wrap', 'sleep 600']);
    ids.R = job(['-J', 'rootjob']);
    ids.P = job(['-J', 'rootjob', '-H']);
    ids.Q = job(['-J', 'rootjob', '--begin=now+1hour']);
    ids.A = job(['-J', 'rootarr', '--array=0-3']);
    ids.H = job(['-J', 'rootarr', '-H', '--array=0-3']);
    const mine = as('alice', c, home, ['sbatch', '--parsable', '-J', 'alicejob', '-o', '/dev/null', '--begin=now+1hour', '--wrap', 'sleep 600']);
    expect(mine.stderr).toBe('');
    ids.M = Number(mine.stdout.trim());
    await c.waitState(ids.R, ['RUNNING']);
    await c.waitFor('the array running', () => stateOf(c, ids.A!).filter((l) => l.includes(' RUNNING ')).length === 4);
  });

  // each refusal: the same words and exit code as real Slurm, and the job as it was
  const refusals = ['scancel-running', 'scancel-pending', 'scancel-held', 'scancel-verbose', 'scancel-signal', 'scancel-signal-batch',
    'scancel-two', 'scancel-name', 'scancel-name-verbose', 'scancel-user-root', 'scancel-user-root-verbose', 'scancel-state-running',
    'scancel-array-task', 'scancel-array-whole', 'scancel-array-all', 'scancel-held-array-task', 'scancel-held-array-whole', 'scancel-array-signal',
    'hold-pending', 'uhold-pending', 'hold-running', 'release-held', 'release-held-array-task', 'hold-array-task',
    'update-timelimit', 'update-name', 'update-running', 'update-array-task', 'requeue-running', 'requeuehold-running', 'requeue-array-task'];
  it.each(refusals)('%s: refused as Slurm refuses it, the job untouched', (name) => {
    const k = recorded(name);
    const target = /\{(\w)\}/.exec(k.after ?? '')?.[1];
    const before = target ? stateOf(c, ids[target]!) : [];
    const r = as(k.user, c, home, k.args.map((a) => fill(a, ids)));
    expect({ exit: r.status, stdout: r.stdout, stderr: lines(r.stderr) }).toEqual({ exit: k.exit, stdout: fill(k.stdout, ids), stderr: lines(fill(k.stderr, ids)) });
    if (target) {
      expect(stateOf(c, ids[target]!)).toEqual(before);
      expect(stateOf(c, ids[target]!)).toEqual(recordedState(k.after!, ids));
    }
  });

  it('her own job is hers to hold, release, update and cancel; root may hold and release it', () => {
    for (const name of ['own-hold', 'own-release', 'own-update', 'own-scancel', 'resubmit', 'root-hold-alice', 'root-release-alice']) {
      if (name === 'resubmit') {
        const again = as('alice', c, home, ['sbatch', '--parsable', '-J', 'alicejob', '-o', '/dev/null', '--begin=now+1hour', '--wrap', 'sleep 600']);
        ids.M = Number(again.stdout.trim());
        continue;
      }
      const k = recorded(name);
      const r = as(k.user, c, home, k.args.map((a) => fill(a, ids)));
      expect({ name, exit: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ name, exit: k.exit, stdout: k.stdout, stderr: k.stderr });
      // the state, and the reason of a hold (the oracle's other reasons lag behind its scheduler's next pass)
      const held = (l: string[]) => l.map((x) => (/ JobHeld/.test(x) ? x : x.split(' ').slice(0, 2).join(' ')));
      expect({ name, state: held(stateOf(c, ids.M!)) }).toEqual({ name, state: held(recordedState(k.after!, ids)) });
      if (name === 'own-update') expect(c.job(ids.M!).get('TimeLimit')).toBe('00:10:00');
    }
  });

  it('without PrivateData she sees everyone\'s jobs', () => {
    const k = recorded('squeue-all');
    const r = as('alice', c, home, k.args);
    expect(lines(r.stdout)).toEqual(lines(fill(k.stdout, ids)));
  });
});

describe.skipIf(skip !== undefined)('PrivateData=jobs (real Slurm 22.05.8 answers)', () => {
  it('hides root\'s jobs from alice in squeue and scontrol show job; root sees all; refusals stay refusals', async () => {
    // the oracle's cluster with accounting (the golden one), for sacct
    const { c, home } = sharedCluster('PrivateData=jobs\n', join(FIXTURES, 'golden', 'slurm.conf'));
    const ids: Record<string, number> = {};
    const job = (args: string[]) => c.submit(['-o', '/dev/null', ...args, '--wrap', 'sleep 600']);
    ids.R = job(['-J', 'rootjob']);
    ids.P = job(['-J', 'rootjob', '-H']);
    ids.Q = job(['-J', 'rootjob', '--begin=now+1hour']);
    ids.A = job(['-J', 'rootarr', '--array=0-3']);
    ids.H = job(['-J', 'rootarr', '-H', '--array=0-3']);
    ids.M = Number(as('alice', c, home, ['sbatch', '--parsable', '-J', 'alicejob', '-o', '/dev/null', '--begin=now+1hour', '--wrap', 'sleep 600']).stdout.trim());
    await c.waitState(ids.R, ['RUNNING']);
    for (const name of ['private-squeue', 'private-squeue-all-users', 'private-squeue-job', 'private-squeue-job-own', 'private-squeue-user',
      'private-squeue-header', 'private-show-job', 'private-show-job-oneliner', 'private-scancel', 'private-hold', 'private-root-squeue']) {
      const k = recorded(name);
      const r = as(k.user, c, home, k.args.map((a) => fill(a, ids)));
      // blanks collapsed: the oracle's job ids are shorter than ours, and squeue pads its columns to them
      const out = (t: string) => lines(t.replace(/ +/g, ' ').replace(/^ /gm, ''));
      expect({ name, exit: r.status, stdout: out(r.stdout), stderr: r.stderr })
        .toEqual({ name, exit: k.exit, stdout: out(fill(k.stdout, ids)), stderr: fill(k.stderr, ids) });
    }
    // her own record in full, another's not at all
    const own = as('alice', c, home, ['scontrol', '-o', 'show', 'job', String(ids.M)]);
    expect(own.stdout).toMatch(new RegExp(`^JobId=${ids.M} JobName=alicejob UserId=alice\\(`));
    const all = as('alice', c, home, ['scontrol', '-o', 'show', 'job']);
    expect(all.stdout.split('\n').filter(Boolean).map((l) => /^JobId=(\d+)/.exec(l)?.[1])).toEqual([String(ids.M)]);
    // sacct: her jobs only, whatever -a says; root's sacct lists both users' jobs
    const both = ['-a', '-X', '-n', '-P', '-o', 'JobID,User', '-j', `${ids.M},${ids.R}`];
    expect(lines(as('alice', c, home, ['sacct', ...both]).stdout)).toEqual([`${ids.M}|alice`]);
    expect(lines(c.run('sacct', both).stdout)).toEqual(lines(`${ids.M}|alice\n${ids.R}|root\n`));
  });
});

describe.skipIf(skip !== undefined)('her jobs run as her', () => {
  it('under root\'s controller, with her output file, and a file she may not write fails the launch', async () => {
    const { c, home } = sharedCluster();
    c.submit(['--wrap', 'true']); // root's command starts root's controller
    await c.leader();
    const r = as('alice', c, home, ['sbatch', '--parsable', '-o', 'out.txt', '--wrap', 'id -un; touch made-by-job']);
    const id = Number(r.stdout.trim());
    const j = await c.waitState(id, ['COMPLETED', 'FAILED', 'NODE_FAIL'], 60_000);
    expect(j.get('JobState')).toBe('COMPLETED');
    expect(readFileSync(join(home, 'out.txt'), 'utf8')).toBe('alice\n');
    expect(statSync(join(home, 'out.txt')).uid).toBe(userId('alice'));
    expect(statSync(join(home, 'made-by-job')).uid).toBe(userId('alice'));
    // root's file: root's controller does not write it for her
    const rootFile = join(c.dir, 'root-only.txt');
    writeFileSync(rootFile, 'keep\n', { mode: 0o644 });
    const bad = Number(as('alice', c, home, ['sbatch', '--parsable', '-o', rootFile, '--wrap', 'echo overwritten']).stdout.trim());
    expect((await c.waitState(bad, ['FAILED', 'COMPLETED'], 60_000)).get('JobState')).toBe('FAILED');
    expect(readFileSync(rootFile, 'utf8')).toBe('keep\n');
  });

  it('a controller alice started does not run root\'s job as alice: the launch fails', async () => {
    const { c, home } = sharedCluster();
    // her command starts the controller, as her, in a state directory of hers
    mkdirSync(c.env.FLOW_STATE_DIR!);
    chownSync(c.env.FLOW_STATE_DIR!, userId('alice'), userId('alice'));
    const hers = Number(as('alice', c, home, ['sbatch', '--parsable', '-o', '/dev/null', '--wrap', 'true']).stdout.trim());
    expect((await c.waitState(hers, ['COMPLETED', 'FAILED'], 60_000)).get('JobState')).toBe('COMPLETED');
    const marker = join(c.dir, 'ran-as');
    const root = c.submit(['-o', '/dev/null', '--wrap', `id -un > ${marker}`]);
    expect((await c.waitState(root, ['COMPLETED', 'FAILED'], 60_000)).get('JobState')).toBe('FAILED');
    expect(existsSync(marker)).toBe(false);
  });
});
