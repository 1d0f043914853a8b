/**
 * Nodes as slurmctld reports them: the slurm.conf description plus what the
 * running jobs hold (CPUs, memory, GPU indices), and the node state Slurm
 * derives from that (IDLE, MIXED, ALLOCATED, +COMPLETING...). Pure: sinfo and
 * `scontrol show node` format these.
 */
import type { ClusterConfig, NodeConfig, PartitionConfig } from './slurm-conf.js';
import { formatMemory } from '../job/values/memory.js';
import { indexRanges } from '../job/index-ranges.js';

/** Slurm's enum node_states (the base state, low 4 bits) and the flags above it (slurm.h). */
export const NODE_STATE = { UNKNOWN: 0, DOWN: 1, IDLE: 2, ALLOCATED: 3, ERROR: 4, MIXED: 5, FUTURE: 6 } as const;
export const NODE_STATE_BASE = 0xf;
export const NODE_FLAG = {
  NET: 0x10,
  RES: 0x20,
  CLOUD: 0x80,
  DRAIN: 0x200,
  COMPLETING: 0x400,
  NO_RESPOND: 0x800,
  FAIL: 0x2000,
  MAINT: 0x40000,
} as const;

/** What one running (or completing) job holds on the nodes. */
export interface HeldResources {
  /** RUNNING, COMPLETING, SUSPENDED */
  state: string;
  alloc: { node: string; cpus: number; memMb: number; gpus: number[] }[];
}

export interface NodeView {
  config: NodeConfig;
  /** the names of the partitions it belongs to, in slurm.conf order */
  partitions: string[];
  /** base state | flags */
  state: number;
  allocCpus: number;
  allocMemMb: number;
  /** GPU indices in use, ascending */
  gpus: number[];
  /** Reason= (down or drained nodes) */
  reason?: string;
}

const CONF_STATE: Record<string, number> = {
  DOWN: NODE_STATE.DOWN,
  DRAIN: NODE_STATE.IDLE | NODE_FLAG.DRAIN,
  FAIL: NODE_STATE.IDLE | NODE_FLAG.FAIL,
  FUTURE: NODE_STATE.FUTURE,
};

/** Nodes (slurm.conf order; FUTURE ones are left out, as Slurm hides them) with their use by `held`. */
export function nodeViews(cluster: ClusterConfig, held: readonly HeldResources[]): NodeView[] {
  const use = new Map<string, { cpus: number; mem: number; gpus: Set<number>; completing: boolean }>();
  for (const job of held) {
    for (const a of job.alloc) {
      let u = use.get(a.node);
      if (!u) use.set(a.node, (u = { cpus: 0, mem: 0, gpus: new Set(), completing: false }));
      u.cpus += a.cpus;
      u.mem += a.memMb;
      for (const g of a.gpus) u.gpus.add(g);
      if (job.state === 'COMPLETING') u.completing = true;
    }
  }
  const views: NodeView[] = [];
  for (const config of cluster.nodes) {
    const base = CONF_STATE[config.state] ?? NODE_STATE.IDLE;
    if (base === NODE_STATE.FUTURE) continue;
    const u = use.get(config.name);
    const allocCpus = Math.min(u?.cpus ?? 0, config.cpus);
    let state = base;
    if (allocCpus > 0 && (base & NODE_STATE_BASE) === NODE_STATE.IDLE) {
      state = (base & ~NODE_STATE_BASE) | (allocCpus >= config.cpus ? NODE_STATE.ALLOCATED : NODE_STATE.MIXED);
    }
    if (u?.completing) state |= NODE_FLAG.COMPLETING;
    const view: NodeView = {
      config,
      partitions: cluster.partitions.filter((p) => p.nodes.includes(config.name)).map((p) => p.name),
      state,
      allocCpus,
      allocMemMb: u?.mem ?? 0,
      gpus: [...(u?.gpus ?? [])].sort((a, b) => a - b),
    };
    const reason = config.conf.reason;
    if (reason !== undefined && base !== NODE_STATE.IDLE) view.reason = reason;
    else if (base === NODE_STATE.DOWN) view.reason = 'Not responding';
    views.push(view);
  }
  return views;
}

const isDraining = (s: number): boolean => {
  const base = s & NODE_STATE_BASE;
  return (s & NODE_FLAG.DRAIN) !== 0 && ((s & NODE_FLAG.COMPLETING) !== 0 || base === NODE_STATE.ALLOCATED || base === NODE_STATE.MIXED);
};

