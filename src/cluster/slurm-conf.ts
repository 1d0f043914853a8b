/**
 * The cluster description, read from slurm.conf the way Slurm reads it: keys
 * are case-insensitive, `#` starts a comment, a trailing `\` continues a line,
 * `NodeName`/`PartitionName` lines carry their own key=value lists and
 * `DEFAULT` entries set defaults for the lines after them. Only what the
 * emulator uses is interpreted; every other line is accepted and kept.
 */
import { expandHostlist } from '../job/values/index.js';

export interface GresConfig {
  name: string;
  type?: string;
  count: number;
}

export interface NodeConfig {
  name: string;
  /** NodeAddr (default: the host name) */
  addr?: string;
  /** NodeHostname (default: the node name) */
  hostname?: string;
  /** Port of its slurmd (default: SlurmdPort) */
  port?: number;
  cpus: number;
  boards: number;
  sockets: number;
  coresPerSocket: number;
  threadsPerCore: number;
  /** MB */
  realMemory: number;
  gres: GresConfig[];
  features: string[];
  weight: number;
  /** MB of TmpFS */
  tmpDisk: number;
  state: string;
  /** every key=value of its line (and the DEFAULT lines before it), by lower-case key, as written */
  conf: Record<string, string>;
}

export interface PartitionConfig {
  name: string;
  nodes: string[];
  /** the `Nodes=` expression as written */
  nodesExpr: string;
  isDefault: boolean;
  /** minutes or unlimited */
  maxTime: number | 'UNLIMITED';
  defaultTime?: number | 'UNLIMITED';
  maxNodes: number | 'UNLIMITED';
  minNodes: number;
  state: string;
  hidden: boolean;
  /** every key=value of its line (and the DEFAULT lines before it), by lower-case key, as written */
  conf: Record<string, string>;
}

export interface ClusterConfig {
  clusterName: string;
  nodes: NodeConfig[];
  partitions: PartitionConfig[];
  /** MB per CPU when a job asks for no memory; undefined = whole node */
  defMemPerCPU?: number;
  defMemPerNode?: number;
  minJobAge: number;
  maxArraySize: number;
  maxJobCount: number;
  firstJobId: number;
  accountingStorageType: string;
  selectTypeParameters: string;
  /** every key=value line, by lower-case key, last one winning */
  settings: Map<string, string>;
}

export type ConfResult = { ok: true; config: ClusterConfig } | { ok: false; line: number; message: string };

/** Split a line into key=value pairs; values may be quoted. */
function pairs(line: string): [string, string][] {
  const out: [string, string][] = [];
  const re = /([A-Za-z0-9_]+)=("([^"]*)"|\S*)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push([m[1]!, m[3] ?? m[2]!]);
  return out;
}

function logicalLines(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let pending = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    let l = raw.replace(/\r$/, '');
    const hash = l.indexOf('#');
    if (hash >= 0) l = l.slice(0, hash);
    if (pending === '') start = i + 1;
    if (l.endsWith('\\')) {
      pending += l.slice(0, -1) + ' ';
      return;
    }
    pending += l;
    if (pending.trim() !== '') out.push({ line: start, text: pending.trim() });
    pending = '';
  });
  if (pending.trim() !== '') out.push({ line: start, text: pending.trim() });
  return out;
}

/** `Time` values in slurm.conf: minutes, `D-HH:MM:SS` etc., or INFINITE/UNLIMITED. */
function confTime(v: string): number | 'UNLIMITED' | undefined {
  if (/^(infinite|unlimited)$/i.test(v)) return 'UNLIMITED';
  const m = /^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$/.exec(v);
  if (!m) return undefined;
  const [, d, a, b, c] = m;
  if (d !== undefined) return Number(d) * 1440 + Number(a) * 60 + Number(b ?? 0) + (c ? Math.ceil(Number(c) / 60) : 0);
  if (c !== undefined) return Number(a) * 60 + Number(b) + Math.ceil(Number(c) / 60);
  if (b !== undefined) return Number(a) + Math.ceil(Number(b) / 60);
  return Number(a);
}

function parseGres(v: string): GresConfig[] {
  if (!v || /^none$/i.test(v)) return [];
  return v.split(',').map((item) => {
    const parts = item.split(':');
    const name = parts[0]!;
    const last = parts[parts.length - 1]!;
    const countIsLast = parts.length > 1 && /^\d+[kKmMgG]?$/.test(last);
    const count = countIsLast ? parseCount(last) : 1;
    const type = parts.length === 3 || (parts.length === 2 && !countIsLast) ? parts[1] : undefined;
    return type === undefined ? { name, count } : { name, type, count };
  });
}

function parseCount(v: string): number {
  const m = /^(\d+)([kKmMgG]?)$/.exec(v)!;
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(m[1]) * mult;
}

const lower = (pairsList: [string, string][]) => new Map(pairsList.map(([k, v]) => [k.toLowerCase(), v]));

