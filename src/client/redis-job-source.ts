/**
 * Jobs as squeue and scontrol see them: the ones in the cluster's active set
 * (alive, or finished less than MinJobAge ago), read in one round trip.
 */
import type { Cluster } from '../cluster/load.js';
import type { JobSource } from '../commands/job-source.js';
import type { StoredJob } from '../controller/state.js';
import { Session } from './session.js';

export class RedisJobSource implements JobSource {
  private session?: Session;

  constructor(private readonly env: Readonly<Record<string, string | undefined>>) {}

  async open(cluster: Cluster): Promise<Session> {
    this.session ??= await Session.open(cluster, this.env);
    return this.session;
  }

  async load(cluster: Cluster, ids?: number[]): Promise<StoredJob[]> {
    const s = await this.open(cluster);
    let wanted: number[];
    if (ids) {
      const scores = ids.length ? await s.redis.zmscore(s.keys.active, ...ids) : [];
      wanted = ids.filter((_, i) => scores[i] !== null);
    } else {
      wanted = (await s.redis.zrange(s.keys.active, 0, -1)).map(Number);
    }
    return (await s.jobs(wanted)).filter((j): j is StoredJob => j !== undefined);
  }

  async close(): Promise<void> {
    await this.session?.close();
  }
}
