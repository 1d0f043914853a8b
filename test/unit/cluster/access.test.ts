/** Who may act on every job, and who sees whose jobs under PrivateData (slurmctld's rules). */
import { describe, expect, it } from 'vitest';
import { callerOf, isOperator, jobsVisibleOnlyTo, privateData } from '../../../src/cluster/access.js';
import { parseSlurmConf, type ClusterConfig } from '../../../src/cluster/slurm-conf.js';

const BASE = 'ClusterName=x\nNodeName=n1 CPUs=4 State=UNKNOWN\nPartitionName=p Nodes=n1 Default=YES State=UP\n';
function conf(extra: string): ClusterConfig {
  const r = parseSlurmConf(BASE + extra);
  if (!r.ok) throw new Error(r.message);
  return r.config;
}

describe('operators', () => {
  it.each([
    ['', 0, true],
    ['', 1001, false],
    ['SlurmUser=root\n', 0, true],
    ['SlurmUser=1001\n', 1001, true],
    ['SlurmUser=1001\n', 1002, false],
    ['SlurmUser=1001\n', 0, true],
  ])('%j: uid %i may act on every job: %s', (extra, uid, any) => {
    expect(isOperator(uid, conf(extra))).toBe(any);
    expect(callerOf(uid, conf(extra))).toEqual({ uid, any });
  });
});

describe('PrivateData', () => {
  it.each([
    ['', 1001, undefined],
    ['PrivateData=jobs\n', 1001, 1001],
    ['PrivateData=usage,jobs\n', 1001, 1001],
    ['PrivateData=ALL\n', 1001, 1001],
    ['PrivateData=usage,accounts\n', 1001, undefined],
    ['PrivateData=jobs\n', 0, undefined],
    ['PrivateData=jobs\nSlurmUser=1001\n', 1001, undefined],
  ])('%j: uid %i sees only the jobs of %s', (extra, uid, only) => {
    expect(jobsVisibleOnlyTo(uid, conf(extra))).toBe(only);
  });

  it('reads the words in any case', () => {
    expect([...privateData(conf('PrivateData=Jobs,USAGE\n'))]).toEqual(['jobs', 'usage']);
  });
});