export function parseSlurmConf(text: string): ConfResult {
  const settings = new Map<string, string>();
  const nodes: NodeConfig[] = [];
  const partitions: PartitionConfig[] = [];
  let nodeDefaults = new Map<string, string>();
  let partDefaults = new Map<string, string>();

  for (const { line, text: l } of logicalLines(text)) {
    const kv = pairs(l);
    if (kv.length === 0) {
      if (/^include\s/i.test(l)) continue;
      return { ok: false, line, message: `Parse error in slurm.conf line ${line}: ${l}` };
    }
    const firstKey = kv[0]![0].toLowerCase();
    if (firstKey === 'nodename') {
      const map = lower(kv);
      const name = map.get('nodename')!;
      if (/^default$/i.test(name)) {
        nodeDefaults = new Map([...nodeDefaults, ...map]);
        continue;
      }
      const merged = new Map([...nodeDefaults, ...map]);
      const names = expandHostlist(name);
      if (!names.ok) return { ok: false, line, message: `Invalid NodeName ${name}` };
      const perNode = (key: string): string[] | undefined => {
        if (!merged.has(key)) return undefined;
        const r = expandHostlist(merged.get(key)!);
        return r.ok ? r.value : undefined;
      };
      const addrs = perNode('nodeaddr');
      const hostnames = perNode('nodehostname');
      const ports = perNode('port');
      names.value.forEach((n, i) => nodes.push(nodeFrom(n, merged, addrs?.[i], hostnames?.[i], ports?.[i] ?? ports?.[0])));
      continue;
    }
    if (firstKey === 'partitionname') {
      const map = lower(kv);
      const name = map.get('partitionname')!;
      if (/^default$/i.test(name)) {
        partDefaults = new Map([...partDefaults, ...map]);
        continue;
      }
      const merged = new Map([...partDefaults, ...map]);
      const expr = merged.get('nodes') ?? '';
      let members: string[] = [];
      if (/^all$/i.test(expr)) members = nodes.map((n) => n.name);
      else if (expr) {
        const r = expandHostlist(expr);
        if (!r.ok) return { ok: false, line, message: `Invalid Nodes=${expr} for partition ${name}` };
        members = r.value;
      }
      const maxNodes = merged.get('maxnodes');
      const minNodes = merged.get('minnodes');
      partitions.push({
        name,
        nodes: members,
        nodesExpr: expr,
        isDefault: /^yes$/i.test(merged.get('default') ?? ''),
        maxTime: confTime(merged.get('maxtime') ?? 'UNLIMITED') ?? 'UNLIMITED',
        defaultTime: merged.has('defaulttime') ? confTime(merged.get('defaulttime')!) : undefined,
        maxNodes: maxNodes === undefined || /^(infinite|unlimited)$/i.test(maxNodes) ? 'UNLIMITED' : Number(maxNodes),
        minNodes: minNodes !== undefined && /^\d+$/.test(minNodes) ? Number(minNodes) : 0,
        state: (merged.get('state') ?? 'UP').toUpperCase(),
        hidden: /^yes$/i.test(merged.get('hidden') ?? ''),
        conf: Object.fromEntries(merged),
      });
      continue;
    }
    for (const [k, v] of kv) settings.set(k.toLowerCase(), v);
  }

  const num = (key: string, fallback: number) => {
    const v = settings.get(key);
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : fallback;
  };
  return {
    ok: true,
    config: {
      clusterName: settings.get('clustername') ?? 'cluster',
      nodes,
      partitions,
      defMemPerCPU: settings.has('defmempercpu') ? num('defmempercpu', 0) : undefined,
      defMemPerNode: settings.has('defmempernode') ? num('defmempernode', 0) : undefined,
      minJobAge: num('minjobage', 300),
      maxArraySize: num('maxarraysize', 1001),
      maxJobCount: num('maxjobcount', 10000),
      firstJobId: num('firstjobid', 1),
      accountingStorageType: settings.get('accountingstoragetype') ?? 'accounting_storage/none',
      selectTypeParameters: settings.get('selecttypeparameters') ?? '',
      settings,
    },
  };
}

function nodeFrom(name: string, m: Map<string, string>, addr: string | undefined, hostname: string | undefined, port: string | undefined): NodeConfig {
  const n = (key: string, fallback: number) => (m.has(key) && /^\d+$/.test(m.get(key)!) ? Number(m.get(key)) : fallback);
  const boards = n('boards', 1);
  const coresPerSocket = n('corespersocket', 1);
  const threadsPerCore = n('threadspercore', 1);
  const cpusGiven = n('cpus', n('procs', 0));
  // as Slurm does: with CPUs but no Sockets, the CPUs not explained by cores and threads are sockets
  const socketsGiven = m.has('sockets') || m.has('socketsperboard');
  const sockets = socketsGiven || cpusGiven === 0
    ? n('sockets', n('socketsperboard', 1) * boards)
    : Math.max(1, Math.floor(cpusGiven / (coresPerSocket * threadsPerCore)));
  const node: NodeConfig = {
    name,
    addr,
    boards,
    sockets,
    coresPerSocket,
    threadsPerCore,
    cpus: cpusGiven || sockets * coresPerSocket * threadsPerCore,
    realMemory: n('realmemory', 1),
    gres: parseGres(m.get('gres') ?? ''),
    features: (m.get('feature') ?? m.get('features') ?? '').split(',').filter(Boolean),
    weight: n('weight', 1),
    tmpDisk: n('tmpdisk', 0),
    state: (m.get('state') ?? 'UNKNOWN').toUpperCase(),
    conf: Object.fromEntries(m),
  };
  if (hostname !== undefined) node.hostname = hostname;
  if (port !== undefined && /^\d+$/.test(port)) node.port = Number(port);
  return node;
}

export function defaultPartition(c: ClusterConfig): PartitionConfig | undefined {
  return c.partitions.find((p) => p.isDefault) ?? c.partitions[0];
}
