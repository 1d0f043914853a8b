/**
 * sinfo's fields, one entry each (Slurm's fmt_data[] in src/sinfo/opts.c and
 * the _print_* functions of src/sinfo/print.c): the `-O` name, the `-o`
 * letter, the header, the property it groups nodes by, and its value for a
 * record. `%P` and `-O Partition` are the same entry.
 */
import { compressHostlistSorted } from '../../job/values/hostlist.js';
import { gresString, gresUsedString, nodeStateCompact, nodeStateComplete, nodeStateString } from '../../cluster/node-view.js';
import type { PartitionConfig } from '../../cluster/slurm-conf.js';
import type { MatchFlag, SinfoRecord } from './records.js';

export interface PrintContext {
  /** the PARTITION column's width in the default formats (the longest name, at least 9) */
  partWidth?: number;
  /** the NODELIST column's width in the default -N formats */
  nodeWidth?: number;
  /** false with --noconvert: counts are not shortened to K, M... */
  convert: boolean;
  /** the cluster's PreemptMode (partitions without their own) */
  preemptMode: string;
  version: string;
}

export interface SinfoField {
  /** -O name (matched case-insensitively) */
  name: string;
  /** -o letter */
  letter?: string;
  header: string;
  match?: MatchFlag;
  /** takes the computed partition (or node list) width when the default format asks for it */
  sized?: 'partition' | 'node';
  /** the header is not cut to the width when right-justified (NODELIST, HOSTNAMES, NODE_ADDR) */
  headerUncut?: boolean;
  value(r: SinfoRecord, ctx: PrintContext, width: number): string;
}

const INFINITE = 'UNLIMITED';

/** convert_num_unit(..., CONVERT_NUM_UNIT_EXACT): 2048 -> `2K`, only when exactly divisible. */
function convertNum(n: number, convert: boolean): string {
  if (!convert) return String(n);
  const units = ['', 'K', 'M', 'G', 'T', 'P'];
  let u = 0;
  while (n >= 1024 && n % 1024 === 0 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return `${n}${units[u]}`;
}

/** `_build_min_max_*_string`: `32`, `16+` (range=false) or `1-4`/`1-infinite` (range=true). */
function minMax(min: string, max: string, range: boolean): string {
  if (min === max) return max;
  return range ? `${min}-${max}` : `${min}+`;
}

/** `_print_secs`: `M:SS`, `H:MM:SS`, `D-HH:MM:SS`. */
export function sinfoSecs(t: number): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const days = Math.floor(t / 86400);
  const h = Math.floor(t / 3600) % 24;
  const m = Math.floor(t / 60) % 60;
  const s = t % 60;
  if (days) return `${days}-${two(h)}:${two(m)}:${two(s)}`;
  if (h) return `${h}:${two(m)}:${two(s)}`;
  return `${m}:${two(s)}`;
}

const minutes = (v: number | 'UNLIMITED' | undefined, none: string): string =>
  v === undefined ? none : v === INFINITE ? 'infinite' : sinfoSecs(v * 60);

const yes = (v: string | undefined) => v !== undefined && /^yes$/i.test(v);
const lower = (s: string) => s.toLowerCase();

/** OverSubscribe= of a partition as Slurm shows it: NO, EXCLUSIVE, YES:4, FORCE:4, YES:N. */
export function oversubscribeOf(p: PartitionConfig): string {
  const raw = (p.conf.oversubscribe ?? p.conf.shared ?? 'NO').toUpperCase();
  const [kind, n] = raw.split(':');
  if (kind === 'EXCLUSIVE') return 'EXCLUSIVE';
  if (kind === 'YES') return `YES:${n ?? 4}`;
  if (kind === 'FORCE') return `FORCE:${n ?? 4}`;
  return 'NO';
}

const avail = (p: PartitionConfig): string => {
  const s = p.state.toUpperCase();
  return s === 'UP' ? 'up' : s === 'DOWN' ? 'down' : s === 'DRAIN' ? 'drain' : s === 'INACTIVE' ? 'inactive' : 'unknown';
};

const state = (r: SinfoRecord, f: (s: number) => string): string => (r.nodesTotal && r.first ? lower(f(r.first.view.state)) : 'n/a');
const load = (v: number) => (v / 100).toFixed(2);

