/**
 * Nothing is lost: kill -9 the controller while three jobs run and two wait;
 * once a controller is back, every job ends in its final state with the right
 * exit code, and none of them ran twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestCluster } from '../helpers/cluster.js';

const CONF = `ClusterName=x
DefMemPerCPU=1024
MinJobAge=300
NodeName=n[1-3] CPUs=4 RealMemory=8000 Gres=gpu:2 State=UNKNOWN
PartitionName=main Nodes=n[1-3] Default=YES MaxTime=INFINITE State=UP
`;

let c: TestCluster;
beforeAll(() => {
  c = new TestCluster({ confText: CONF });
});
afterAll(async () => {
  await c.destroy();
});

// the two run side by side: each has its own cluster (and the second its own Redis)
describe.concurrent('recovery', () => {
  describe('controller crash', () => {
    it('finishes every job exactly once after kill -9 of the controller', async () => {
      const log = join(c.dir, 'starts.log');
      const script = join(c.dir, 'job.sh');
      writeFileSync(script, `#!/bin/bash\necho "start $SLURM_JOB_ID" >> ${log}\nsleep 4\nexit $1\n`);
      const codes = [0, 3, 0, 7, 0];
      const ids = codes.map((code) => c.submit(['--exclusive', script, String(code)]));
      await c.waitFor('three running, two pending', () => {
        const states = ids.map((id) => c.job(id).get('JobState'));
        return states.filter((s) => s === 'RUNNING').length === 3 && states.filter((s) => s === 'PENDING').length === 2;
      });
      const pid = await c.controllerPid();
      expect(pid).toBeGreaterThan(0);
      process.kill(pid!, 'SIGKILL');

      // commands bring a controller back once the dead one's lease runs out
      for (const [i, id] of ids.entries()) {
        const j = await c.waitState(id, ['COMPLETED', 'FAILED'], 60_000);
        expect(j.get('ExitCode')).toBe(`${codes[i]}:0`);
        expect(j.get('JobState')).toBe(codes[i] === 0 ? 'COMPLETED' : 'FAILED');
      }
      const starts = readFileSync(log, 'utf8').trim().split('\n').sort();
      expect(starts).toEqual(ids.map((id) => `start ${id}`).sort());
      expect(await c.controllerPid()).not.toBe(pid);
    });
  });

  describe('Redis restart', () => {
    // our own redis-server (no FLOW_REDIS_URL): persistence under the state directory, as a user without a Redis gets
    let own: TestCluster;
    const redisPid = () => Number(readFileSync(join(own.dir, 'state', 'redis', 'redis.pid'), 'utf8'));
    beforeAll(() => {
      own = new TestCluster({ confText: CONF, extraEnv: { FLOW_REDIS_URL: '' } });
    });
    afterAll(async () => {
      await own.destroyWithOwnRedis();
    });

    it('loses no job: one that ends while Redis is down, one still waiting, both end as they should', async () => {
      const running = own.submit(['--exclusive', '-N3', '-o', 'run.out', '--wrap', 'sleep 3; echo ran; exit 4']);
      const waiting = own.submit(['-o', 'wait.out', '--wrap', 'echo waited']);
      await own.waitState(running, ['RUNNING']);
      expect(own.job(waiting).get('JobState')).toBe('PENDING');
      const first = redisPid();
      process.kill(first, 'SIGTERM'); // a clean shutdown: Redis writes its append-only file first
      await own.waitFor('redis-server gone', () => spawnSync('kill', ['-0', String(first)]).status !== 0);
      await new Promise((r) => setTimeout(r, 4000)); // the running job ends while Redis is down

      // the next command starts Redis again from its file; the controller collects the job's end from the spool
      const ran = await own.waitState(running, ['FAILED'], 60_000);
      expect(ran.get('ExitCode')).toBe('4:0');
      const waited = await own.waitState(waiting, ['COMPLETED'], 60_000);
      expect(waited.get('ExitCode')).toBe('0:0');
      expect(redisPid()).not.toBe(first);
      expect(readFileSync(join(own.dir, 'run.out'), 'utf8')).toBe('ran\n');
      expect(readFileSync(join(own.dir, 'wait.out'), 'utf8')).toBe('waited\n');
    });
  });
});