/** node_state_string(): `IDLE`, `MIXED`, `ALLOCATED+`, `DRAINED`, `DOWN*`... */
export function nodeStateString(s: number): string {
  const base = s & NODE_STATE_BASE;
  const comp = (s & NODE_FLAG.COMPLETING) !== 0;
  const star = (s & NODE_FLAG.NO_RESPOND) !== 0 ? '*' : '';
  if (s & NODE_FLAG.DRAIN) return `${isDraining(s) ? 'DRAINING' : 'DRAINED'}${star}`;
  if (s & NODE_FLAG.FAIL) return `${comp || base === NODE_STATE.ALLOCATED ? 'FAILING' : 'FAIL'}${star}`;
  if (base === NODE_STATE.DOWN) return `DOWN${star}`;
  if (base === NODE_STATE.ALLOCATED) return star ? 'ALLOCATED*' : comp ? 'ALLOCATED+' : 'ALLOCATED';
  if (comp) return `COMPLETING${star}`;
  if (base === NODE_STATE.IDLE) return star ? 'IDLE*' : s & NODE_FLAG.RES ? 'RESERVED' : 'IDLE';
  const names = ['UNKNOWN', 'DOWN', 'IDLE', 'ALLOCATED', 'ERROR', 'MIXED', 'FUTURE'];
  return `${names[base] ?? '?'}${star}`;
}

/** node_state_string_compact(): `idle`, `mix`, `alloc`, `drain`, `drng`, `comp`... (upper case). */
export function nodeStateCompact(s: number): string {
  const base = s & NODE_STATE_BASE;
  const comp = (s & NODE_FLAG.COMPLETING) !== 0;
  const star = (s & NODE_FLAG.NO_RESPOND) !== 0 ? '*' : '';
  if (s & NODE_FLAG.DRAIN) return `${isDraining(s) ? 'DRNG' : 'DRAIN'}${star}`;
  if (s & NODE_FLAG.FAIL) return `${comp || base === NODE_STATE.ALLOCATED ? 'FAILG' : 'FAIL'}${star}`;
  if (base === NODE_STATE.DOWN) return `DOWN${star}`;
  if (base === NODE_STATE.ALLOCATED) return star ? 'ALLOC*' : comp ? 'ALLOC+' : 'ALLOC';
  if (comp) return `COMP${star}`;
  if (base === NODE_STATE.IDLE) return star ? 'IDLE*' : s & NODE_FLAG.RES ? 'RESV' : 'IDLE';
  const names = ['UNK', 'DOWN', 'IDLE', 'ALLOC', 'ERROR', 'MIX', 'FUTR'];
  return `${names[base] ?? '?'}${star}`;
}

/** node_state_string_complete() (scontrol's State=): the base state, then `+FLAG` for each flag. */
export function nodeStateComplete(s: number): string {
  const names = ['UNKNOWN', 'DOWN', 'IDLE', 'ALLOCATED', 'ERROR', 'MIXED', 'FUTURE'];
  let out = names[s & NODE_STATE_BASE] ?? 'UNKNOWN';
  const flags: [number, string][] = [
    [NODE_FLAG.CLOUD, 'CLOUD'], [NODE_FLAG.COMPLETING, 'COMPLETING'], [NODE_FLAG.DRAIN, 'DRAIN'],
    [NODE_FLAG.FAIL, 'FAIL'], [NODE_FLAG.MAINT, 'MAINTENANCE'], [NODE_FLAG.NO_RESPOND, 'NOT_RESPONDING'],
    [NODE_FLAG.RES, 'RESERVED'],
  ];
  for (const [bit, name] of flags) if (s & bit) out += `+${name}`;
  return out;
}

// ---- TRES strings --------------------------------------------------------------------------------

/** The GRES names the cluster accounts as TRES (AccountingStorageTRES=gres/gpu...). */
export function trackedGres(cluster: ClusterConfig): Set<string> {
  const tres = cluster.settings.get('accountingstoragetres') ?? '';
  return new Set(tres.split(',').filter((t) => t.startsWith('gres/')).map((t) => t.slice(5).split(':')[0]!));
}

const gresCount = (node: NodeConfig, name: string): number => node.gres.filter((g) => g.name === name).reduce((s, g) => s + g.count, 0);

function tres(entries: [string, number, boolean?][]): string {
  return entries.filter(([, v]) => v > 0).map(([k, v, mem]) => `${k}=${mem ? formatMemory(v) : v}`).join(',');
}

