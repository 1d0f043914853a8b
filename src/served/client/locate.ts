/**
 * Which cluster, and where its Redis is, found as the full commands find them
 * (cluster/load.ts, state-dir.ts, store/connect.ts), without loading them: the
 * cluster's name comes from the parse cache the full commands keep
 * (cluster/conf-cache.ts). Undefined whenever it is not certain; the command
 * then runs in full, which also reports any problem in its own words.
 */
import { confCacheFile } from '../../cluster/conf-cache.js';
import { parseRedisUrl, type RedisTarget } from '../../client/redis-url.js';
import { clientIO as io } from './io.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The built-in local cluster's name (cluster/load.ts builtinSlurmConf). */
const BUILTIN_CLUSTER = 'flow';
const DEFAULT_CONF = '/etc/slurm/slurm.conf';

function stateDir(env: Env): string | undefined {
  if (env.FLOW_STATE_DIR) return env.FLOW_STATE_DIR;
  if (env.XDG_STATE_HOME) return `${env.XDG_STATE_HOME}/flow-slurm`;
  return env.HOME ? `${env.HOME}/.local/state/flow-slurm` : undefined;
}

/** The cluster's name, as the full commands' parse of slurm.conf has it. */
export function clusterName(env: Env): string | undefined {
  const dir = stateDir(env);
  if (dir === undefined || env.SLURM_CONF === '') return undefined;
  const conf = io.readFile(env.SLURM_CONF ?? DEFAULT_CONF);
  if (!('bytes' in conf)) return env.SLURM_CONF === undefined && conf.code === 'ENOENT' ? BUILTIN_CLUSTER : undefined;
  const cached = io.readFile(confCacheFile(dir, new TextDecoder('utf-8', { ignoreBOM: true }).decode(conf.bytes)));
  if (!('bytes' in cached)) return undefined;
  try {
    const name = (JSON.parse(new TextDecoder().decode(cached.bytes)) as { clusterName?: unknown }).clusterName;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

/** Where the cluster's Redis is: FLOW_REDIS_URL, or the state directory's own redis-server. */
export function redisTarget(env: Env): RedisTarget | undefined {
  if (!env.FLOW_REDIS_URL) {
    const dir = stateDir(env);
    return dir === undefined ? undefined : { path: `${dir}/redis/redis.sock` };
  }
  try {
    const target = parseRedisUrl(env.FLOW_REDIS_URL);
    // TLS is the full commands' (node:tls)
    return target.tls ? undefined : target;
  } catch {
    return undefined;
  }
}
