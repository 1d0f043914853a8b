/**
 * `scontrol show config | partition [name] | node [names]` (`-o` too): the
 * cluster's description, with node use from the controller. scontrol.ts
 * matches the entity (and its abbreviations, `show node=gpu1`) as _show_it does.
 */
import { freemem, hostname, loadavg, machine, release, type as osType, uptime, version } from 'node:os';
import { loadCluster, type Cluster } from '../cluster/load.js';
import { nodeViews, trackedGres } from '../cluster/node-view.js';
import type { ControllerView } from '../client/held-resources.js';
import { showConfig, SLURM_VERSION } from '../format/scontrol/show-config.js';
import { showNode, type NodeHostFacts } from '../format/scontrol/show-node.js';
import { showPartition } from '../format/scontrol/show-partition.js';
import { expandHostlist } from '../job/values/hostlist.js';
import type { IO } from './io.js';
import { lookupUser } from './users.js';

export interface ShowClusterDeps {
  /** jobs holding resources and the next job id, from the controller */
  view?: (cluster: Cluster) => Promise<ControllerView>;
}

/** `show config | nodes [names] | partitions [name]`, the entity as scontrol matched it. */
export async function showCluster(
  entity: 'config' | 'nodes' | 'partitions', value: string | undefined, oneLiner: boolean, io: IO, deps: ShowClusterDeps,
): Promise<number> {
  const loaded = loadCluster(io.env);
  if (!loaded.ok) {
    io.stderr(`scontrol: error: ${loaded.message}\n`);
    return 1;
  }
  const cluster = loaded.cluster;
  const config = cluster.config;
  const now = Math.floor(io.now().getTime() / 1000);
  const tracked = trackedGres(config);

  if (entity === 'partitions') {
    const parts = config.partitions.filter((p) => (value === undefined ? !p.hidden : p.name === value));
    if (parts.length === 0) {
      io.stdout(value === undefined ? 'No partitions in the system\n' : `Partition ${value} not found\n`);
      return value === undefined ? 0 : 1;
    }
    io.stdout(parts.map((p) => showPartition(p, { nodes: config.nodes, trackedGres: tracked, settings: config.settings }, oneLiner)).join(''));
    return 0;
  }

  const state = deps.view ? await deps.view(cluster) : { held: [], nextJobId: config.firstJobId };
  if (entity === 'config') {
    io.stdout(showConfig(config, {
      confPath: io.env.SLURM_CONF ?? cluster.source,
      hostname: hostname(),
      bootTime: now - Math.floor(uptime()),
      now,
      nextJobId: state.nextJobId,
      userWithId: (name) => `${name}(${lookupUser(name) ?? 0})`,
    }));
    return 0;
  }

  const views = nodeViews(config, state.held);
  let names: string[] | undefined;
  if (value !== undefined) {
    const r = expandHostlist(value);
    if (!r.ok) {
      io.stderr(`${(r.error.log ?? []).map((l) => `scontrol: error: ${l}\n`).join('')}unable to parse node list ${value}\n`);
      return 1;
    }
    names = r.value;
  }
  const host = hostFacts(now);
  const ctx = { host, trackedGres: tracked, slurmdPort: Number(config.settings.get('slurmdport') ?? 6818), version: SLURM_VERSION };
  if (names === undefined) {
    io.stdout(views.length ? views.map((v) => showNode(v, ctx, oneLiner)).join('') : 'No nodes in the system\n');
    return 0;
  }
  let code = 0;
  let out = '';
  for (const name of names) {
    const v = views.find((x) => x.config.name === name);
    if (v) out += showNode(v, ctx, oneLiner);
    else {
      out += `Node ${name} not found\n`;
      code = 1;
    }
  }
  io.stdout(out);
  return code;
}

/** The machine's own values, which Slurm reports per node (every emulated node is this machine). */
function hostFacts(now: number): NodeHostFacts {
  const boot = now - Math.floor(uptime());
  return {
    arch: machine(),
    os: `${osType()} ${release()} ${version()}`,
    cpuLoad: Math.round((loadavg()[0] ?? 0) * 100),
    freeMem: Math.floor(freemem() / 1048576),
    bootTime: boot,
    slurmdStartTime: boot,
  };
}
