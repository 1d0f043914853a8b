/**
 * Finding and reading the cluster description: the slurm.conf that SLURM_CONF
 * names (or /etc/slurm/slurm.conf), the Flow config beside it, and, when there
 * is neither, the built-in local cluster. I/O at the edge; parsing is pure.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { parseFlowConfig, type FlowConfig } from './flow-config.js';
import { parseSlurmConf, type ClusterConfig, type ConfResult } from './slurm-conf.js';
import { confCacheFile } from './conf-cache.js';
import { stateDir } from '../state-dir.js';

export interface Cluster {
  config: ClusterConfig;
  flow: FlowConfig;
  /** where it came from, for messages */
  source: string;
}

export type ClusterResult = { ok: true; cluster: Cluster } | { ok: false; message: string };

const DEFAULT_CONF_PATHS = ['/etc/slurm/slurm.conf'];

/**
 * The built-in cluster: four emulated GPU nodes on this machine. Their CPUs and
 * memory are declared, not measured (as with SlurmdParameters=config_overrides),
 * so jobs written for a GPU cluster fit; each gets a share of the machine.
 */
export function builtinSlurmConf(): string {
  const nodeCpus = Math.max(8, cpus().length * 4);
  const nodeMemory = Math.max(16000, Math.floor(totalmem() / 1024 / 1024 / 4 / 1000) * 1000);
  return [
    '# flow-slurm built-in local cluster (used when no slurm.conf is found)',
    'ClusterName=flow',
    'SelectType=select/cons_tres',
    'SelectTypeParameters=CR_Core_Memory',
    'DefMemPerCPU=1024',
    'MinJobAge=300',
    'MaxArraySize=100001',
    'MaxJobCount=200000',
    'GresTypes=gpu',
    'AccountingStorageType=accounting_storage/flow',
    `NodeName=node[1-4] CPUs=${nodeCpus} RealMemory=${nodeMemory} Gres=gpu:8 Feature=gpu State=UNKNOWN`,
    'PartitionName=gpu Nodes=node[1-4] Default=YES MaxTime=INFINITE State=UP',
    '',
  ].join('\n');
}

export function loadCluster(env: Readonly<Record<string, string | undefined>>): ClusterResult {
  const confPath = env.SLURM_CONF ?? DEFAULT_CONF_PATHS.find((p) => existsSync(p));
  let text: string;
  let source: string;
  if (confPath !== undefined) {
    try {
      text = readFileSync(confPath, 'utf8');
    } catch {
      return { ok: false, message: `Unable to process configuration file ${confPath}` };
    }
    source = confPath;
  } else {
    text = builtinSlurmConf();
    source = '(built-in local cluster)';
  }
  const conf = parseCached(text, env);
  if (!conf.ok) return { ok: false, message: conf.message };

  const flow = loadFlowConfig(env, confPath);
  if (!flow.ok) return flow;
  return { ok: true, cluster: { config: conf.config, flow: flow.config, source } };
}

/**
 * flow.json: the file FLOW_CONFIG names, which must exist (a setting silently
 * ignored is worse than an error); else the one beside slurm.conf, if any.
 * The built-in cluster has no slurm.conf, so only FLOW_CONFIG gives it one.
 */
function loadFlowConfig(env: Readonly<Record<string, string | undefined>>, confPath: string | undefined): { ok: true; config: FlowConfig } | { ok: false; message: string } {
  const named = env.FLOW_CONFIG !== undefined && env.FLOW_CONFIG !== '' ? env.FLOW_CONFIG : undefined;
  const flowPath = named ?? (confPath !== undefined ? join(dirname(confPath), 'flow.json') : undefined);
  if (flowPath === undefined) return { ok: true, config: {} };
  let text: string;
  try {
    text = readFileSync(flowPath, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (named === undefined && code === 'ENOENT') return { ok: true, config: {} };
    const why = code === 'ENOENT' ? 'No such file or directory' : code === 'EACCES' ? 'Permission denied' : code === 'EISDIR' ? 'Is a directory' : (e as Error).message;
    return { ok: false, message: `Unable to read ${named !== undefined ? 'FLOW_CONFIG file' : 'Flow config file'} ${flowPath}: ${why}` };
  }
  return parseFlowConfig(text, flowPath);
}

/**
 * Every command reads the cluster description; parsing it (hostlists of node
 * names) is the costly part, so the result is kept in the state directory,
 * keyed by the file's content (conf-cache.ts).
 */
/** What this process parsed already, by text: the controller answering commands (src/served) loads the cluster for each. */
const parsedHere = new Map<string, ConfResult>();

function parseCached(text: string, env: Readonly<Record<string, string | undefined>>): ConfResult {
  const known = parsedHere.get(text);
  if (known) return known;
  const r = parseCachedFile(text, env);
  if (r.ok && parsedHere.size < 16) parsedHere.set(text, r);
  return r;
}

function parseCachedFile(text: string, env: Readonly<Record<string, string | undefined>>): ConfResult {
  const file = confCacheFile(stateDir(env), text);
  const dir = dirname(file);
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as ClusterConfig & { settings: [string, string][] };
    return { ok: true, config: { ...cached, settings: new Map(cached.settings) } };
  } catch {
    // not cached yet (or unreadable): parse
  }
  const r = parseSlurmConf(text);
  if (r.ok) {
    try {
      mkdirSync(dir, { recursive: true });
      const tmp = `${file}.${process.pid}`;
      writeFileSync(tmp, JSON.stringify({ ...r.config, settings: [...r.config.settings] }));
      renameSync(tmp, file);
    } catch {
      // a read-only state directory only costs speed
    }
  }
  return r;
}
