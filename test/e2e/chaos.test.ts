/**
 * Chaos (issue 11): a 200-job workload (plain jobs with exit codes, an array
 * with a throttle, dependencies, cancels, requeues, time limits) while the
 * controller is killed with -9 at 20 random moments and started again each
 * time. Every job must end in the state real Slurm gives it, none may run
 * twice, none may be lost. The counts are printed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alive, TestCluster } from '../helpers/cluster.js';
import { rng } from '../helpers/rng.js';

// KillWait 30 s and a requeue's 121 s wait last 1 s and 4 s at FLOW_MINUTE_SECONDS=2
const CONF = `ClusterName=x
DefMemPerCPU=100
MinJobAge=3000
SchedulerParameters=kill_invalid_depend
AccountingStorageType=accounting_storage/slurmdbd
NodeName=n[1-4] CPUs=8 RealMemory=8000 State=UNKNOWN
PartitionName=main Nodes=n[1-4] Default=YES MaxTime=INFINITE State=UP
`;

let c: TestCluster;
beforeAll(() => {
  c = new TestCluster({ confText: CONF, extraEnv: { FLOW_MINUTE_SECONDS: '2' } });
});
afterAll(async () => {
  await c.destroy();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A controller runs (squeue and sacct never start one): started if the lease is free or its holder
 * is dead. A killed holder's pid may already belong to another process, so a new daemon can
 * still find the lease taken; it is tried again until the dead holder's lease runs out.
 */
async function ensureController(): Promise<void> {
  const pid = await c.controllerPid();
  if (!pid || !alive(pid)) c.startController();
}

