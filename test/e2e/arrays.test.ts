/**
 * Job arrays and dependencies on the local provider, as real processes
 * against real Redis: one record for all pending tasks, tasks split off as
 * they start (new ids, the last one keeping the array's id), the %N
 * throttle, squeue's collapsed and -r views, scancel of tasks, and
 * dependency chains (afterok/afternotok/afterany, aftercorr, singleton).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestCluster } from '../helpers/cluster.js';

let c: TestCluster;
/** the 1,000-task array runs on a cluster of its own, beside the other tests */
let big: TestCluster;

beforeAll(() => {
  c = new TestCluster();
  big = new TestCluster();
});
afterAll(async () => {
  await Promise.all([c.destroy(), big.destroy()]);
});

function script(name: string, body: string, cl = c): string {
  const path = join(cl.dir, name);
  writeFileSync(path, `#!/bin/bash\n${body}\n`);
  return path;
}

const squeue = (...args: string[]) => c.run('squeue', ['-h', ...args]).stdout;

describe.concurrent('arrays and dependencies', () => {
  describe('a big array', () => {
    it('runs a 1,000-task array with %10: never more than 10 at once, each output file holds its own index', async () => {
      // each task logs when it starts and ends (ns), so overlaps can be counted afterwards
      const body = 'echo "$SLURM_ARRAY_TASK_ID $SLURM_ARRAY_JOB_ID $(date +%s%N)"\nsleep 0.05\necho "end $(date +%s%N)"';
      const id = big.submit(['--array=0-999%10', '-o', 'big-%A_%a.out', script('big.sh', body, big)]);
      expect(big.job(id).get('ArrayTaskThrottle')).toBe('10');
      await big.waitFor('all 1,000 tasks done', () => big.run('squeue', ['-h', '-j', String(id)]).stdout === '' || undefined, 240_000);
      const events: [number, number][] = [];
      for (let i = 0; i < 1000; i++) {
        const [first, second] = readFileSync(join(big.dir, `big-${id}_${i}.out`), 'utf8').trim().split('\n');
        const [index, arrayJob, start] = first!.split(' ');
        expect([index, arrayJob]).toEqual([String(i), String(id)]);
        events.push([Number(start), 1], [Number(second!.split(' ')[1]), -1]);
      }
      events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      let running = 0;
      let most = 0;
      for (const [, d] of events) most = Math.max(most, (running += d));
      expect(most).toBeLessThanOrEqual(10);
      expect(most).toBeGreaterThan(1);
      const states = big.run('squeue', ['-h', '-t', 'all', '-j', String(id), '-o', '%T']).stdout.trim().split('\n');
      expect(states).toHaveLength(1000);
      expect(new Set(states)).toEqual(new Set(['COMPLETED']));
    }, 300_000);
  });

  describe.sequential('job arrays and dependencies', () => {
    it('collapses pending tasks into one row, expands them with -r, and splits tasks off with new ids (the last keeps the array id)', async () => {
      const id = c.submit(['-H', '--array=1-5%2', '-o', '/dev/null', '--wrap', 'sleep 30']);
      expect(squeue('-j', String(id), '-o', '%i %t %r')).toBe(`${id}_[1-5%2] PD JobHeldUser\n`);
      expect(squeue('-r', '-j', String(id), '-o', '%i %K')).toBe([1, 2, 3, 4, 5].map((t) => `${id}_${t} ${t}\n`).join(''));
      expect(c.job(id).get('ArrayTaskId')).toBe('1-5%2');

      // cancelling waiting tasks splits them off as CANCELLED records
      expect(c.run('scancel', [`${id}_[4-5]`]).status).toBe(0);
      expect(squeue('-j', String(id), '-o', '%i')).toBe(`${id}_[1-3%2]\n`);
      const cancelled = c.run('squeue', ['-h', '-t', 'CA', '-j', String(id), '-o', '%i %A %T']).stdout;
      expect(cancelled.trim().split('\n').sort()).toEqual([`${id}_4`, `${id}_5`].map((t) => expect.stringMatching(new RegExp(`^${t} \\d+ CANCELLED$`))));

      c.run('scontrol', ['release', String(id)]);
      await c.waitFor('two tasks running, one waiting for the throttle', () => {
        const rows = squeue('-j', String(id), '-o', '%i %t %r');
        return rows.includes(`${id}_[3%2] PD JobArrayTaskLimit`) && (rows.match(/ R /g) ?? []).length === 2 ? rows : undefined;
      });
      const task1 = c.job(`${id}_1`);
      expect(task1.get('JobId')).not.toBe(String(id));
      expect(task1.get('ArrayJobId')).toBe(String(id));
      c.run('scancel', [`${id}_1`]);
      const last = await c.waitFor('task 3 started', () => {
        const j = c.job(`${id}_3`);
        return j.get('JobState') === 'RUNNING' ? j : undefined;
      });
      expect(last.get('JobId')).toBe(String(id));
      expect(c.run('scancel', [String(id)]).status).toBe(0);
      await c.waitFor('every task over', () => squeue('-j', String(id)) === '' || undefined);
    });
    it('A -> afterok B -> afternotok C; a dependant of a failed job waits as DependencyNeverSatisfied', async () => {
      const a = c.submit(['-o', '/dev/null', '--wrap', 'exit 3']);
      const b = c.submit(['-o', '/dev/null', `--dependency=afterok:${a}`, '--wrap', 'true']);
      const notok = c.submit(['-o', '/dev/null', `--dependency=afternotok:${a}`, '--wrap', 'true']);
      await c.waitState(a, ['FAILED']);
      await c.waitState(notok, ['COMPLETED']);
      const waiting = await c.waitFor('B never satisfied', () => {
        const j = c.job(b);
        return j.get('Reason') === 'DependencyNeverSatisfied' ? j : undefined;
      });
      expect(waiting.get('JobState')).toBe('PENDING');
      expect(waiting.get('Dependency')).toBe(`afterok:${a}_*(failed)`.replace('_*', ''));
      const killed = c.submit(['-o', '/dev/null', `--dependency=afterok:${a}`, '--kill-on-invalid-dep=yes', '--wrap', 'true']);
      const k = await c.waitState(killed, ['CANCELLED']);
      expect(k.get('Reason')).toBe('DependencyNeverSatisfied');
      c.run('scancel', [String(b)]);
    });

    it('afterany on a whole array waits for every task; aftercorr pairs tasks', async () => {
      const arr = c.submit(['--array=0-2', '-o', '/dev/null', '--wrap', 'sleep 1; [ $SLURM_ARRAY_TASK_ID != 1 ]']);
      const any = c.submit(['-o', '/dev/null', `--dependency=afterany:${arr}`, '--wrap', 'true']);
      const ok = c.submit(['-o', '/dev/null', `--dependency=afterok:${arr}`, '--wrap', 'true']);
      const corr = c.submit(['--array=0-2', '-o', 'corr-%a.out', `--dependency=aftercorr:${arr}`, '--wrap', 'echo $SLURM_ARRAY_TASK_ID']);
      await c.waitState(any, ['COMPLETED'], 60_000);
      await c.waitFor('afterok on an array with a failed task never satisfied', () => c.job(ok).get('Reason') === 'DependencyNeverSatisfied' || undefined);
      // tasks 0 and 2 of the partner array succeeded; task 1 failed, so only its partner waits
      await c.waitFor('corr tasks 0 and 2 ran', () => {
        try {
          return readFileSync(join(c.dir, 'corr-0.out'), 'utf8') === '0\n' && readFileSync(join(c.dir, 'corr-2.out'), 'utf8') === '2\n';
        } catch {
          return undefined;
        }
      }, 60_000);
      expect(squeue('-r', '-j', String(corr), '-o', '%i %r')).toBe(`${corr}_1 DependencyNeverSatisfied\n`);
      c.run('scancel', [String(ok), String(corr)]);
    }, 90_000);

    it('singleton: one job of a name and user at a time', async () => {
      const first = c.submit(['-J', 'single', '-o', '/dev/null', '--dependency=singleton', '--wrap', 'sleep 2']);
      const second = c.submit(['-J', 'single', '-o', '/dev/null', '--dependency=singleton', '--wrap', 'true']);
      await c.waitState(first, ['RUNNING']);
      expect(c.job(second).get('Reason')).toBe('Dependency');
      expect(c.job(second).get('Dependency')).toBe('singleton(unfulfilled)');
      await c.waitState(second, ['COMPLETED'], 30_000);
      const a = c.job(first);
      const b = c.job(second);
      expect(b.get('StartTime')! >= a.get('EndTime')!).toBe(true);
    });
  });
});
