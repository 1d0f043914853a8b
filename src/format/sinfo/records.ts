/**
 * sinfo's records: nodes grouped, per partition, by the values the format
 * shows (Slurm's _build_sinfo_data, _match_part_data, _match_node_data and
 * _update_sinfo in src/sinfo/sinfo.c). Two nodes share a line when every
 * shown property that is a "match flag" is equal; sizes (CPUs, memory...) only
 * split lines with -e. Without -N every partition gets a line even with no
 * nodes. Pure.
 */
import type { PartitionConfig } from '../../cluster/slurm-conf.js';
import { NODE_FLAG, NODE_STATE, NODE_STATE_BASE, gresString, gresUsedString, nodeStateString, type NodeView } from '../../cluster/node-view.js';

/** The properties a format can group by (Slurm's match_flags). */
export type MatchFlag =
  | 'partition' | 'avail' | 'groups' | 'jobSize' | 'defaultTime' | 'maxTime' | 'root' | 'oversubscribe'
  | 'preemptMode' | 'priorityTier' | 'priorityJobFactor' | 'maxCpusPerNode'
  | 'hostnames' | 'nodeAddr' | 'features' | 'featuresAct' | 'gres' | 'gresUsed' | 'reason' | 'reasonTime'
  | 'reasonUser' | 'state' | 'stateComplete' | 'allocMem'
  | 'cpus' | 'sockets' | 'cores' | 'threads' | 'sct' | 'disk' | 'memory' | 'weight' | 'cpuLoad' | 'freeMem'
  | 'port' | 'version';

/** A node as sinfo sees it: the view plus what this host measures (load, free memory). */
export interface SinfoNode {
  view: NodeView;
  /** CPU load x 100 */
  cpuLoad: number;
  /** MB */
  freeMem: number;
}

export interface SinfoRecord {
  part: PartitionConfig;
  partIndex: number;
  /** the first node added: state, features, gres... come from it */
  first?: SinfoNode;
  nodes: string[];
  addrs: string[];
  hostnames: string[];
  minCpus: number; maxCpus: number;
  minSockets: number; maxSockets: number;
  minCores: number; maxCores: number;
  minThreads: number; maxThreads: number;
  minDisk: number; maxDisk: number;
  minMem: number; maxMem: number;
  minWeight: number; maxWeight: number;
  minLoad: number; maxLoad: number;
  minFree: number; maxFree: number;
  nodesAlloc: number; nodesIdle: number; nodesOther: number; nodesTotal: number;
  cpusAlloc: number; cpusIdle: number; cpusOther: number; cpusTotal: number;
  /** the last node's allocated memory (as Slurm keeps it) */
  allocMem: number;
}

export interface GroupOptions {
  match: ReadonlySet<MatchFlag>;
  /** -N: one record per node and partition */
  nodeFlag: boolean;
  /** -e: sizes must match too */
  exact: boolean;
  /** -R: partitions do not matter */
  listReasons: boolean;
}

const hostnameOf = (n: SinfoNode) => n.view.config.hostname ?? n.view.config.name;
const addrOf = (n: SinfoNode) => n.view.config.addr ?? hostnameOf(n);

function emptyRecord(part: PartitionConfig, partIndex: number): SinfoRecord {
  return {
    part, partIndex, nodes: [], addrs: [], hostnames: [],
    minCpus: 0, maxCpus: 0, minSockets: 0, maxSockets: 0, minCores: 0, maxCores: 0, minThreads: 0, maxThreads: 0,
    minDisk: 0, maxDisk: 0, minMem: 0, maxMem: 0, minWeight: 0, maxWeight: 0, minLoad: 0, maxLoad: 0, minFree: 0, maxFree: 0,
    nodesAlloc: 0, nodesIdle: 0, nodesOther: 0, nodesTotal: 0, cpusAlloc: 0, cpusIdle: 0, cpusOther: 0, cpusTotal: 0, allocMem: 0,
  };
}

