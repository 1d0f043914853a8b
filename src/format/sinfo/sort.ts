/**
 * sinfo's sorting (src/sinfo/sort.c): `-S` letters with optional `+`/`-`
 * (and `#P`: partition order as in slurm.conf), applied from the last key to
 * the first with a stable sort. Default `#P,-t`, or `N` with -N.
 */
import type { SinfoRecord } from './records.js';

type Cmp = (a: SinfoRecord, b: SinfoRecord) => number;

/** Slurm's node-name order: equal up to the first difference, then numbers compared as numbers there. */
export function hostCmp(a: string, b: string): number {
  for (let i = 0; ; i++) {
    const ca = a[i];
    const cb = b[i];
    if (ca === cb) {
      if (ca === undefined) return 0;
      continue;
    }
    const da = ca !== undefined && ca >= '0' && ca <= '9';
    const db = cb !== undefined && cb >= '0' && cb <= '9';
    if (da && db) return parseInt(a.slice(i), 10) - parseInt(b.slice(i), 10);
    return a < b ? -1 : 1;
  }
}

const firstOf = (names: readonly string[]): string => [...names].sort(hostCmp)[0] ?? '';
const str = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const tier = (r: SinfoRecord) => Number(r.part.conf.prioritytier ?? r.part.conf.priority ?? 1);
const maxTime = (r: SinfoRecord) => (r.part.maxTime === 'UNLIMITED' ? 0xfffffffe : r.part.maxTime);
const jobSize = (r: SinfoRecord) => (r.part.maxNodes === 'UNLIMITED' ? 0xfffffffe : r.part.maxNodes + r.part.minNodes);

function comparator(letter: string, partOrder: boolean): Cmp | undefined {
  switch (letter) {
    case 'a': return (a, b) => str(a.part.state, b.part.state);
    case 'A': case 'F': return (a, b) => a.nodesAlloc - b.nodesAlloc;
    case 'c': return (a, b) => a.minCpus - b.minCpus;
    case 'd': return (a, b) => a.minDisk - b.minDisk;
    case 'D': return (a, b) => a.nodesTotal - b.nodesTotal;
    case 'E': case 'R': return (a, b) => str(a.first?.view.reason ?? '', b.first?.view.reason ?? '');
    case 'f': return (a, b) => str(a.first?.view.config.features.join(',') ?? '', b.first?.view.config.features.join(',') ?? '');
    case 'g': return (a, b) => str(a.part.conf.allowgroups ?? '', b.part.conf.allowgroups ?? '');
    case 'h': return (a, b) => str(a.part.conf.oversubscribe ?? '', b.part.conf.oversubscribe ?? '');
    case 'l': return (a, b) => maxTime(a) - maxTime(b);
    case 'm': return (a, b) => a.minMem - b.minMem;
    case 'n': return (a, b) => hostCmp(firstOf(a.hostnames), firstOf(b.hostnames));
    case 'N': return (a, b) => hostCmp(firstOf(a.nodes), firstOf(b.nodes));
    case 'o': return (a, b) => hostCmp(firstOf(a.addrs), firstOf(b.addrs));
    case 'O': return (a, b) => a.minLoad - b.minLoad;
    case 'p': return (a, b) => tier(a) - tier(b);
    case 'P': return partOrder ? (a, b) => a.partIndex - b.partIndex : (a, b) => str(a.part.name, b.part.name);
    case 'r': return (a, b) => Number(/^yes$/i.test(a.part.conf.rootonly ?? '')) - Number(/^yes$/i.test(b.part.conf.rootonly ?? ''));
    case 's': return (a, b) => jobSize(a) - jobSize(b);
    case 't': case 'T': return (a, b) => (a.first?.view.state ?? 0) - (b.first?.view.state ?? 0);
    case 'w': return (a, b) => a.minWeight - b.minWeight;
    case 'X': return (a, b) => a.minSockets - b.minSockets;
    case 'Y': return (a, b) => a.minCores - b.minCores;
    case 'Z': return (a, b) => a.minThreads - b.minThreads;
    case 'z': return (a, b) => a.minSockets - b.minSockets || a.minCores - b.minCores || a.minThreads - b.minThreads;
    default: return undefined;
  }
}

export function sortRecords(records: SinfoRecord[], spec: string): SinfoRecord[] {
  let out = records;
  for (let i = spec.length - 1; i >= 0; i--) {
    const c = spec[i]!;
    if (c === ',' || c === '#' || c === '+' || c === '-') continue;
    const reverse = i > 0 && spec[i - 1] === '-';
    const cmp = comparator(c, i > 0 && spec[i - 1] === '#');
    if (!cmp) continue;
    out = [...out].sort(reverse ? (a, b) => -cmp(a, b) : cmp);
  }
  return out;
}
