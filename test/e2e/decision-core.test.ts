/**
 * The controller's decisions, table by table (issue 11): real Redis and Lua,
 * the real controller, a FakeDriver the tests steer and a clock they turn by
 * hand (test/helpers/harness.ts). No job process runs; the whole file takes a
 * few seconds. The races are the ones a real deployment meets: a cancel during
 * a start, requests made while no controller runs, a controller killed
 * between allocation and start, a requeue of a running job, preemption.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { planUpdate } from '../../src/store/job-update.js';
import { Harness } from '../helpers/harness.js';

const CONF = `ClusterName=x
DefMemPerCPU=100
MinJobAge=300
NodeName=n[1-2] CPUs=4 RealMemory=8000 State=UNKNOWN
PartitionName=main Nodes=n[1-2] Default=YES MaxTime=INFINITE State=UP
`;
const REQUEUE_DELAY = 121; // slurmctld's, at the real minute length

const harnesses: Harness[] = [];
afterAll(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

async function harness(): Promise<Harness> {
  const h = new Harness(CONF);
  harnesses.push(h);
  await h.startController();
  return h;
}

/** A job started and running under the fake driver. */
async function running(h: Harness, args: string[] = []): Promise<number> {
  const id = await h.sbatch(args);
  await h.pass();
  expect((await h.job(id)).state).toBe('RUNNING');
  return id;
}

describe.concurrent('final states: how a run ends, what the job shows', () => {
  const table: [string, { exit: number; signal?: number; timedOut?: boolean }, string][] = [
    ['the script exits 0', { exit: 0, signal: 0 }, 'COMPLETED None 0:0'],
    ['the script exits 3', { exit: 3, signal: 0 }, 'FAILED NonZeroExitCode 3:0'],
    ['the script is killed by signal 9', { exit: 137, signal: 9 }, 'FAILED JobLaunchFailure 0:9'],
    ['the script exits 137 by itself', { exit: 137, signal: 0 }, 'FAILED NonZeroExitCode 137:0'],
    ['the time limit ends it', { exit: 143, signal: 15, timedOut: true }, 'TIMEOUT TimeLimit 0:15'],
  ];
  for (const [what, how, shown] of table) {
    it(what, async () => {
      const h = await harness();
      const id = await running(h);
      h.driver.end(id, how);
      await h.pass();
      expect(await h.shown(id)).toBe(shown);
      expect(h.driver.startCalls).toHaveLength(1);
      expect(h.driver.forgotten).toEqual([`${h.name}-${id}-1`]);
    });
  }

  const lost: [string, string[], 'node_fail' | 'preempted', string][] = [
    ['its node fails (--no-requeue)', ['--no-requeue'], 'node_fail', 'NODE_FAIL NodeDown 0:0'],
    ['it is preempted (--no-requeue)', ['--no-requeue'], 'preempted', 'PREEMPTED None 0:0'],
  ];
  for (const [what, args, reason, shown] of lost) {
    it(what, async () => {
      const h = await harness();
      const id = await running(h, args);
      h.driver.lose(id, reason);
      await h.pass();
      expect(await h.shown(id)).toBe(shown);
    });
  }

  for (const reason of ['preempted', 'node_fail'] as const) {
    it(`a requeueable job lost (${reason}) goes back to PENDING under its id, and runs again once eligible`, async () => {
      const h = await harness();
      const id = await running(h);
      h.driver.lose(id, reason);
      await h.pass();
      const j = await h.job(id);
      expect([j.state, j.reason, j.restarts]).toEqual(['PENDING', 'BeginTime', 1]);
      expect(j.history.map((r) => r.state)).toEqual([reason === 'preempted' ? 'PREEMPTED' : 'NODE_FAIL']);
      await h.after(REQUEUE_DELAY - 5);
      expect((await h.job(id)).state).toBe('PENDING');
      await h.after(6);
      expect(await h.job(id)).toMatchObject({ state: 'RUNNING', run: 2 });
      h.driver.end(id, { exit: 0, signal: 0 });
      await h.pass();
      expect(await h.shown(id)).toBe('COMPLETED None 0:0');
      expect(h.driver.mostAlive).toBe(1);
    });
  }

  it('a start that fails: FAILED, JobLaunchFailure, 0:53', async () => {
    const h = await harness();
    const id = await h.sbatch([]);
    h.driver.nextStart(id, 'fail');
    await h.pass();
    expect(await h.shown(id)).toBe('FAILED JobLaunchFailure 0:53');
  });
});