const partValue: Partial<Record<MatchFlag, (p: PartitionConfig) => string>> = {
  avail: (p) => p.state,
  groups: (p) => p.conf.allowgroups ?? '',
  jobSize: (p) => `${p.minNodes}:${p.maxNodes}`,
  defaultTime: (p) => String(p.defaultTime ?? ''),
  maxTime: (p) => String(p.maxTime),
  root: (p) => p.conf.rootonly ?? '',
  oversubscribe: (p) => (p.conf.oversubscribe ?? p.conf.shared ?? '').toUpperCase(),
  preemptMode: (p) => (p.conf.preemptmode ?? '').toUpperCase(),
  priorityTier: (p) => p.conf.prioritytier ?? p.conf.priority ?? '',
  priorityJobFactor: (p) => p.conf.priorityjobfactor ?? '',
  maxCpusPerNode: (p) => p.conf.maxcpuspernode ?? '',
};

function matchPart(r: SinfoRecord, part: PartitionConfig, o: GroupOptions): boolean {
  if (o.listReasons || r.part === part) return true;
  if (o.match.has('partition') && r.part.name !== part.name) return false;
  for (const [flag, f] of Object.entries(partValue) as [MatchFlag, (p: PartitionConfig) => string][]) {
    if (o.match.has(flag) && f(r.part) !== f(part)) return false;
  }
  return true;
}

/** Node values compared always (when shown), and those compared only with -e. */
const nodeValue: Partial<Record<MatchFlag, (n: SinfoNode) => string | number>> = {
  features: (n) => n.view.config.features.join(','),
  featuresAct: (n) => n.view.config.features.join(','),
  gres: (n) => gresString(n.view.config),
  gresUsed: (n) => gresUsedString(n.view),
  reason: (n) => n.view.reason ?? '',
  reasonTime: () => 0,
  reasonUser: () => 0,
  state: (n) => nodeStateString(n.view.state),
  allocMem: (n) => n.view.allocMemMb,
};
const exactValue: Partial<Record<MatchFlag, (n: SinfoNode) => string | number>> = {
  cpus: (n) => n.view.config.cpus,
  sockets: (n) => n.view.config.sockets,
  cores: (n) => n.view.config.coresPerSocket,
  threads: (n) => n.view.config.threadsPerCore,
  sct: (n) => `${n.view.config.sockets}:${n.view.config.coresPerSocket}:${n.view.config.threadsPerCore}`,
  disk: (n) => n.view.config.tmpDisk,
  memory: (n) => n.view.config.realMemory,
  weight: (n) => n.view.config.weight,
  cpuLoad: (n) => n.cpuLoad,
  freeMem: (n) => n.freeMem,
  port: (n) => n.view.config.port ?? 0,
  version: () => 0,
};

function matchNode(r: SinfoRecord, n: SinfoNode, o: GroupOptions): boolean {
  if (o.nodeFlag) return false;
  const first = r.first!;
  if (o.match.has('hostnames') && !r.hostnames.includes(hostnameOf(n))) return false;
  if (o.match.has('nodeAddr') && !r.addrs.includes(addrOf(n))) return false;
  for (const [flag, f] of Object.entries(nodeValue) as [MatchFlag, (n: SinfoNode) => string | number][]) {
    if (o.match.has(flag) && f(first) !== f(n)) return false;
  }
  if (!o.exact) return true;
  for (const [flag, f] of Object.entries(exactValue) as [MatchFlag, (n: SinfoNode) => string | number][]) {
    if (o.match.has(flag) && f(first) !== f(n)) return false;
  }
  return true;
}

