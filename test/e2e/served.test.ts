/**
 * Commands answered by the controller (src/served) print exactly what the
 * same command working on its own prints: same bytes on stdout and stderr,
 * same exit code; a submission answered by the controller is the same job.
 * Each case runs through both of the served commands' clients (FLOW_CLIENT:
 * the C one and the Node one, src/served/client).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { TestCluster, type RunResult } from '../helpers/cluster.js';
import { keysFor } from '../../src/store/keys.js';
import { zoneOf } from '../../src/served/protocol.js';
import { localtime } from '../../src/served/localtime.js';
import { GOLDEN_DIR } from '../helpers/golden.js';

/** Both clients: the C one (built by npm run build where a C compiler is: CI has one) and the Node one. */
const CLIENTS = ['c', 'node'];

let c: TestCluster;
let done: number;
beforeAll(async () => {
  // the golden config: it has accounting (slurmdbd), so sacct answers too
  c = new TestCluster({ confText: readFileSync(join(GOLDEN_DIR, 'slurm.conf'), 'utf8') });
  done = c.submit(['-J', 'quick', '-o', '/dev/null', '--wrap', 'exit 3']);
  c.submit(['-H', '-J', 'held', '-o', '/dev/null', '--wrap', 'true']);
  c.submit(['-H', '--array=0-99%5', '-p', 'a100', '-o', '/dev/null', '--wrap', 'true']);
  const running = c.submit(['-J', 'runs', '-N2', '-o', '/dev/null', '--wrap', 'sleep 60']);
  c.submit(['-J', 'after', `--dependency=afterok:${running}`, '-o', '/dev/null', '--wrap', 'true']);
  await c.waitState(running, ['RUNNING']);
  await c.waitState(done, ['FAILED']);
  // a controller of this build is up and has announced itself
  await c.waitFor('the controller answering', () => c.run('squeue', ['-h'], { env: { FLOW_SERVED: 'only' } }).status === 0);
});
afterAll(async () => {
  c.run('scancel', ['-u', process.env.USER ?? 'root']);
  await c.destroy();
});

/**
 * The same command answered by the controller and worked out alone give the same result. A running
 * job's TIME (or Elapsed) moves on between the two runs when a second turns: such a pair is run again.
 * A node's CPULoad and FreeMem are this machine's at that moment (on a busy machine they move between
 * any two runs): they are compared as fields, not values.
 */
function bothWays(command: string, args: string[], client: string = CLIENTS[0]!, opts: { input?: string; cwd?: string; env?: Record<string, string> } = {}): boolean {
  const machine = (r: RunResult): RunResult => ({ ...r, stdout: r.stdout.replace(/\b(CPULoad|FreeMem)=\S+/g, '$1=N') });
  for (let attempt = 0; attempt < 3; attempt++) {
    const served = machine(c.run(command, args, { ...opts, env: { ...opts.env, FLOW_SERVED: 'only', FLOW_CLIENT: client } }));
    const local = machine(c.run(command, args, { ...opts, env: { ...opts.env, FLOW_SERVED: '0' } }));
    if (attempt === 2) expect(served).toEqual(local);
    if (JSON.stringify(served) === JSON.stringify(local)) return true;
  }
  return false;
}

describe.each(CLIENTS)('squeue answered by the controller (%s client)', (client) => {
  it.each([
    [[]],
    [['-h']],
    [['-r', '-o', '%i|%T|%r|%P|%D|%C|%m|%l|%j|%u|%a|%q']],
    [['-t', 'all', '--sort=-i']],
    [['-O', 'JobID:20,State:.12,Reason,NumNodes,Partition:|']],
    [['--me', '-h', '-o', '%A_%a %K']],
    [['-u', 'root,nosuchuser', '-h']],
    [['-j', '999999']],
    [['-j', '999999,1000', '-h']],
    [['-o', '%i %y %Z']],
    [['--bogus']],
    [['-t', 'NOPE']],
  ])('%j', (args) => {
    expect(bothWays('squeue', args, client)).toBe(true);
  });
});

