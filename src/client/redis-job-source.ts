/**
 * Jobs as squeue and scontrol see them: the ones in the cluster's active set
 * (alive, or finished less than MinJobAge ago), read in one round trip.
 */
import type { Cluster } from '../cluster/load.js';
import type { JobSource, ListSource } from '../commands/job-source.js';
import { fieldIndex, Listed } from '../format/squeue/fields.js';
import { LINE_FIELDS } from '../store/stored-job.js';
import type { StepRecord, StoredJob } from '../job/job-run.js';
import { Session } from './session.js';

const LINE_INDEX = fieldIndex(LINE_FIELDS);

/** Where the given fields sit in a listing line (the id is field 0). */
const lineIndex = (fields: readonly string[]): ReadonlyMap<string, number> =>
  new Map<string, number>([['id', 0], ...fields.map((f) => [f, LINE_INDEX.get(f)!] as [string, number])]);

export class RedisJobSource implements JobSource, ListSource {
  /** one attempt to open, kept: a Redis that stayed away through one attempt is not waited for again */
  private session?: Promise<Session>;
  /** the whole listing as last read, and its version ('#v'); kept only when asked to */
  private kept?: { version: string; jobs: Listed[] };

  /** `keepListing`: a long-lived reader (the controller answering squeue) reads the listing again only when it changed. */
  constructor(private readonly env: Readonly<Record<string, string | undefined>>, private readonly keepListing = false) {}

  async open(cluster: Cluster): Promise<Session> {
    this.session ??= Session.open(cluster, this.env);
    return this.session;
  }

  async load(cluster: Cluster, ids?: number[]): Promise<StoredJob[]> {
    const s = await this.open(cluster);
    let wanted: number[];
    if (ids) {
      const all = await this.withTasks(s, ids);
      const scores = all.length ? ((await s.call('ZMSCORE', s.keys.active, ...all)) as (string | null)[]) : [];
      wanted = all.filter((_, i) => scores[i] !== null);
    } else {
      wanted = ((await s.call('ZRANGE', s.keys.active, 0, -1)) as string[]).map(Number);
    }
    return (await s.jobs(wanted)).filter((j): j is StoredJob => j !== undefined);
  }

  async steps(cluster: Cluster, ids: number[]): Promise<Map<number, StepRecord[]>> {
    const s = await this.open(cluster);
    const replies = ids.length ? await s.redis.pipeline(ids.map((id) => ['HGET', s.keys.job(id), 'steps'])) : [];
    const out = new Map<number, StepRecord[]>();
    ids.forEach((id, i) => {
      const text = replies[i];
      // an empty list comes back from Lua's cjson as `{}`
      const list = typeof text === 'string' && text !== '' ? (JSON.parse(text) as StepRecord[] | Record<string, never>) : [];
      out.set(id, Array.isArray(list) ? list : []);
    });
    return out;
  }

  /** The ids, and for those that are job arrays, the ids of the tasks split off them. */
  private async withTasks(s: Session, ids: number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const sets = await s.redis.pipeline(ids.map((id) => ['SMEMBERS', s.keys.arrayTasks(id)]));
    return [...new Set([...ids, ...sets.flatMap((m) => (Array.isArray(m) ? (m as string[]).map(Number) : []))])];
  }

  async list(cluster: Cluster, fields: readonly string[], ids?: number[]): Promise<Listed[]> {
    const s = await this.open(cluster);
    if (fields.every((f) => LINE_INDEX.has(f))) return this.fromLines(s, lineIndex(fields), ids);
    const index = fieldIndex(['id', ...fields]);
    return Listed.fromLines(await s.scripts.list(fields, ids && (await this.withTasks(s, ids))), index);
  }

  /** The fast path: the ready-made lines of the listing hash (each starts with its job id), in one reply. */
  private async fromLines(s: Session, index: ReadonlyMap<string, number>, ids?: number[]): Promise<Listed[]> {
    if (ids && ids.length === 0) return [];
    if (this.keepListing && !ids) {
      const version = await s.redis.call(['HGET', s.keys.listing, '#v']);
      if (typeof version === 'string' && this.kept?.version === version) return this.kept.jobs;
      // every field: the next request may need others
      const jobs = await this.readLines(s, LINE_INDEX);
      if (typeof version === 'string') this.kept = { version, jobs };
      return jobs;
    }
    return this.readLines(s, index, ids);
  }

  private async readLines(s: Session, index: ReadonlyMap<string, number>, ids?: number[]): Promise<Listed[]> {
    const reply = await s.redis.callTextArray(ids ? ['HMGET', s.keys.listing, ...(await this.withTasks(s, ids))] : ['HVALS', s.keys.listing]);
    if (!Array.isArray(reply)) return Listed.fromText(reply.text, reply.ranges, index);
    return Listed.fromLines(reply.filter((l): l is string => l !== null), index);
  }

  async close(): Promise<void> {
    await (await this.session?.catch(() => undefined))?.close();
  }
}
