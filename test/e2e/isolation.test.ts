/**
 * Clusters share nothing by accident: two clusters with the same name, on
 * two databases of one Redis, used by one user (one state directory), run 50
 * jobs each at the same time. Their job ids coincide (both start at 1000), so
 * a shared spool would hand one cluster's end records to the other; every job
 * must end with its own exit code.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisDb, REDIS_URL, TestCluster } from '../helpers/cluster.js';

const CONF = `ClusterName=x
DefMemPerCPU=512
MinJobAge=600
NodeName=n[1-3] CPUs=4 RealMemory=8000 State=UNKNOWN
PartitionName=main Nodes=n[1-3] Default=YES MaxTime=INFINITE State=UP
`;
const JOBS = 50;

const db = Number(new URL(REDIS_URL).pathname.slice(1) || 0);
const name = `twin${process.pid}${Math.random().toString(36).slice(2, 6)}`;
const stateDir = mkdtempSync(join(tmpdir(), 'flow-twins-'));
const twins = [
  new TestCluster({ confText: CONF, name, stateDir }),
  new TestCluster({ confText: CONF, name, stateDir, redisUrl: redisDb(db + 1) }),
];
afterAll(async () => {
  await Promise.all(twins.map((c) => c.destroy()));
  rmSync(stateDir, { recursive: true, force: true });
});

/** Each job's state and exit code, from `scontrol show job -o` (all jobs). */
function outcomes(c: TestCluster): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of c.run('scontrol', ['show', 'job', '-o']).stdout.split('\n')) {
    const id = /^JobId=(\d+)/.exec(line)?.[1];
    if (id) out.set(Number(id), `${/ JobState=(\S+)/.exec(line)?.[1]} ${/ ExitCode=(\S+)/.exec(line)?.[1]}`);
  }
  return out;
}

async function submitAll(c: TestCluster, exitOf: (i: number) => number): Promise<Map<number, string>> {
  const expected = new Map<number, string>();
  for (let i = 0; i < JOBS; i += 5) {
    const batch = await Promise.all([0, 1, 2, 3, 4].map((k) => c.runAsync('sbatch', ['--parsable', '--wrap', `sleep 1; exit ${exitOf(i + k)}`])));
    batch.forEach((r, k) => {
      expect([r.status, r.stderr]).toEqual([0, '']);
      const code = exitOf(i + k);
      expected.set(Number(r.stdout.trim()), code === 0 ? 'COMPLETED 0:0' : `FAILED ${code}:0`);
    });
  }
  return expected;
}

describe('two clusters named alike on two Redis databases', () => {
  it(`run ${JOBS} jobs each at the same time, and every job ends in its own state`, async () => {
    expect(twins[0]!.name).toBe(twins[1]!.name);
    // different exit codes for the same job ids on each side
    const expected = await Promise.all([submitAll(twins[0]!, (i) => i % 3), submitAll(twins[1]!, (i) => (i + 1) % 3)]);
    expect([...expected[0]!.keys()].sort()).toEqual([...expected[1]!.keys()].sort());
    for (const [k, c] of twins.entries()) {
      const want = expected[k]!;
      const got = await c.waitFor(`cluster ${k + 1}'s jobs to end`, () => {
        const o = outcomes(c);
        return [...want.keys()].every((id) => /^(COMPLETED|FAILED|CANCELLED|NODE_FAIL|TIMEOUT)/.test(o.get(id) ?? '')) ? o : undefined;
      }, 120_000);
      expect(new Map([...want.keys()].map((id) => [id, got.get(id)]))).toEqual(want);
    }
  });
});
