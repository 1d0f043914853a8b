/**
 * `scontrol show partition` for one partition, as Slurm 22.05 prints it
 * (slurm_sprint_partition_info in src/api/partition_info.c): the values of
 * its slurm.conf line, Slurm's defaults for the rest, and the totals of its
 * nodes. Lines separated by "\n   " (with -o a space); the record ends with a
 * blank line (with -o one newline). Partition in, text out.
 */
import { partitionTres } from '../../cluster/node-view.js';
import type { NodeConfig, PartitionConfig } from '../../cluster/slurm-conf.js';
import { compressHostlist } from '../../job/values/hostlist.js';
import { formatTimeLimit } from '../../job/values/time.js';

export interface ShowPartitionContext {
  /** every node of the cluster, slurm.conf order */
  nodes: readonly NodeConfig[];
  trackedGres: ReadonlySet<string>;
  /** slurm.conf settings by lower-case key (PreemptMode, DisableRootJobs are cluster-wide defaults) */
  settings: ReadonlyMap<string, string>;
}

const yesNo = (v: string | undefined, dflt = 'NO') => (v === undefined ? dflt : /^yes$/i.test(v) ? 'YES' : 'NO');

/** OverSubscribe: NO, EXCLUSIVE, YES:4 (YES alone means 4), FORCE:4. */
function oversubscribe(v: string | undefined): string {
  const [kind = 'NO', n] = (v ?? 'NO').toUpperCase().split(':');
  if (kind === 'EXCLUSIVE') return 'EXCLUSIVE';
  if (kind === 'YES' || kind === 'FORCE') return `${kind}:${n ?? 4}`;
  return 'NO';
}

/** DefMemPerCPU/DefMemPerNode (and MaxMem...): the partition's own, or UNLIMITED per node. */
function memLimit(conf: Record<string, string>, what: 'def' | 'max'): string {
  const cpu = conf[`${what}mempercpu`];
  const node = conf[`${what}mempernode`];
  const label = what === 'def' ? 'Def' : 'Max';
  if (cpu !== undefined) return `${label}MemPerCPU=${/^(unlimited|infinite)$/i.test(cpu) ? 'UNLIMITED' : cpu}`;
  if (node !== undefined && !/^(0|unlimited|infinite)$/i.test(node)) return `${label}MemPerNode=${node}`;
  return `${label}MemPerNode=UNLIMITED`;
}

export function showPartition(p: PartitionConfig, ctx: ShowPartitionContext, oneLiner: boolean): string {
  const c = p.conf;
  const members = ctx.nodes.filter((n) => p.nodes.includes(n.name));
  const allowDeny = (kind: 'Accounts' | 'Qos'): string => {
    const allow = c[`allow${kind.toLowerCase()}`];
    const deny = c[`deny${kind.toLowerCase()}`];
    return allow !== undefined || deny === undefined ? `Allow${kind}=${allow || 'ALL'}` : `Deny${kind}=${deny}`;
  };
  const lines: string[] = [];
  lines.push(`PartitionName=${p.name}`);
  lines.push(`AllowGroups=${c.allowgroups || 'ALL'} ${allowDeny('Accounts')} ${allowDeny('Qos')}`);
  lines.push([`AllocNodes=${c.allocnodes ?? 'ALL'}`, c.alternate !== undefined ? `Alternate=${c.alternate}` : '',
    `Default=${p.isDefault ? 'YES' : 'NO'}`, `QoS=${c.qos ?? 'N/A'}`].filter(Boolean).join(' '));
  const defaultTime = p.defaultTime === undefined ? 'NONE' : formatTimeLimit(p.defaultTime);
  lines.push(`DefaultTime=${defaultTime} DisableRootJobs=${yesNo(c.disablerootjobs ?? ctx.settings.get('disablerootjobs'))} `
    + `ExclusiveUser=${yesNo(c.exclusiveuser)} GraceTime=${c.gracetime ?? 0} Hidden=${p.hidden ? 'YES' : 'NO'}`);
  lines.push(`MaxNodes=${p.maxNodes} MaxTime=${formatTimeLimit(p.maxTime)} MinNodes=${p.minNodes} LLN=${yesNo(c.lln)} `
    + `MaxCPUsPerNode=${c.maxcpuspernode ?? 'UNLIMITED'}`);
  lines.push(`Nodes=${compressHostlist(members.map((n) => n.name))}`);
  lines.push(`PriorityJobFactor=${c.priorityjobfactor ?? 1} PriorityTier=${c.prioritytier ?? c.priority ?? 1} `
    + `RootOnly=${yesNo(c.rootonly)} ReqResv=${yesNo(c.reqresv)} OverSubscribe=${oversubscribe(c.oversubscribe ?? c.shared)}`);
  const overTime = c.overtimelimit === undefined ? 'NONE' : /^(unlimited|infinite)$/i.test(c.overtimelimit) ? 'UNLIMITED' : c.overtimelimit;
  lines.push(`OverTimeLimit=${overTime} PreemptMode=${(c.preemptmode ?? ctx.settings.get('preemptmode') ?? 'OFF').toUpperCase()}`);
  lines.push(`State=${p.state} TotalCPUs=${members.reduce((s, n) => s + n.cpus, 0)} TotalNodes=${members.length} `
    + `SelectTypeParameters=${(c.selecttypeparameters ?? 'NONE').toUpperCase()}`);
  lines.push(`JobDefaults=${c.jobdefaults ?? '(null)'}`);
  lines.push(`${memLimit(c, 'def')} ${memLimit(c, 'max')}`);
  lines.push(`TRES=${partitionTres(p, ctx.nodes, ctx.trackedGres)}`);
  if (c.tresbillingweights !== undefined) lines.push(`TRESBillingWeights=${c.tresbillingweights}`);
  return `${lines.join(oneLiner ? ' ' : '\n   ')}${oneLiner ? '\n' : '\n\n'}`;
}
