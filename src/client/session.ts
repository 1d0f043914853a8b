/**
 * A command's connection to the cluster: Redis (the light RESP client), the
 * key layout, the Lua scripts, and a controller started on demand. Nothing
 * only the controller needs is loaded here (no ioredis, no BullMQ).
 */
import type { Cluster } from '../cluster/load.js';
import { MINUTE_SECONDS, timeScaleOf } from '../store/cluster-settings.js';
import { keysFor, type Keys } from '../store/keys.js';
import { Scripts } from '../store/scripts.js';
import { fromFields, JOB_FIELDS } from '../store/stored-job.js';
import type { StoredJob } from '../job/job-run.js';
import { ensureController } from './ensure-controller.js';
import { RedisClient } from './redis-client.js';
import type { Arg, Reply } from './resp.js';
import { RespRunner } from './resp-runner.js';

export class Session {
  /** the build of the controller that was running when the session opened */
  controllerBuild?: string;
  private scale?: Promise<number>;

  private constructor(
    readonly cluster: Cluster,
    readonly redis: RedisClient,
    readonly keys: Keys,
    readonly scripts: Scripts,
  ) {}

  static async open(cluster: Cluster, env: Readonly<Record<string, string | undefined>>, opts: { controller?: boolean } = {}): Promise<Session> {
    const redis = await RedisClient.open(env);
    const keys = keysFor(cluster.config.clusterName);
    const s = new Session(cluster, redis, keys, new Scripts(new RespRunner(redis), keys));
    if (opts.controller !== false) s.controllerBuild = await ensureController(s, env);
    return s;
  }

  /** The cluster's minute length as a fraction of a real minute (cluster-settings.ts). */
  timeScale(): Promise<number> {
    this.scale ??= this.redis.call(['HGET', this.keys.settings, MINUTE_SECONDS]).then(timeScaleOf);
    return this.scale;
  }

  call(...args: Arg[]): Promise<Reply> {
    return this.redis.call(args);
  }

  async job(id: number): Promise<StoredJob | undefined> {
    return fromFields((await this.redis.call(['HMGET', this.keys.job(id), ...JOB_FIELDS])) as (string | null)[]);
  }

  async jobs(ids: number[]): Promise<(StoredJob | undefined)[]> {
    const replies = await this.redis.pipeline(ids.map((id) => ['HMGET', this.keys.job(id), ...JOB_FIELDS]));
    return replies.map((v) => (Array.isArray(v) ? fromFields(v as (string | null)[]) : undefined));
  }

  async close(): Promise<void> {
    this.redis.close();
  }
}
