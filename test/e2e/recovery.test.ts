/**
 * Nothing is lost: kill -9 the controller while three jobs run and two wait;
 * once a controller is back, every job ends in its final state with the right
 * exit code, and none of them ran twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