describe.each(CLIENTS)('sacct answered by the controller (%s client)', (client) => {
  it.each([
    [[]],
    [['-X', '-P', '-n', '-o', 'JobID,JobName,State,ExitCode,NNodes,Partition']],
    [['-j', 'DONE', '-o', 'JobID%20,State,ExitCode,Elapsed,Start,End']],
    [['--json', '-j', 'DONE']],
    [['-s', 'F', '-X', '-p']],
    [['-u', 'nosuchuser']],
    [['-o', 'Bogus']],
    [['-j', 'x']],
  ])('%j', (args) => {
    expect(bothWays('sacct', args.map((a) => a.replace('DONE', String(done))), client)).toBe(true);
  });
});

/** A job as scontrol shows it, without what differs between two submissions of it (its id, times, the FLOW_SERVED it was sent with). */
function shown(id: number): string {
  return c.run('scontrol', ['show', 'job', String(id)]).stdout
    .replaceAll(String(id), 'ID')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/g, 'TIME');
}

describe.each(CLIENTS)('sbatch answered by the controller (%s client)', (client) => {
  const served = { FLOW_SERVED: 'only', FLOW_CLIENT: client };
  const local = { FLOW_SERVED: '0' };
  let dir: string;
  beforeAll(() => {
    dir = join(c.dir, `sbatch-${client}`);
    mkdirSync(join(dir, 'bin'), { recursive: true });
    writeFileSync(join(dir, 'job.sh'), '#!/bin/sh\n#SBATCH -J named --mem=2G\n#SBATCH -o /dev/null\necho "$@"\n');
    writeFileSync(join(dir, 'bin', 'onpath.sh'), '#!/bin/sh\n#SBATCH -J fromPATH -o /dev/null\ntrue\n');
    writeFileSync(join(dir, 'dos.sh'), '#!/bin/sh\r\ntrue\r\n');
    writeFileSync(join(dir, 'empty.sh'), '');
    writeFileSync(join(dir, 'bad.sh'), '#!/bin/sh\n#SBATCH --mem=lots\ntrue\n');
  });

  it.each([
    [['--bogus']], [['--help']], [['--usage']], [['--version']], [['nonexist.sh']], [['-p', 'nope', '--wrap', 'true']],
    [['dos.sh']], [['empty.sh']], [['bad.sh']], [['--wrap', 'true', 'job.sh']],
  ])('refusals and information: %j', (args) => {
    expect(bothWays('sbatch', args, client, { cwd: dir })).toBe(true);
  });

  it.each([
    ['a script with arguments', ['--hold', 'job.sh', 'one', 'two words'], undefined],
    ['a script on PATH', ['--hold', 'onpath.sh'], undefined],
    ['a script from stdin', ['--hold', '-J', 'piped'], '#!/bin/sh\n#SBATCH -o /dev/null\ntrue\n'],
    ['a script as /dev/stdin', ['--hold', '/dev/stdin'], '#!/bin/sh\n#SBATCH -o /dev/null\ntrue\n'],
    ['--wrap', ['--hold', '-o', '/dev/null', '--wrap', 'echo hi'], undefined],
  ])('%s: the same job as sbatch alone makes', (_what, args, input) => {
    const env = { PATH: `${join(dir, 'bin')}:${process.env.PATH}` };
    const a = c.run('sbatch', ['--parsable', ...args], { cwd: dir, input, env: { ...env, ...served } });
    const b = c.run('sbatch', ['--parsable', ...args], { cwd: dir, input, env: { ...env, ...local } });
    expect(a.stderr).toBe(b.stderr);
    expect(a.status).toBe(0);
    expect(a.stdout).toMatch(/^\d+\n$/);
    expect(shown(Number(a.stdout))).toBe(shown(Number(b.stdout)));
    c.run('scancel', [a.stdout.trim(), b.stdout.trim()]);
  });

  it('--test-only says the same (its job id aside: each run takes one)', () => {
    const say = (env: Record<string, string>) => {
      const r = c.run('sbatch', ['--test-only', 'job.sh'], { cwd: dir, env });
      return { ...r, stderr: r.stderr.replace(/^sbatch: Job \d+ /, 'sbatch: Job ID ').replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/, 'TIME') };
    };
    const a = say(served);
    expect(a.stderr).toMatch(/^sbatch: Job ID to start at TIME using 1 processors on nodes \S+ in partition \S+\n$/);
    expect(a).toEqual(say(local));
  });

  it('prints what sbatch prints', () => {
    const a = c.run('sbatch', ['--hold', '-o', '/dev/null', '--wrap', 'true'], { env: served });
    expect(a.stdout).toMatch(/^Submitted batch job \d+\n$/);
    expect(a.stderr).toBe('');
    const q = c.run('sbatch', ['-Q', '--hold', '-o', '/dev/null', '--wrap', 'true'], { env: served });
    expect(q).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  it('--wait is left to the command itself (the controller does not wait for it), which then waits as ever', () => {
    expect(c.run('sbatch', ['--wait', '-o', '/dev/null', '--wrap', 'true'], { env: served }).stderr).toBe('sbatch: error: the controller did not answer\n');
    const r = c.run('sbatch', ['--wait', '-o', '/dev/null', '--wrap', 'exit 3'], { env: { FLOW_CLIENT: client } });
    expect(r.stdout).toMatch(/^Submitted batch job \d+\n$/);
    expect(r.status).toBe(3);
  });
});

describe.each(CLIENTS)('scancel, scontrol and sinfo answered by the controller (%s client)', (client) => {
  const served = { FLOW_SERVED: 'only', FLOW_CLIENT: client };

  it.each([
    ['scancel', ['999999']], ['scancel', ['--bogus']], ['scancel', []], ['scancel', ['-u', 'nosuchuser']],
    ['scontrol', ['show', 'job', '999999']], ['scontrol', ['show', 'partition']], ['scontrol', ['show', 'node', 'gpu1']],
    ['scontrol', ['show', 'hostnames', 'gpu[1-3]']], ['scontrol', ['hold', '999999']], ['scontrol', ['bogus']], ['scontrol', ['-o', 'show', 'job', 'DONE']],
    ['sinfo', []], ['sinfo', ['-N', '-l']], ['sinfo', ['--bogus']], ['sinfo', ['-o', '%P %a %D %T %N']],
  ])('%s %j', (command, args) => {
    expect(bothWays(command, args.map((a) => a.replace('DONE', String(done))), client)).toBe(true);
  });

  it('hold, release and cancel a job', () => {
    const id = String(c.submit(['-o', '/dev/null', '--begin=now+1hour', '--wrap', 'true']));
    expect(c.run('scontrol', ['hold', id], { env: served })).toEqual({ status: 0, stdout: '', stderr: '' });
    // root holds as an operator (slurmctld's JobHeldAdmin)
    expect(c.job(id).get('Reason')).toBe('JobHeldAdmin');
    expect(c.run('scontrol', ['release', id], { env: served })).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(c.job(id).get('Reason')).not.toBe('JobHeldAdmin');
    expect(c.run('scancel', [id], { env: served })).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(c.job(id).get('JobState')).toBe('CANCELLED');
  });

  it('what needs the caller\'s own process is left to it: scontrol reading commands, a file of host names, sinfo --iterate', () => {
    expect(c.run('scontrol', [], { input: 'show hostnames gpu[1-2]\n', env: served }).stderr).toBe('scontrol: error: the controller did not answer\n');
    expect(c.run('scontrol', [], { input: 'show hostnames gpu[1-2]\n', env: { FLOW_CLIENT: client } }).stdout).toBe('scontrol: show hostnames gpu[1-2]\ngpu1\ngpu2\nscontrol: \n');
    writeFileSync(join(c.dir, 'hosts'), 'gpu1\ngpu2\n');
    expect(c.run('scontrol', ['show', 'hostlist', join(c.dir, 'hosts')], { env: { FLOW_CLIENT: client } }).stdout).toBe('gpu[1-2]\n');
  });
});

describe('the controller keeps the listing between answers', () => {
  it('and reads it again as soon as a job changes', () => {
    const served = (args: string[]) => c.run('squeue', args, { env: { FLOW_SERVED: 'only' } }).stdout;
    const lines = (text: string) => text.split('\n').filter(Boolean).sort();
    const before = served(['-h', '-o', '%i %T']);
    const id = c.submit(['-H', '-J', 'fresh', '-o', '/dev/null', '--wrap', 'true']);
    expect(lines(served(['-h', '-o', '%i %T']))).toEqual(lines(`${id} PENDING\n${before}`));
    c.run('scancel', [String(id)]);
    expect(served(['-h', '-t', 'all', '-j', String(id), '-o', '%i %T'])).toBe(`${id} CANCELLED\n`);
    expect(served(['-h', '-o', '%i %T'])).toBe(before);
  });

  it('and the accounting lines too', async () => {
    const acct = () => c.run('sacct', ['-X', '-n', '-P', '-o', 'JobID,State'], { env: { FLOW_SERVED: 'only' } }).stdout;
    const before = acct();
    const id = c.submit(['-o', '/dev/null', '--wrap', 'true']);
    await c.waitState(id, ['COMPLETED']);
    expect(acct().split('\n')).toContain(`${id}|COMPLETED`);
    expect(before.split('\n')).not.toContain(`${id}|COMPLETED`);
  });
});

describe('a long line of listings keeps no submission waiting', () => {
  it('with one thread for any request, an sbatch is answered while 300 squeue requests still wait', async () => {
    // one thread takes any request, one more only those that change jobs (src/served/pool.ts)
    const d = new TestCluster({ extraEnv: { FLOW_SERVE_WORKERS: '1' } });
    const redis = new Redis(d.redisUrl);
    try {
      d.submit(['-H', '--array=0-999', '-o', '/dev/null', '--wrap', 'true']);
      await d.waitFor('the controller answering', () => d.run('squeue', ['-h'], { env: { FLOW_SERVED: 'only' } }).status === 0);
      const keys = keysFor(d.name);
      // 300 listings of the 1,000 tasks, as squeue sends them, all at once
      const request = (i: number) => JSON.stringify({
        id: `line-${i}`, command: 'squeue', argv: ['-h', '-r'], env: d.env, cwd: d.dir, uid: process.getuid?.() ?? 0, zone: zoneOf(process.env.TZ, localtime()),
      });
      await redis.rpush(keys.serveRead, ...Array.from({ length: 300 }, (_, i) => request(i)));
      const t0 = performance.now();
      const r = d.run('sbatch', ['--parsable', '--hold', '-o', '/dev/null', '--wrap', 'true'], { env: { FLOW_SERVED: 'only' } });
      const ms = performance.now() - t0;
      const waiting = await redis.llen(keys.serveRead);
      console.log(`sbatch answered in ${ms.toFixed(0)} ms with ${waiting} of 300 listings still waiting`);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^\d+\n$/);
      expect(waiting).toBeGreaterThan(0);
      // and the listings were answered too
      for (let i = 0; (await redis.llen(keys.serveRead)) > 0; i++) {
        if (i > 600) throw new Error('the listings were not answered in 60 s');
        await new Promise((res) => setTimeout(res, 100));
      }
      // the last one taken is answered a moment later
      for (let i = 0; (await redis.llen(keys.served('line-299'))) === 0; i++) {
        if (i > 100) throw new Error('the last listing was taken and not answered');
        await new Promise((res) => setTimeout(res, 100));
      }
    } finally {
      redis.disconnect();
      await d.destroy();
    }
  }, 120_000);
});
