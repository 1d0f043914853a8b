/**
 * sinfo: partitions and nodes as slurmctld sees them: the slurm.conf
 * description, with node states from what the running jobs hold. Grouping,
 * formats and sorting are Slurm 22.05's (src/format/sinfo).
 */
import { loadCluster } from '../cluster/load.js';
import { nodeViews, type HeldResources } from '../cluster/node-view.js';
import type { Cluster } from '../cluster/load.js';
import { ctime } from '../format/ctime.js';
import type { PrintContext } from '../format/sinfo/fields.js';
import { defaultFormat, headerLine, layoutFromFields, layoutFromFormat, nodeFieldSize, partFieldSize, recordLine } from '../format/sinfo/print.js';
import { groupNodes, type SinfoNode } from '../format/sinfo/records.js';
import { sortRecords } from '../format/sinfo/sort.js';
import { stateMatches } from '../format/sinfo/states.js';
import { parseSinfoArgs, type SinfoOptions } from './sinfo-options.js';
import { SINFO_HELP, SINFO_USAGE } from './sinfo-help.js';
import type { IO } from './io.js';

/** What this machine measures for its emulated nodes. */
export interface HostFacts {
  /** CPU load x 100 */
  cpuLoad: number;
  /** MB */
  freeMem: number;
}

export interface SinfoDeps {
  /** the resources the running jobs hold */
  held(cluster: Cluster): Promise<HeldResources[]>;
  host(): HostFacts;
  sleep(seconds: number): Promise<void>;
}

export async function sinfo(argv: string[], io: IO, deps: SinfoDeps): Promise<number> {
  const parsed = parseSinfoArgs(argv, io.env);
  if (parsed.kind === 'help' || parsed.kind === 'usage') {
    io.stdout(parsed.kind === 'help' ? SINFO_HELP : SINFO_USAGE);
    return 0;
  }
  if (parsed.kind === 'print') {
    io.stdout(parsed.stdout);
    return 0;
  }
  if (parsed.kind === 'error') {
    io.stderr(parsed.stderr);
    return parsed.exit;
  }
  const o = parsed.options;
  const fallback = defaultFormat({ summarize: o.summarize, node: o.node, long: o.long, listReasons: o.listReasons });
  const env = !o.format && !o.summarize && !o.node && !o.listReasons ? io.env.SINFO_FORMAT : undefined;
  const layout = o.format?.long ? layoutFromFields(o.format.spec)
    : o.format || env !== undefined ? layoutFromFormat(o.format?.spec ?? env!)
    : layoutFromFields(fallback.spec);
  const sized = !o.format && env === undefined;
  if (layout.errors.length) io.stderr(layout.errors.map((e) => `${e}\n`).join(''));

  const loaded = loadCluster(io.env);
  if (!loaded.ok) {
    io.stderr(`sinfo: error: ${loaded.message}\n`);
    return 1;
  }
  const cluster = loaded.cluster;
  const config = cluster.config;
  if (o.nodes?.length === 1 && !config.nodes.some((n) => n.name === o.nodes![0])) {
    io.stderr('slurm_load_node: Invalid node name specified\n');
    return 1;
  }
  for (;;) {
    let out = !o.noHeader && (o.iterate || o.long) ? `${ctime(io.now())}\n` : '';
    if (o.reservations) out += 'No reservations in the system\n';
    else {
      const facts = deps.host();
      const nodes: SinfoNode[] = nodeViews(config, await deps.held(cluster))
        .filter((v) => shown(v, o))
        .map((view) => ({ view, cpuLoad: facts.cpuLoad, freeMem: facts.freeMem }));
      const parts = config.partitions
        .map((part, index) => ({ part, index }))
        .filter(({ part }) => (o.partitions ? o.partitions.includes(part.name) : o.all || !part.hidden));
      const grouped = groupNodes(parts, nodes, { match: layout.match, nodeFlag: o.node, exact: o.exact, listReasons: o.listReasons });
      const records = sortRecords(grouped, o.sort ?? (o.node ? 'N' : '#P,-t'));
      const ctx: PrintContext = {
        convert: !o.noConvert,
        preemptMode: config.settings.get('preemptmode') ?? 'OFF',
        version: '22.05.8',
        partWidth: sized && fallback.partSized ? partFieldSize(records) : undefined,
        nodeWidth: sized && fallback.nodeSized ? nodeFieldSize(records) : undefined,
      };
      if (!o.noHeader) out += `${headerLine(layout, ctx)}\n`;
      for (const r of records) out += `${recordLine(layout, r, ctx)}\n`;
    }
    io.stdout(out);
    if (!o.iterate) return 0;
    io.stdout('\n');
    await deps.sleep(o.iterate);
  }
}

/** -n, -t, -d, -r (every emulated node responds). */
function shown(v: ReturnType<typeof nodeViews>[number], o: SinfoOptions): boolean {
  if (o.nodes && !o.nodes.includes(v.config.name)) return false;
  if (o.dead) return false;
  if (o.states && !stateMatches(v, o.states)) return false;
  return true;
}