const fields: SinfoField[] = [
  { name: 'AllocMem', header: 'ALLOCMEM', match: 'allocMem', value: (r) => String(r.allocMem) },
  { name: 'AllocNodes', letter: 'S', header: 'ALLOCNODES', value: (r) => r.part.conf.allocnodes ?? 'all' },
  { name: 'Available', letter: 'a', header: 'AVAIL', match: 'avail', value: (r) => avail(r.part) },
  { name: 'Cluster', letter: 'V', header: 'CLUSTER', value: () => 'N/A' },
  { name: 'Cores', letter: 'Y', header: 'CORES', match: 'cores', value: (r, c) => minMax(convertNum(r.minCores, c.convert), convertNum(r.maxCores, c.convert), false) },
  { name: 'CPUs', letter: 'c', header: 'CPUS', match: 'cpus', value: (r, c) => minMax(convertNum(r.minCpus, c.convert), convertNum(r.maxCpus, c.convert), false) },
  { name: 'CPUsLoad', letter: 'O', header: 'CPU_LOAD', match: 'cpuLoad', value: (r) => minMax(load(r.minLoad), load(r.maxLoad), true) },
  { name: 'CPUsState', letter: 'C', header: 'CPUS(A/I/O/T)', match: 'cpus', value: (r) => `${r.cpusAlloc}/${r.cpusIdle}/${r.cpusOther}/${r.cpusTotal}` },
  { name: 'DefaultTime', letter: 'L', header: 'DEFAULTTIME', match: 'defaultTime', value: (r) => minutes(r.part.defaultTime, 'n/a') },
  { name: 'Disk', letter: 'd', header: 'TMP_DISK', match: 'disk', value: (r) => minMax(String(r.minDisk), String(r.maxDisk), false) },
  { name: 'Features', letter: 'f', header: 'AVAIL_FEATURES', match: 'features', value: (r) => r.first?.view.config.features.join(',') || '(null)' },
  { name: 'features_act', letter: 'b', header: 'ACTIVE_FEATURES', match: 'featuresAct', value: (r) => r.first?.view.config.features.join(',') || '(null)' },
  { name: 'FreeMem', letter: 'e', header: 'FREE_MEM', match: 'freeMem', value: (r) => minMax(String(r.minFree), String(r.maxFree), true) },
  { name: 'Gres', letter: 'G', header: 'GRES', match: 'gres', value: (r) => (r.first ? gresString(r.first.view.config) : '(null)') },
  { name: 'GresUsed', header: 'GRES_USED', match: 'gresUsed', value: (r) => (r.first ? gresUsedString(r.first.view) || '(null)' : '(null)') },
  { name: 'Groups', letter: 'g', header: 'GROUPS', match: 'groups', value: (r) => r.part.conf.allowgroups ?? 'all' },
  { name: 'MaxCPUsPerNode', letter: 'B', header: 'MAX_CPUS_PER_NODE', match: 'maxCpusPerNode', value: (r) => r.part.conf.maxcpuspernode ?? 'UNLIMITED' },
  { name: 'Memory', letter: 'm', header: 'MEMORY', match: 'memory', value: (r) => minMax(String(r.minMem), String(r.maxMem), false) },
  { name: 'NodeAddr', letter: 'o', header: 'NODE_ADDR', match: 'nodeAddr', headerUncut: true, value: (r) => compressHostlistSorted(r.addrs) },
  { name: 'NodeAI', letter: 'A', header: 'NODES(A/I)', value: (r) => `${r.nodesAlloc}/${r.nodesIdle}` },
  { name: 'NodeAIOT', letter: 'F', header: 'NODES(A/I/O/T)', value: (r) => `${r.nodesAlloc}/${r.nodesIdle}/${r.nodesOther}/${r.nodesTotal}` },
  { name: 'NodeHost', letter: 'n', header: 'HOSTNAMES', match: 'hostnames', sized: 'node', headerUncut: true, value: (r) => compressHostlistSorted(r.hostnames) },
  { name: 'NodeList', letter: 'N', header: 'NODELIST', sized: 'node', headerUncut: true, value: (r) => compressHostlistSorted(r.nodes) },
  { name: 'Nodes', letter: 'D', header: 'NODES', value: (r) => String(r.nodesTotal) },
  { name: 'OverSubscribe', letter: 'h', header: 'OVERSUBSCRIBE', match: 'oversubscribe', value: (r) => oversubscribeOf(r.part) },
  {
    name: 'Partition', letter: 'P', header: 'PARTITION', match: 'partition', sized: 'partition',
    value: (r, _c, width) => {
      let name = r.part.name;
      if (r.part.isDefault) name = name.length < width || width === 0 ? `${name}*` : `${name.slice(0, width - 1)}*${name.slice(width)}`;
      return name;
    },
  },
  { name: 'PartitionName', letter: 'R', header: 'PARTITION', match: 'partition', sized: 'partition', value: (r) => r.part.name },
  { name: 'Port', header: 'PORT', match: 'port', value: (r, c) => convertNum(r.first?.view.config.port ?? 0, c.convert) },
  { name: 'PreemptMode', letter: 'M', header: 'PREEMPT_MODE', match: 'preemptMode', value: (r, c) => (r.part.conf.preemptmode ?? c.preemptMode).toUpperCase() },
  { name: 'PriorityJobFactor', letter: 'I', header: 'PRIO_JOB_FACTOR', match: 'priorityJobFactor', value: (r) => r.part.conf.priorityjobfactor ?? '1' },
  { name: 'PriorityTier', letter: 'p', header: 'PRIO_TIER', match: 'priorityTier', value: (r) => r.part.conf.prioritytier ?? r.part.conf.priority ?? '1' },
  { name: 'Reason', letter: 'E', header: 'REASON', match: 'reason', value: (r) => r.first?.view.reason ?? 'none' },
  { name: 'Root', letter: 'r', header: 'ROOT', match: 'root', value: (r) => (yes(r.part.conf.rootonly) ? 'yes' : 'no') },
  { name: 'Share', header: 'OVERSUBSCRIBE', match: 'oversubscribe', value: (r) => oversubscribeOf(r.part) },
  {
    name: 'Size', letter: 's', header: 'JOB_SIZE', match: 'jobSize',
    value: (r, c) => {
      const max = r.part.maxNodes;
      const min = r.part.minNodes < 1 && max !== 0 ? 1 : r.part.minNodes;
      return minMax(convertNum(min, c.convert), max === INFINITE ? 'infinite' : convertNum(max, c.convert), true);
    },
  },
  { name: 'Sockets', letter: 'X', header: 'SOCKETS', match: 'sockets', value: (r, c) => minMax(convertNum(r.minSockets, c.convert), convertNum(r.maxSockets, c.convert), false) },
  {
    name: 'SocketCoreThread', letter: 'z', header: 'S:C:T', match: 'sct',
    value: (r, c) => [[r.minSockets, r.maxSockets], [r.minCores, r.maxCores], [r.minThreads, r.maxThreads]]
      .map(([a, b]) => minMax(convertNum(a!, c.convert), convertNum(b!, c.convert), false)).join(':'),
  },
  { name: 'StateCompact', letter: 't', header: 'STATE', match: 'state', value: (r) => state(r, nodeStateCompact) },
  { name: 'StateComplete', header: 'STATECOMPLETE', match: 'stateComplete', value: (r) => state(r, nodeStateComplete) },
  { name: 'StateLong', letter: 'T', header: 'STATE', match: 'state', value: (r) => state(r, nodeStateString) },
  { name: 'Threads', letter: 'Z', header: 'THREADS', match: 'threads', value: (r, c) => minMax(convertNum(r.minThreads, c.convert), convertNum(r.maxThreads, c.convert), false) },
  { name: 'Time', letter: 'l', header: 'TIMELIMIT', match: 'maxTime', value: (r) => minutes(r.part.maxTime, 'n/a') },
  { name: 'TimeStamp', letter: 'H', header: 'TIMESTAMP', match: 'reasonTime', value: () => 'Unknown' },
  { name: 'User', letter: 'u', header: 'USER', match: 'reasonUser', value: () => 'Unknown' },
  { name: 'UserLong', letter: 'U', header: 'USER', match: 'reasonUser', value: () => 'Unknown' },
  { name: 'Version', letter: 'v', header: 'VERSION', match: 'version', value: (_r, c) => c.version },
  { name: 'Weight', letter: 'w', header: 'WEIGHT', match: 'weight', value: (r) => minMax(String(r.minWeight), String(r.maxWeight), false) },
];

/** -o letters (the first entry with a letter wins, as in Slurm's table walk). */
export const BY_LETTER: ReadonlyMap<string, SinfoField> = new Map(
  fields.filter((f) => f.letter).reverse().map((f) => [f.letter!, f] as [string, SinfoField]),
);

/** -O names, lower-cased. */
export const BY_NAME: ReadonlyMap<string, SinfoField> = new Map(fields.map((f) => [f.name.toLowerCase(), f] as [string, SinfoField]));