describe.concurrent('scheduling', () => {
  it('starts what fits, keeps the rest PENDING (Resources), starts it when a run ends', async () => {
    const h = await harness();
    const ids = [await h.sbatch(['-n4']), await h.sbatch(['-n4']), await h.sbatch(['-n4'])];
    await h.pass();
    expect(await Promise.all(ids.map((id) => h.shown(id)))).toEqual(['RUNNING None 0:0', 'RUNNING None 0:0', 'PENDING Resources 0:0']);
    h.driver.end(ids[0]!, { exit: 0, signal: 0 });
    await h.pass();
    await h.pass();
    expect((await h.job(ids[2]!)).state).toBe('RUNNING');
  });

  it('dependencies: afterok waits, then runs; one that can never be satisfied says so', async () => {
    const h = await harness();
    const a = await h.sbatch([]);
    const b = await h.sbatch([`--dependency=afterok:${a}`]);
    const failing = await h.sbatch([]);
    const never = await h.sbatch([`--dependency=afterok:${failing}`]);
    await h.pass();
    expect(await h.shown(b)).toBe('PENDING Dependency 0:0');
    h.driver.end(a, { exit: 0, signal: 0 });
    h.driver.end(failing, { exit: 1, signal: 0 });
    await h.pass();
    await h.pass();
    expect((await h.job(b)).state).toBe('RUNNING');
    expect(await h.shown(never)).toBe('PENDING DependencyNeverSatisfied 0:0');
  });

  it('an update whose wake message was missed still counts (the record\'s version is checked)', async () => {
    const h = await harness();
    const big = await running(h, ['-n4', '-w', 'n1']);
    const small = await h.sbatch(['-n1', '-w', 'n1']);
    await h.pass();
    expect(await h.shown(small)).toBe('PENDING Resources 0:0');
    h.deafen(); // the controller's subscriber misses what follows
    const job = await h.job(small);
    const plan = planUpdate(job, [['ReqNodeList', 'n2']], h.cluster.config, new Date(h.ms), true, h.cluster.flow);
    if (!plan.ok) throw new Error(plan.message);
    expect(await h.scripts.update(small, JSON.stringify(job.record), JSON.stringify(plan.record), plan.fields, plan.pendingOnly, { uid: 0, any: true })).toBe(1);
    await h.pass();
    expect(await h.job(small)).toMatchObject({ state: 'RUNNING', nodes: 'n2' });
    expect((await h.job(big)).state).toBe('RUNNING');
  });
});

describe.concurrent('CONFIGURING, for a driver whose nodes power up first', () => {
  it('from allocation until the run has started, then RUNNING with StartTime reset; cancellable meanwhile', async () => {
    const h = await harness();
    h.driver.configures = true;
    const id = await h.sbatch([]);
    h.driver.nextStart(id, 'hang'); // a bid waiting for capacity
    await h.pass();
    expect(await h.shown(id)).toBe('CONFIGURING None 0:0');
    await h.after(30);
    expect((await h.job(id)).state).toBe('CONFIGURING'); // no timer meant for local starts ends it
    h.driver.release(id);
    await new Promise((r) => setTimeout(r, 20));
    await h.pass();
    const j = await h.job(id);
    expect([j.state, j.start]).toEqual(['RUNNING', h.now()]);

    const other = await h.sbatch([]);
    h.driver.nextStart(other, 'hang');
    await h.pass();
    expect((await h.job(other)).state).toBe('CONFIGURING');
    expect(await h.cancel(other)).toBe(2);
    h.driver.release(other);
    await new Promise((r) => setTimeout(r, 20));
    await h.pass();
    await h.pass();
    expect(await h.shown(other)).toBe('CANCELLED None 0:15');
  });

  it('a start that is up at once: RUNNING straight after its start', async () => {
    const h = await harness();
    h.driver.configures = true;
    const id = await h.sbatch([]);
    await h.pass();
    expect((await h.job(id)).state).toBe('RUNNING');
  });
});

