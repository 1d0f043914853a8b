/**
 * `scontrol show config | partition | node`: the formatters against what real
 * Slurm 22.05.8 printed on the golden cluster (fixtures/golden/recorded/cluster.json),
 * given the same host values; then the command's entity forms and errors.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSlurmConf } from '../../../src/cluster/slurm-conf.js';
import { nodeViews, trackedGres, type HeldResources } from '../../../src/cluster/node-view.js';
import { showConfig } from '../../../src/format/scontrol/show-config.js';
import { showNode, type NodeHostFacts } from '../../../src/format/scontrol/show-node.js';
import { showPartition } from '../../../src/format/scontrol/show-partition.js';
import { scontrol } from '../../../src/commands/scontrol.js';
import type { IO } from '../../../src/commands/io.js';

const ROOT = join(__dirname, '..', '..', '..');
const CONF_PATH = join(ROOT, 'fixtures', 'golden', 'slurm.conf');
// the recordings' scenarios start each cluster with FirstJobId=1000 (left out of the copied slurm.conf)
const parsed = parseSlurmConf(`${readFileSync(CONF_PATH, 'utf8')}FirstJobId=1000\n`);
if (!parsed.ok) throw new Error(parsed.message);
const config = parsed.config;
const recorded = new Map(
  (JSON.parse(readFileSync(join(ROOT, 'fixtures', 'golden', 'recorded', 'cluster.json'), 'utf8')) as { queries: { id: string; stdout: string }[] })
    .queries.map((q) => [q.id, q.stdout]),
);
const BUSY: HeldResources[] = [{ state: 'RUNNING', alloc: [{ node: 'gpu1', cpus: 4, memMb: 8192, gpus: [0, 1] }] }];
/** local wall-clock time (the recordings print local times) */
const at = (y: number, mo: number, d: number, h: number, mi: number, s: number) => Math.floor(new Date(y, mo - 1, d, h, mi, s).getTime() / 1000);
/** the recording machine's values */
const HOST: NodeHostFacts = {
  arch: 'x86_64',
  os: 'Linux 6.18.44-fc-v657 #1 SMP PREEMPT_DYNAMIC @0',
  cpuLoad: 100,
  freeMem: 22606,
  bootTime: at(2026, 11, 28, 17, 50, 42),
  slurmdStartTime: at(2026, 11, 28, 21, 22, 13),
};
const tracked = trackedGres(config);

describe('formatters against real Slurm', () => {
  it('show config: every line (the recording machine\'s host name, paths and clock)', () => {
    const out = showConfig(config, {
      confPath: '/etc/flow-golden-oracle/slurm.conf',
      hostname: 'vm',
      bootTime: at(2026, 11, 28, 21, 22, 12),
      now: at(2026, 11, 28, 21, 22, 13),
      nextJobId: 1000,
      userWithId: (name) => `${name}(0)`,
    });
    expect(out).toBe(recorded.get('snakemake-plugin-scontrol-show-config'));
  });

  it('show partition, multi-line and -o', () => {
    const ctx = { nodes: config.nodes, trackedGres: tracked, settings: config.settings };
    expect(config.partitions.map((p) => showPartition(p, ctx, false)).join('')).toBe(recorded.get('scontrol-show-partition'));
    expect(config.partitions.map((p) => showPartition(p, ctx, true)).join('')).toBe(recorded.get('ood-scontrol-show-part-o'));
  });

  it('show node, idle and with a 2-GPU job (CPUAlloc, AllocMem, State=MIXED, AllocTRES); Port= only when not SlurmdPort', () => {
    const ctx = { host: HOST, trackedGres: tracked, slurmdPort: 6921, version: '22.05.8' };
    expect(showNode(nodeViews(config, [])[0]!, ctx, false)).toBe(recorded.get('scontrol-show-node-gpu1-idle'));
    expect(showNode(nodeViews(config, BUSY)[0]!, ctx, false)).toBe(recorded.get('scontrol-show-node-gpu1-busy'));
    // the recording's other nodes booted a second earlier than gpu1
    const others = { ...ctx, host: { ...HOST, bootTime: HOST.bootTime - 1 } };
    const oneLine = nodeViews(config, []).map((v, i) => showNode(v, i === 0 ? ctx : others, true)).join('');
    expect(oneLine).toBe(recorded.get('dstack-scontrol-show-o-node'));
  });
});

