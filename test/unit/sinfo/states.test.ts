/** sinfo -t state names and what they select; the node-name sort order; node state strings. */
import { describe, expect, it } from 'vitest';
import { parseSlurmConf } from '../../../src/cluster/slurm-conf.js';
import { NODE_FLAG, NODE_STATE, nodeStateCompact, nodeStateComplete, nodeStateString, nodeViews } from '../../../src/cluster/node-view.js';
import { parseStates, stateMatches } from '../../../src/format/sinfo/states.js';
import { hostCmp } from '../../../src/format/sinfo/sort.js';

const conf = parseSlurmConf([
  'ClusterName=t',
  'NodeName=n[1-4] CPUs=8 RealMemory=1000',
  'NodeName=d1 CPUs=8 State=DOWN',
  'NodeName=r1 CPUs=8 State=DRAIN Reason=maintenance',
  'NodeName=f1 CPUs=8 State=FUTURE',
  'PartitionName=p Nodes=ALL Default=YES',
].join('\n'));
if (!conf.ok) throw new Error(conf.message);
const views = nodeViews(conf.config, [
  { state: 'RUNNING', alloc: [{ node: 'n1', cpus: 8, memMb: 100, gpus: [] }, { node: 'n2', cpus: 2, memMb: 100, gpus: [] }] },
  { state: 'COMPLETING', alloc: [{ node: 'n3', cpus: 1, memMb: 0, gpus: [] }] },
]);
const named = (q: string) => {
  const p = parseStates(q);
  if (!p.ok) throw new Error(p.bad);
  return views.filter((v) => stateMatches(v, p.states)).map((v) => v.config.name);
};

describe('node states', () => {
  it('come from the CPUs the jobs hold; FUTURE nodes are not shown', () => {
    expect(views.map((v) => [v.config.name, nodeStateString(v.state), nodeStateCompact(v.state), nodeStateComplete(v.state)])).toEqual([
      ['n1', 'ALLOCATED', 'ALLOC', 'ALLOCATED'],
      ['n2', 'MIXED', 'MIX', 'MIXED'],
      ['n3', 'COMPLETING', 'COMP', 'MIXED+COMPLETING'],
      ['n4', 'IDLE', 'IDLE', 'IDLE'],
      ['d1', 'DOWN', 'DOWN', 'DOWN'],
      ['r1', 'DRAINED', 'DRAIN', 'IDLE+DRAIN'],
    ]);
    expect(views.find((v) => v.config.name === 'r1')?.reason).toBe('maintenance');
    expect(nodeStateString(NODE_STATE.MIXED | NODE_FLAG.DRAIN)).toBe('DRAINING');
    expect(nodeStateCompact(NODE_STATE.IDLE | NODE_FLAG.NO_RESPOND)).toBe('IDLE*');
  });

  it.each([
    ['alloc', ['n1', 'n2', 'n3']], // any node with allocated CPUs
    ['a', ['n1', 'n2', 'n3']],
    ['mix', ['n2', 'n3']],
    ['MIXED', ['n2', 'n3']],
    ['idle', ['n4']], // a drained idle node is not IDLE
    ['i', ['n4']],
    ['d', ['d1']], // DOWN comes before DRAIN
    ['drain', ['r1']],
    ['drained', ['r1']],
    ['drng', []],
    ['comp', ['n3']],
    ['idle,down', ['n4', 'd1']],
    ['all', ['n1', 'n2', 'n3', 'n4', 'd1', 'r1']],
  ])('-t %s', (q, expected) => {
    expect(named(q)).toEqual(expected);
  });

  it('rejects unknown names', () => {
    expect(parseStates('idle,bogus')).toEqual({ ok: false, bad: 'bogus' });
    expect(parseStates('allocatedx')).toEqual({ ok: false, bad: 'allocatedx' });
  });
});

describe('node name order (sinfo -S N)', () => {
  it.each([
    ['gpu2', 'gpu10', -1],
    ['gpu10', 'gpu9', 1],
    ['a1', 'b1', -1],
    ['n1', 'n1', 0],
  ])('%s vs %s', (a, b, sign) => {
    expect(Math.sign(hostCmp(a, b))).toBe(sign);
  });
});