/** CfgTRES= of a node: `cpu=32,mem=250G,billing=32,gres/gpu=8`. */
export function nodeCfgTres(node: NodeConfig, tracked: ReadonlySet<string>): string {
  return tres([['cpu', node.cpus], ['mem', node.realMemory, true], ['billing', node.cpus],
    ...[...tracked].map((g): [string, number] => [`gres/${g}`, gresCount(node, g)])]);
}

/** AllocTRES= of a node: what its jobs hold (`cpu=4,mem=8G,gres/gpu=2`), empty when idle. */
export function nodeAllocTres(view: NodeView, tracked: ReadonlySet<string>): string {
  return tres([['cpu', view.allocCpus], ['mem', view.allocMemMb, true],
    ...[...tracked].map((g): [string, number] => [`gres/${g}`, g === 'gpu' ? view.gpus.length : 0])]);
}

/** TRES= of a partition: the sum over its nodes (`cpu=64,mem=500G,node=2,billing=64,gres/gpu=16`). */
export function partitionTres(part: PartitionConfig, nodes: readonly NodeConfig[], tracked: ReadonlySet<string>): string {
  const members = nodes.filter((n) => part.nodes.includes(n.name));
  const sum = (f: (n: NodeConfig) => number) => members.reduce((s, n) => s + f(n), 0);
  return tres([['cpu', sum((n) => n.cpus)], ['mem', sum((n) => n.realMemory), true], ['node', members.length],
    ['billing', sum((n) => n.cpus)], ...[...tracked].map((g): [string, number] => [`gres/${g}`, sum((n) => gresCount(n, g))])]);
}

/** `gpu:h100:8` (the node's Gres= as Slurm shows it), `(null)` when none. */
export function gresString(node: NodeConfig): string {
  if (node.gres.length === 0) return '(null)';
  return node.gres.map((g) => [g.name, g.type, g.count].filter((x) => x !== undefined).join(':')).join(',');
}

/** GresUsed: `gpu:h100:2(IDX:0-1)`, `gpu:h100:0(IDX:N/A)`; GPU indices count across the node's GPU types. */
export function gresUsedString(view: NodeView): string {
  const node = view.config;
  if (node.gres.length === 0) return '';
  let offset = 0;
  return node.gres.map((g) => {
    const label = [g.name, g.type].filter((x) => x !== undefined).join(':');
    if (g.name !== 'gpu') return `${label}:0`;
    const mine = view.gpus.filter((i) => i >= offset && i < offset + g.count);
    offset += g.count;
    return `${label}:${mine.length}(IDX:${mine.length ? indexRanges(mine) : 'N/A'})`;
  }).join(',');
}

/** The GPUs of a node given to one job, per GPU type: `gpu:h100:2(IDX:0-1)`; '' when it has none there. */
export function jobGresOnNode(node: NodeConfig | undefined, gpus: readonly number[]): string {
  const sorted = [...gpus].sort((a, b) => a - b);
  if (sorted.length === 0) return '';
  const types = node?.gres.filter((g) => g.name === 'gpu') ?? [];
  if (types.length === 0) return `gpu:${sorted.length}(IDX:${indexRanges(sorted)})`;
  const out: string[] = [];
  let offset = 0;
  for (const g of types) {
    const mine = sorted.filter((i) => i >= offset && i < offset + g.count);
    offset += g.count;
    if (mine.length) out.push(`${[g.name, g.type].filter((x) => x !== undefined).join(':')}:${mine.length}(IDX:${indexRanges(mine)})`);
  }
  return out.join(',');
}

/** A job's GPUs over all its nodes, per GPU type (scontrol -d's JOB_GRES=, Slurm's gres_total): `gpu:a100:2`; undefined without. */
export function jobGresTotal(nodes: readonly NodeConfig[], alloc: readonly { node: string; gpus: readonly number[] }[]): string | undefined {
  const counts = new Map<string, number>();
  for (const a of alloc) {
    const types = nodes.find((n) => n.name === a.node)?.gres.filter((g) => g.name === 'gpu') ?? [];
    let offset = 0;
    if (types.length === 0 && a.gpus.length) counts.set('gpu', (counts.get('gpu') ?? 0) + a.gpus.length);
    for (const g of types) {
      const n = a.gpus.filter((i) => i >= offset && i < offset + g.count).length;
      offset += g.count;
      const label = [g.name, g.type].filter((x) => x !== undefined).join(':');
      if (n) counts.set(label, (counts.get(label) ?? 0) + n);
    }
  }
  return counts.size ? [...counts].map(([label, n]) => `${label}:${n}`).join(',') : undefined;
}
