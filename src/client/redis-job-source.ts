/**
 * Jobs as squeue and scontrol see them: the ones in the cluster's active set
 * (alive, or finished less than MinJobAge ago), read in one round trip.
 */
import type { Cluster } from '../cluster/load.js';
import type { JobSource, ListSource } from '../commands/job-source.js';
import { fieldIndex, Listed } from '../format/squeue/fields.js';
import { LINE_FIELDS, type StoredJob } from '../controller/state.js';
import { decodeReply, textArray } from './resp.js';
import { Session } from './session.js';

const LINE_INDEX = fieldIndex(LINE_FIELDS);

export class RedisJobSource implements JobSource, ListSource {
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
      const scores = ids.length ? ((await s.call('ZMSCORE', s.keys.active, ...ids)) as (string | null)[]) : [];
      wanted = ids.filter((_, i) => scores[i] !== null);
    } else {
      wanted = ((await s.call('ZRANGE', s.keys.active, 0, -1)) as string[]).map(Number);
    }
    return (await s.jobs(wanted)).filter((j): j is StoredJob => j !== undefined);
  }

  async list(cluster: Cluster, fields: readonly string[], ids?: number[]): Promise<Listed[]> {
    const s = await this.open(cluster);
    if (fields.every((f) => LINE_INDEX.has(f))) return this.fromLines(s, ids);
    const index = fieldIndex(['id', ...fields]);
    return Listed.fromLines(await s.scripts.list(fields, ids), index);
  }

  /** The fast path: the ready-made lines of the listing hash (each starts with its job id), in one reply. */
  private async fromLines(s: Session, ids?: number[]): Promise<Listed[]> {
    if (ids && ids.length === 0) return [];
    const raw = await s.redis.callRaw(ids ? ['HMGET', s.keys.listing, ...ids] : ['HVALS', s.keys.listing]);
    const array = textArray(raw);
    if (array) return Listed.fromText(array.text, array.ranges, LINE_INDEX);
    const reply = decodeReply(raw);
    if (reply instanceof Error) throw reply;
    return Listed.fromLines((reply as (string | null)[]).filter((l): l is string => l !== null), LINE_INDEX);
  }

  async close(): Promise<void> {
    await this.session?.close();
  }
}
