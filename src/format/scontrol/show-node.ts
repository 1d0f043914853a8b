/**
 * `scontrol show node` for one node, as Slurm 22.05 prints it
 * (slurm_sprint_node_table in src/api/node_info.c): lines of `Key=Value`
 * separated by "\n   " (or, with -o, a space); the record ends with a blank
 * line (or, with -o, one newline). Node view in, text out.
 */
import { gresString, nodeAllocTres, nodeCfgTres, nodeStateComplete, type NodeView } from '../../cluster/node-view.js';
import { formatIsoLocal } from '../../job/values/datetime.js';

/** What the machine running the emulated nodes reports for them. */
export interface NodeHostFacts {
  /** `x86_64` (uname -m) */
  arch: string;
  /** `Linux 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian ...` (uname -s -r -v) */
  os: string;
  /** load average x 100 */
  cpuLoad: number;
  /** MB */
  freeMem: number;
  /** epoch seconds */
  bootTime: number;
  /** epoch seconds: when its slurmd started (also LastBusyTime: Slurm updates it when the node goes idle) */
  slurmdStartTime: number;
}

export interface ShowNodeContext {
  host: NodeHostFacts;
  /** TRES the cluster accounts (AccountingStorageTRES gres/...) */
  trackedGres: ReadonlySet<string>;
  /** SlurmdPort: a node's Port= is shown only when it differs */
  slurmdPort: number;
  version: string;
}

export function showNode(v: NodeView, ctx: ShowNodeContext, oneLiner: boolean): string {
  const end = oneLiner ? ' ' : '\n   ';
  const c = v.config;
  const h = ctx.host;
  const hostname = c.hostname ?? c.name;
  const features = c.features.length ? c.features.join(',') : '(null)';
  let out = `NodeName=${c.name} Arch=${h.arch} CoresPerSocket=${c.coresPerSocket} ${end}`;
  out += `CPUAlloc=${v.allocCpus} CPUEfctv=${c.cpus} CPUTot=${c.cpus} CPULoad=${(h.cpuLoad / 100).toFixed(2)}${end}`;
  out += `AvailableFeatures=${features}${end}`;
  out += `ActiveFeatures=${features}${end}`;
  out += `Gres=${gresString(c)}${end}`;
  out += `NodeAddr=${c.addr ?? hostname} NodeHostName=${hostname} `;
  if ((c.port ?? ctx.slurmdPort) !== ctx.slurmdPort) out += `Port=${c.port} `;
  out += `Version=${ctx.version}${end}`;
  out += `OS=${h.os} ${end}`;
  out += `RealMemory=${c.realMemory} AllocMem=${v.allocMemMb} FreeMem=${h.freeMem} Sockets=${c.sockets} Boards=${c.boards}${end}`;
  out += `State=${nodeStateComplete(v.state)} ThreadsPerCore=${c.threadsPerCore} TmpDisk=${c.tmpDisk} Weight=${c.weight} Owner=N/A MCS_label=N/A${end}`;
  if (v.partitions.length) out += `Partitions=${v.partitions.join(',')} ${end}`;
  out += `BootTime=${formatIsoLocal(h.bootTime)} SlurmdStartTime=${formatIsoLocal(h.slurmdStartTime)}${end}`;
  out += `LastBusyTime=${formatIsoLocal(h.slurmdStartTime)}${end}`;
  out += `CfgTRES=${nodeCfgTres(c, ctx.trackedGres)}${end}`;
  out += `AllocTRES=${nodeAllocTres(v, ctx.trackedGres)}${end}`;
  out += `CapWatts=n/a${end}`;
  out += `CurrentWatts=0 AveWatts=0${end}`;
  out += 'ExtSensorsJoules=n/s ExtSensorsWatts=0 ExtSensorsTemp=n/s';
  if (v.reason) out += `${end}Reason=${v.reason}`;
  return `${out}${oneLiner ? '\n' : '\n\n'}`;
}