describe('chaos', () => {
  it('kill -9 of the controller at 20 random moments of a 200-job workload: every job ends as Slurm ends it, once', async () => {
    const random = rng(11);
    // the killer's own, so the workload is the same on every run whatever the killer's timing
    const killerRandom = rng(12);
    const log = join(c.dir, 'runs.log');
    const script = join(c.dir, 'job.sh');
    // args: exit code, seconds to sleep (a run after a requeue: 1); each run says when it starts and ends
    writeFileSync(script, `#!/bin/bash\necho "start \${SLURM_JOB_ID} \${SLURM_RESTART_COUNT:-0}" >> ${log}\n`
      + `if [ -n "$SLURM_RESTART_COUNT" ]; then sleep 1; else sleep $2; fi\necho "end \${SLURM_JOB_ID} \${SLURM_RESTART_COUNT:-0}" >> ${log}\nexit $1\n`);
    /** job id (array tasks: "array_task") -> the state and exit code sacct -X shows for it on Slurm (a job ended from outside: 0:0) */
    const want = new Map<string, string>();
    const requeued: number[] = [];
    const cancelled: number[] = [];

    // the killer: 20 times, at a random moment 0.3 to 2.3 s apart, kill -9, then a controller is started again
    let kills = 0;
    const killer = (async () => {
      while (kills < 20) {
        await sleep(300 + killerRandom() * 2000);
        const pid = await c.controllerPid();
        if (!pid || !alive(pid)) {
          await ensureController();
          continue;
        }
        process.kill(pid, 'SIGKILL');
        kills++;
        // started again at once, or a moment later (a command that needs one meanwhile starts its own)
        if (killerRandom() < 0.5) await sleep(killerRandom() * 1000);
        await ensureController();
      }
    })();

    const submit = (args: string[], code: number, secs: number) => c.runAsync('sbatch', ['--parsable', '-o', '/dev/null', ...args, script, String(code), String(secs)])
      .then((r) => {
        expect(r.stderr).toBe('');
        return Number(r.stdout.trim());
      });
    // RUNNING, and its script has said so: a requeue or cancel the moment a job is RUNNING can end its
    // run before the script's first line, and the run would go unseen in the log
    const started = (id: number) => existsSync(log) && readFileSync(log, 'utf8').includes(`start ${id} 0\n`);
    const waitRunning = async (id: number) => {
      for (const end = Date.now() + 60_000; Date.now() < end;) {
        await ensureController();
        const r = await c.runAsync('squeue', ['-h', '-j', String(id), '-o', '%T']);
        if (r.stdout.trim() === 'RUNNING' && started(id)) return;
        await sleep(100);
      }
      const shown = (await c.runAsync('scontrol', ['show', 'job', String(id)])).stdout;
      throw new Error(`job ${id} never ran:\n${shown}\n${(await c.runAsync('squeue', ['-t', 'all', '-h', '-o', '%i %T %r'])).stdout}`);
    };

    // 100 plain jobs: COMPLETED, or FAILED with their exit code
    const plain: [number, number][] = [];
    for (let i = 0; i < 100; i++) {
      const code = random() < 0.7 ? 0 : 1 + Math.floor(random() * 5);
      const id = await submit([], code, 0.2 + random() * 0.8);
      plain.push([id, code]);
      want.set(String(id), code === 0 ? 'COMPLETED 0:0' : `FAILED ${code}:0`);
    }
    // an array of 40 tasks, at most 8 at once
    const array = await submit(['--array=0-39%8'], 0, 0.3);
    for (let t = 0; t < 40; t++) want.set(`${array}_${t}`, 'COMPLETED 0:0');
    // 20 dependent jobs: on a job that succeeds (they run), or on one that fails (kill_invalid_depend cancels them)
    for (let i = 0; i < 20; i++) {
      const [parent, code] = plain[i]!;
      const id = await submit([`--dependency=afterok:${parent}`], 0, 0.2);
      want.set(String(id), code === 0 ? 'COMPLETED 0:0' : 'CANCELLED 0:0');
    }
    // 10 time limits (a minute: 2 s here) on jobs that would sleep 30 s
    for (let i = 0; i < 10; i++) want.set(String(await submit(['-t', '1'], 0, 30)), 'TIMEOUT 0:0');
    // 20 cancelled while they run, 10 requeued while they run (their second run completes)
    for (let i = 0; i < 20; i++) cancelled.push(await submit([], 0, 30));
    for (let i = 0; i < 10; i++) requeued.push(await submit(['--requeue'], 0, 30));
    for (const id of cancelled) want.set(String(id), 'CANCELLED 0:0');
    for (const id of requeued) want.set(String(id), 'COMPLETED 0:0');
    await Promise.all([
      ...cancelled.map(async (id) => {
        await waitRunning(id);
        expect((await c.runAsync('scancel', [String(id)])).status).toBe(0);
      }),
      ...requeued.map(async (id) => {
        await waitRunning(id);
        expect((await c.runAsync('scontrol', ['requeue', String(id)])).status).toBe(0);
      }),
    ]);
    await killer;

    // every job reaches its final state
    let got = new Map<string, string>();
    for (const end = Date.now() + 120_000; Date.now() < end;) {
      await ensureController();
      // by id: a job cancelled before it was ever eligible (its dependency failed) is outside any -S window, as in slurmdbd
      const r = await c.runAsync('sacct', ['-X', '-n', '-P', '-o', 'JobID,State,ExitCode', '-j', [...new Set([...want.keys()].map((id) => id.split('_')[0]))].join(',')]);
      expect(r.stderr).toBe('');
      got = new Map(r.stdout.trim().split('\n').map((l) => l.split('|')).filter((f) => f.length === 3).map(([id, state, exit]) => [id!, `${state!.split(' ')[0]} ${exit}`]));
      if ([...want.keys()].every((id) => !/^(PENDING|RUNNING|REQUEUED|COMPLETING)/.test(got.get(id) ?? 'PENDING'))) break;
      await sleep(1000);
    }
    const wrong = [...want].filter(([id, w]) => got.get(id) !== w).map(([id, w]) => `${id}: want ${w}, got ${got.get(id)}`);

    // none ran twice: one start per job and restart count (a requeued job: restarts 0 and 1)
    const starts = new Map<string, number>();
    for (const line of existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []) {
      const [what, id, restart] = line.split(' ');
      if (what === 'start') starts.set(`${id} ${restart}`, (starts.get(`${id} ${restart}`) ?? 0) + 1);
    }
    const twice = [...starts].filter(([, n]) => n > 1).map(([k]) => k);
    const requeuedRuns = requeued.map((id) => [starts.get(`${id} 0`), starts.get(`${id} 1`)]);

    const counts = new Map<string, number>();
    for (const w of want.values()) counts.set(w.split(' ')[0]!, (counts.get(w.split(' ')[0]!) ?? 0) + 1);
    console.log(`chaos: ${kills} kill -9 of the controller; ${want.size} jobs (array tasks counted): ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}; `
      + `${wrong.length} in a wrong state, ${twice.length} run twice, ${[...want.keys()].filter((id) => !got.has(id)).length} lost`);
    expect(kills).toBe(20);
    expect(wrong).toEqual([]);
    expect(twice).toEqual([]);
    expect(requeuedRuns).toEqual(requeued.map(() => [1, 1]));
  }, 600_000);
});