describe.concurrent('races', () => {
  it('a cancel during a start that hangs: the run is stopped once it has started, CANCELLED, started once', async () => {
    const h = await harness();
    const id = await h.sbatch([]);
    h.driver.nextStart(id, 'hang');
    await h.pass();
    expect(await h.cancel(id)).toBe(2);
    await h.pass();
    expect((await h.job(id)).state).toBe('COMPLETING');
    h.driver.release(id);
    await new Promise((r) => setTimeout(r, 20));
    await h.pass();
    await h.pass();
    expect(await h.shown(id)).toBe('CANCELLED None 0:15');
    expect(h.driver.startCalls).toHaveLength(1);
    expect(h.driver.stops.map((s) => s.why)).toContainEqual({ kind: 'cancel', by: '0' });
  });

  it('a cancel while no controller runs: the next controller stops the run', async () => {
    const h = await harness();
    const id = await running(h);
    h.kill();
    expect(await h.cancel(id)).toBe(2);
    await h.startController();
    await h.pass();
    await h.pass();
    expect(await h.shown(id)).toBe('CANCELLED None 0:15');
  });

  it('a signal while no controller runs: delivered by the next controller, once', async () => {
    const h = await harness();
    const id = await running(h);
    h.kill();
    expect(await h.signal(id, 10)).toBe(1);
    await h.startController();
    await h.pass();
    await h.pass();
    expect(h.driver.signals).toEqual([{ name: `${h.name}-${id}-1`, signal: 10, target: 'batch' }]);
  });

  it('the controller killed between allocation and start: the next one starts the run, once', async () => {
    const h = await harness();
    const id = await h.sbatch([]);
    await h.pass({ starts: false });
    expect((await h.job(id)).state).toBe('RUNNING');
    h.kill();
    await h.startController();
    await h.pass();
    expect(h.driver.startCalls).toEqual([]); // allocated just now: its own start may still come
    await h.after(3);
    expect(h.driver.startCalls).toEqual([`${h.name}-${id}-1`]);
    h.driver.end(id, { exit: 0, signal: 0 });
    await h.pass();
    expect(await h.shown(id)).toBe('COMPLETED None 0:0');
  });

  it('a requeue of a running job that will not die: it does not run again until the old run has ended', async () => {
    const h = await harness();
    const id = await running(h);
    h.driver.ignoreStops(id);
    expect(await h.requeue(id)).toBe(1);
    await h.pass();
    expect(h.driver.stops.at(-1)).toMatchObject({ name: `${h.name}-${id}-1`, why: { kind: 'requeue' } });
    await h.after(REQUEUE_DELAY + 1);
    expect((await h.job(id)).state).toBe('PENDING'); // eligible, but its last run lives
    h.driver.end(id, { exit: 137, signal: 9 }); // KillWait's SIGKILL, in the driver
    await h.pass();
    await h.pass();
    expect(await h.job(id)).toMatchObject({ state: 'RUNNING', run: 2, restarts: 1 });
    expect(h.driver.mostAlive).toBe(1);
  });

  it('a requeue while no controller runs: the next controller stops the old run, then starts the new one', async () => {
    const h = await harness();
    const id = await running(h);
    h.kill();
    expect(await h.requeue(id)).toBe(1);
    await h.startController();
    await h.pass();
    await h.after(REQUEUE_DELAY + 1);
    expect(await h.job(id)).toMatchObject({ state: 'RUNNING', run: 2 });
    expect(h.driver.mostAlive).toBe(1);
  });

  it('two controllers racing for the lease: exactly one leads, and the other takes over only from a dead holder', async () => {
    const h = await harness();
    for (let i = 0; i < 20; i++) {
      await h.redis.del(h.keys.controller);
      const won = await Promise.all([h.scripts.lead(`a${i}`, 6000), h.scripts.lead(`b${i}`, 6000)]);
      expect(won.filter(Boolean)).toHaveLength(1);
      const [winner, loser] = won[0] ? [`a${i}`, `b${i}`] : [`b${i}`, `a${i}`];
      expect(await h.scripts.lead(loser, 6000)).toBe(false);
      expect(await h.scripts.lead(loser, 6000, 'someone-else')).toBe(false);
      expect(await h.scripts.lead(loser, 6000, winner)).toBe(true);
    }
  });

  it('scancel of a pending job: CANCELLED at once, never started', async () => {
    const h = await harness();
    const id = await h.sbatch(['--hold']);
    expect(await h.cancel(id)).toBe(1);
    await h.pass();
    expect(await h.shown(id)).toBe('CANCELLED JobHeldUser 0:0'); // the reason it waited for stays, as real Slurm shows it (golden: details)
    expect(h.driver.startCalls).toEqual([]);
  });
});
