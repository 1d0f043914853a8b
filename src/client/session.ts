/**
 * A command's connection to the cluster: Redis, the key layout, the Lua
 * scripts, and a controller started on demand. Light on purpose: no BullMQ,
 * nothing only the controller needs.
 */
import type { Redis } from 'ioredis';
import type { Cluster } from '../cluster/load.js';
import { connectRedis } from '../controller/connect.js';
import { keysFor, type Keys } from '../controller/keys.js';
import { Scripts } from '../controller/scripts.js';
import { fromFields, JOB_FIELDS, type StoredJob } from '../controller/state.js';
import { ensureController } from './ensure-controller.js';

export class Session {
  private constructor(
    readonly cluster: Cluster,
    readonly redis: Redis,
    readonly keys: Keys,
    readonly scripts: Scripts,
  ) {}

  static async open(cluster: Cluster, env: Readonly<Record<string, string | undefined>>, opts: { controller?: boolean } = {}): Promise<Session> {
    const redis = await connectRedis(env);
    const keys = keysFor(cluster.config.clusterName);
    const s = new Session(cluster, redis, keys, new Scripts(redis, keys));
    if (opts.controller !== false) await ensureController(redis, keys, env);
    return s;
  }

  async job(id: number): Promise<StoredJob | undefined> {
    return fromFields(await this.redis.hmget(this.keys.job(id), ...JOB_FIELDS));
  }

  async jobs(ids: number[]): Promise<(StoredJob | undefined)[]> {
    if (ids.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.hmget(this.keys.job(id), ...JOB_FIELDS);
    const res = (await pipe.exec()) ?? [];
    return res.map(([, v]) => fromFields(v as (string | null)[]));
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
