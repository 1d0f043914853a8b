/**
 * Jobs from sbatch to their final state, on the local provider: real Redis,
 * real controller and supervisor processes, real files. Expected states,
 * reasons and exit codes are those real Slurm 22.05.8 gave for the same jobs
 * (fixtures/oracle/run, recorded by scripts/record-oracle-run.sh).
 */
import { afterAll, describe, expect } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES } from '../helpers/oracle.js';
import { ClusterPool, withPool } from '../helpers/pool.js';

// one job-time minute lasts two seconds here, so time limits can be tested
const pool = new ClusterPool(3, { extraEnv: { FLOW_MINUTE_SECONDS: '2' } });
const it = withPool(pool);
const scripts = mkdtempSync(join(tmpdir(), 'flow-lifecycle-'));
afterAll(async () => {
  await pool.destroy();
  rmSync(scripts, { recursive: true, force: true });
});

function script(name: string, body: string): string {
  const path = join(scripts, name);
  writeFileSync(path, `#!/bin/bash\n${body}\n`);
  return path;
}

describe.concurrent('job lifecycle on the local provider', () => {
  it('prints exactly "Submitted batch job N" and runs the job to COMPLETED', async ({ c }) => {
    const path = script('hello.sh', '#SBATCH -J hello\necho "hello from $SLURM_JOB_ID on $SLURMD_NODENAME"\nsleep 6');
    const r = c.run('sbatch', [path]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Submitted batch job \d+\n$/);
    const id = Number(r.stdout.trim().split(' ').pop());
    // visible to squeue while it runs (6 s: the side-by-side tests' synchronous spawns can hold this loop for seconds)
    await c.waitFor('squeue to show it running', () => {
      const q = c.run('squeue', ['-h', '-j', String(id), '-o', '%i %t %j']);
      return q.stdout === `${id} R hello\n` || undefined;
    });
    const done = await c.waitState(id, ['COMPLETED']);
    expect(done.get('ExitCode')).toBe('0:0');
    expect(done.get('Reason')).toBe('None');
    expect(readFileSync(join(c.dir, `slurm-${id}.out`), 'utf8')).toBe(`hello from ${id} on gpu1\n`);
    // finished jobs are hidden from plain squeue but kept for -t all
    expect(c.run('squeue', ['-h', '-j', String(id)]).stdout).toBe('');
    expect(c.run('squeue', ['-h', '-t', 'all', '-j', String(id), '-o', '%T']).stdout).toBe('COMPLETED\n');
  });

  it('ends a job that exits 3 as FAILED with ExitCode=3:0', async ({ c }) => {
    const id = c.submit([script('fail.sh', 'echo about to fail\nexit 3')]);
    const j = await c.waitState(id, ['FAILED']);
    expect([j.get('ExitCode'), j.get('Reason')]).toEqual(['3:0', 'NonZeroExitCode']);
  });

  it('cancels a running job: CANCELLED, ExitCode=0:15, and the slurmstepd line in its output', async ({ c }) => {
    const id = c.submit([script('long.sh', 'echo started\nsleep 120')]);
    await c.waitState(id, ['RUNNING']);
    // RUNNING comes first: the supervisor opens the output file a moment later
    await c.waitFor('the batch shell', () => (existsSync(join(c.dir, `slurm-${id}.out`)) && readFileSync(join(c.dir, `slurm-${id}.out`), 'utf8').includes('started')) || undefined);
    const r = c.run('scancel', [String(id)]);
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '', '']);
    const j = await c.waitState(id, ['CANCELLED']);
    expect(j.get('ExitCode')).toBe('0:15');
    expect(readFileSync(join(c.dir, `slurm-${id}.out`), 'utf8')).toMatch(/slurmstepd-gpu1: error: \*\*\* JOB \d+ ON gpu1 CANCELLED AT \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d \*\*\*\n$/);
  });

  it('after scancel, goes through the states real Slurm showed (scancel-running): RUNNING, CANCELLED, at most a COMPLETING between', async ({ c }) => {
    const rec = JSON.parse(readFileSync(join(FIXTURES, 'oracle', 'run', 'scancel-running.json'), 'utf8')) as {
      case: { script: string; args: string[] }; states: Record<string, [number, string, string][]>; final: Record<string, string>[];
      files: { contentNormalized: string }[];
    };
    copyFileSync(join(FIXTURES, 'scripts', 'run', rec.case.script), join(c.dir, rec.case.script));
    const id = c.submit([...rec.case.args, rec.case.script]);
    const out = join(c.dir, `slurm-${id}.out`);
    await c.waitFor('the script to sleep', () => existsSync(out) && readFileSync(out, 'utf8').includes('== cancel-running sleeping') || undefined);
    const seen: string[] = [];
    const look = () => {
      const s = c.run('squeue', ['-h', '-t', 'all', '-j', String(id), '-o', '%T|%r']).stdout.trim();
      if (s !== seen[seen.length - 1]) seen.push(s);
      return s;
    };
    look();
    expect(c.run('scancel', [String(id)])).toEqual({ status: 0, stdout: '', stderr: '' });
    await c.waitFor('the end', () => look().startsWith('CANCELLED|') || undefined);
    // what squeue showed from RUNNING on, in Slurm's order (its 0.1 s polling missed COMPLETING)
    const recorded = rec.states['{JOBID}']!.map(([, state, reason]) => `${state}|${reason}`);
    expect(seen.filter((s) => !s.startsWith('COMPLETING|'))).toEqual(recorded.slice(recorded.indexOf('RUNNING|None')));
    const j = c.job(id);
    expect([j.get('JobState'), j.get('Reason'), j.get('ExitCode')]).toEqual([rec.final[0]!.JobState, rec.final[0]!.Reason, rec.final[0]!.ExitCode]);
    // the output ends as Slurm's: the script's last line, then slurmstepd's
    const tail = (text: string) => text.trimEnd().split('\n').slice(-2).map((l) => l.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/, '{TIME}'));
    expect(tail(readFileSync(out, 'utf8'))).toEqual(tail(rec.files[0]!.contentNormalized.replaceAll('{JOBID}', String(id))));
  });

  it('stops a job at its time limit: TIMEOUT, reason TimeLimit, ExitCode=0:15', async ({ c }) => {
    const id = c.submit(['-t', '1', script('sleepy.sh', 'sleep 200')]);
    const j = await c.waitState(id, ['TIMEOUT'], 20_000);
    expect([j.get('ExitCode'), j.get('Reason'), j.get('TimeLimit')]).toEqual(['0:15', 'TimeLimit', '00:01:00']);
    expect(readFileSync(join(c.dir, `slurm-${id}.out`), 'utf8')).toMatch(/\*\*\* JOB \d+ ON gpu1 CANCELLED AT .* DUE TO TIME LIMIT \*\*\*/);
  });

  it('keeps a held job pending until it is released', async ({ c }) => {
    const id = c.submit(['-H', '--wrap', 'echo released']);
    const held = c.job(id);
    expect([held.get('JobState'), held.get('Reason'), held.get('Priority')]).toEqual(['PENDING', 'JobHeldUser', '0']);
    await new Promise((r) => setTimeout(r, 1500));
    expect(c.job(id).get('JobState')).toBe('PENDING');
    expect(c.run('scontrol', ['release', String(id)]).status).toBe(0);
    await c.waitState(id, ['COMPLETED']);
    expect(readFileSync(join(c.dir, `slurm-${id}.out`), 'utf8')).toBe('released\n');
  });

  it('makes a job wait with reason Resources while another holds the GPUs it needs', async ({ c }) => {
    const first = c.submit(['-p', 'a100', '-w', 'gpu3', '--gres=gpu:8', script('gpu1.sh', 'echo $CUDA_VISIBLE_DEVICES; sleep 4')]);
    await c.waitState(first, ['RUNNING']);
    const second = c.submit(['-p', 'a100', '-w', 'gpu3', '--gres=gpu:8', script('gpu2.sh', 'echo $CUDA_VISIBLE_DEVICES')]);
    const waiting = await c.waitFor('reason Resources', () => {
      const j = c.job(second);
      return j.get('Reason') === 'Resources' ? j : undefined;
    });
    expect(waiting.get('JobState')).toBe('PENDING');
    expect(c.run('squeue', ['-h', '-j', String(second), '-o', '%t %R']).stdout).toBe('PD (Resources)\n');
    await c.waitState(second, ['COMPLETED'], 30_000);
    expect(readFileSync(join(c.dir, `slurm-${second}.out`), 'utf8')).toBe('0,1,2,3,4,5,6,7\n');
  });

  it('answers squeue -j for an unknown job the way Slurm does', ({ c }) => {
    const r = c.run('squeue', ['-j', '999999']);
    expect(r).toEqual({ status: 1, stdout: '', stderr: 'slurm_load_jobs error: Invalid job id specified\n' });
    const s = c.run('scontrol', ['show', 'job', '999999']);
    expect(s).toEqual({ status: 1, stdout: '', stderr: 'slurm_load_jobs error: Invalid job id specified\n' });
  });

  it('fails a job whose output directory does not exist (JobLaunchFailure, 0:53)', async ({ c }) => {
    const id = c.submit(['-o', 'nodir/out-%j.log', '--wrap', 'true']);
    const j = await c.waitState(id, ['FAILED']);
    expect([j.get('Reason'), j.get('ExitCode')]).toEqual(['JobLaunchFailure', '0:53']);
    expect(existsSync(join(c.dir, 'nodir'))).toBe(false);
  });
});