describe('scontrol show config|partition|node (command)', () => {
  const state = mkdtempSync(join(tmpdir(), 'scontrol-unit-'));
  async function show(args: string[], oneLiner = false): Promise<{ exit: number | undefined; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const io: IO = {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      readStdin: () => Buffer.alloc(0),
      env: { SLURM_CONF: CONF_PATH, FLOW_STATE_DIR: state },
      cwd: ROOT,
      now: () => new Date(2026, 10, 28, 21, 22, 13),
    };
    // these entities never read jobs: the job-side dependencies are never called
    const unused = () => {
      throw new Error('not used by show config|node|partition');
    };
    const exit = await scontrol(['show', ...args, ...(oneLiner ? ['-o'] : [])], io, {
      view: async () => ({ held: BUSY, nextJobId: 1001 }),
      source: { load: unused, steps: unused, close: unused },
      hold: unused,
      requeue: unused,
      update: unused,
      shutdown: unused,
    });
    return { exit, stdout, stderr };
  }
  const first = (s: string) => s.split('\n')[0] ?? '';

  it.each([
    [['node', 'gpu2'], 'NodeName=gpu2 Arch='],
    [['nodes', 'gpu2'], 'NodeName=gpu2 Arch='],
    [['n', 'gpu2'], 'NodeName=gpu2 Arch='],
    [['node=gpu2'], 'NodeName=gpu2 Arch='],
    [['NODE', 'gpu[2-3]'], 'NodeName=gpu2 Arch='],
    [['partition', 'a100'], 'PartitionName=a100'],
    [['pa'], 'PartitionName=h100'],
    [['partitions'], 'PartitionName=h100'],
    [['PartitionName=a100'], 'PartitionName=a100'],
    [['c'], 'Configuration data as of 2026-11-28T21:22:13'],
    [['config'], 'Configuration data as of 2026-11-28T21:22:13'],
  ])('show %j', async (args, line) => {
    const r = await show(args);
    expect(r.exit).toBe(0);
    expect(r.stderr).toBe('');
    expect(first(r.stdout).startsWith(line)).toBe(true);
  });

  it('a node list shows each node; -o one line each', async () => {
    const r = await show(['node', 'gpu[1-2]'], true);
    expect(r.stdout.split('\n').map((l) => l.split(' ')[0])).toEqual(['NodeName=gpu1', 'NodeName=gpu2', '']);
    expect(r.stdout).toContain('CPUAlloc=4 ');
  });

  it('the controller\'s view: NEXT_JOB_ID, node use', async () => {
    expect((await show(['config'])).stdout).toContain('\nNEXT_JOB_ID             = 1001\n');
    expect((await show(['node', 'gpu1'])).stdout).toContain('\n   State=MIXED ThreadsPerCore=1');
  });

  it.each([
    [['node', 'nosuch'], { exit: 1, stdout: 'Node nosuch not found\n', stderr: '' }],
    [['node', 'gpu1,nosuch'], { exit: 1, stdout: 'Node nosuch not found\n', stderr: '' }],
    [['partition', 'nosuch'], { exit: 1, stdout: 'Partition nosuch not found\n', stderr: '' }],
    [['node', 'a', 'b'], { exit: 1, stdout: '', stderr: 'too many arguments for keyword:show\n' }],
    [['node', 'gpu[3-1]'], { exit: 1, stdout: '', stderr: 'scontrol: error: _parse_single_range: Invalid range: `3-1\'\nunable to parse node list gpu[3-1]\n' }],
  ])('show %j', async (args, expected) => {
    const r = await show(args);
    if (args[1] === 'gpu1,nosuch') r.stdout = r.stdout.slice(r.stdout.indexOf('Node nosuch'));
    expect(r).toEqual(expected);
  });

  it('refuses what is no entity, as scontrol words it (with a space before the newline)', async () => {
    for (const e of ['p', 'configuration', 'bogus']) {
      expect(await show([e])).toEqual({ exit: 1, stdout: '', stderr: `invalid entity:${e} for keyword:show \n` });
    }
  });
});
