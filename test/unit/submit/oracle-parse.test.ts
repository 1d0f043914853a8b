/**
 * Every accepted submission recorded from real Slurm 22.05.8 (fixtures/oracle/parse,
 * recorded by scripts/record-oracle.sh) must give the same `scontrol show job -o`
 * fields from our front end.
 */
import { describe, expect, it } from 'vitest';
import { oracleCluster, replayLine } from '../../helpers/replay.js';
import { recordings, scontrolFields } from '../../helpers/oracle.js';

/** Values that depend on the controller's run, not on the submission. */
const VOLATILE = new Set(['AllocNode:Sid', 'Priority']);
/** Cases we refuse on purpose (see README: heterogeneous jobs are not supported yet). */
const UNSUPPORTED = new Set(['hetjob']);

const cluster = oracleCluster();
const cases = recordings('parse').filter((r) => r.jobId !== null && r.scontrol && r.scontrol.length > 0);

describe('front end against real Slurm recordings', () => {
  it('has at least 40 recorded scripts', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases.filter((c) => !UNSUPPORTED.has(c.case.name)).map((c) => [c.case.name, c] as const))('%s', (_name, rec) => {
    const ours = replayLine(rec, cluster);
    expect(typeof ours === 'string' ? 'accepted' : ours).toBe('accepted');
    const want = scontrolFields(rec.scontrol![0]!);
    const got = scontrolFields(ours as string);
    for (const [k, v] of want) {
      if (VOLATILE.has(k) && !(k === 'Priority' && v === '0')) continue;
      expect({ field: k, value: got.get(k) }).toEqual({ field: k, value: v });
    }
    expect([...got.keys()].filter((k) => !want.has(k))).toEqual([]);
  });

  it('refuses heterogeneous jobs with a clear error', () => {
    const rec = cases.find((c) => c.case.name === 'hetjob')!;
    const ours = replayLine(rec, cluster);
    expect(ours).toMatchObject({ kind: 'error', exit: 1 });
  });
});