function add(r: SinfoRecord, n: SinfoNode, o: GroupOptions): void {
  const c = n.view.config;
  if (r.nodesTotal === 0) {
    r.first = n;
    r.minCpus = r.maxCpus = c.cpus;
    r.minSockets = r.maxSockets = c.sockets;
    r.minCores = r.maxCores = c.coresPerSocket;
    r.minThreads = r.maxThreads = c.threadsPerCore;
    r.minDisk = r.maxDisk = c.tmpDisk;
    r.minMem = r.maxMem = c.realMemory;
    r.minWeight = r.maxWeight = c.weight;
    r.minLoad = r.maxLoad = n.cpuLoad;
    r.minFree = r.maxFree = n.freeMem;
  } else if (r.nodes.includes(c.name)) {
    return; // already here through another partition
  } else {
    r.minCpus = Math.min(r.minCpus, c.cpus); r.maxCpus = Math.max(r.maxCpus, c.cpus);
    r.minSockets = Math.min(r.minSockets, c.sockets); r.maxSockets = Math.max(r.maxSockets, c.sockets);
    r.minCores = Math.min(r.minCores, c.coresPerSocket); r.maxCores = Math.max(r.maxCores, c.coresPerSocket);
    r.minThreads = Math.min(r.minThreads, c.threadsPerCore); r.maxThreads = Math.max(r.maxThreads, c.threadsPerCore);
    r.minDisk = Math.min(r.minDisk, c.tmpDisk); r.maxDisk = Math.max(r.maxDisk, c.tmpDisk);
    r.minMem = Math.min(r.minMem, c.realMemory); r.maxMem = Math.max(r.maxMem, c.realMemory);
    r.minWeight = Math.min(r.minWeight, c.weight); r.maxWeight = Math.max(r.maxWeight, c.weight);
    r.minLoad = Math.min(r.minLoad, n.cpuLoad); r.maxLoad = Math.max(r.maxLoad, n.cpuLoad);
    r.minFree = Math.min(r.minFree, n.freeMem); r.maxFree = Math.max(r.maxFree, n.freeMem);
  }
  r.nodes.push(c.name);
  if (o.match.has('nodeAddr') && !r.addrs.includes(addrOf(n))) r.addrs.push(addrOf(n));
  if (o.match.has('hostnames') && !r.hostnames.includes(hostnameOf(n))) r.hostnames.push(hostnameOf(n));

  const s = n.view.state;
  const base = s & NODE_STATE_BASE;
  const other = (s & NODE_FLAG.DRAIN) !== 0 || base === NODE_STATE.DOWN;
  if (base === NODE_STATE.ALLOCATED || base === NODE_STATE.MIXED || (s & NODE_FLAG.COMPLETING) !== 0) r.nodesAlloc++;
  else if (other) r.nodesOther++;
  else r.nodesIdle++;
  r.nodesTotal++;
  r.cpusAlloc += n.view.allocCpus;
  r.cpusTotal += c.cpus;
  if (other) r.cpusOther += c.cpus - n.view.allocCpus;
  else r.cpusIdle += c.cpus - n.view.allocCpus;
  r.allocMem = n.view.allocMemMb;
}

/**
 * The records, in the order Slurm builds them (before sorting): with partitions
 * shown and no -N, first one (empty) record per partition, then each node of each
 * partition goes to the first record it matches, or starts a new one.
 * `parts` are the partitions shown, with their index in slurm.conf.
 */
export function groupNodes(parts: readonly { part: PartitionConfig; index: number }[], nodes: readonly SinfoNode[], o: GroupOptions): SinfoRecord[] {
  const records: SinfoRecord[] = [];
  if (!o.nodeFlag && o.match.has('partition') && !o.listReasons) for (const p of parts) records.push(emptyRecord(p.part, p.index));
  const byName = new Map(nodes.map((n) => [n.view.config.name, n]));
  for (const { part, index } of parts) {
    for (const name of part.nodes) {
      const n = byName.get(name);
      if (!n) continue;
      const r = records.find((x) => matchPart(x, part, o) && (x.nodesTotal === 0 || matchNode(x, n, o)));
      if (r) add(r, n, o);
      else {
        const fresh = emptyRecord(part, index);
        add(fresh, n, o);
        records.push(fresh);
      }
    }
  }
  return records;
}
