/**
 * Which cluster, and where its Redis is, found as the full commands find them,
 * without loading what parses slurm.conf: the cluster's name comes from the
 * parse cache the full commands keep (cluster/conf-cache.ts). Undefined
 * whenever it is not certain; the command then runs in full, which also
 * reports any problem in its own words.
 */
import { confCacheFile } from '../../cluster/conf-cache.js';
import type { RedisTarget } from '../../client/redis-url.js';
import { stateDir } from '../../state-dir.js';
import { redisTarget as fullTarget } from '../../store/connect.js';
import { clientIO as io } from './io.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The built-in local cluster's name (cluster/load.ts builtinSlurmConf). */
const BUILTIN_CLUSTER = 'flow';
const DEFAULT_CONF = '/etc/slurm/slurm.conf';

/** The cluster's name, as the full commands' parse of slurm.conf has it. */
export function clusterName(env: Env): string | undefined {
  if (env.SLURM_CONF === '') return undefined;
  const conf = io.readFile(env.SLURM_CONF ?? DEFAULT_CONF);
  if (!('bytes' in conf)) return env.SLURM_CONF === undefined && conf.code === 'ENOENT' ? BUILTIN_CLUSTER : undefined;
  const cached = io.readFile(confCacheFile(stateDir(env), Buffer.from(conf.bytes).toString('utf8')));
  if (!('bytes' in cached)) return undefined;
  try {
    const name = (JSON.parse(Buffer.from(cached.bytes).toString('utf8')) as { clusterName?: unknown }).clusterName;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

/** Where the cluster's Redis is (store/connect.ts); TLS is left to the full commands. */
export function redisTarget(env: Env): RedisTarget | undefined {
  try {
    const { target } = fullTarget(env);
    return target.tls ? undefined : target;
  } catch {
    return undefined;
  }
}
