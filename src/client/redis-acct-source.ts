/**
 * Jobs as sacct sees them: the accounting lines the Lua scripts keep for every
 * job ever accepted (finished jobs included, long after squeue forgets them),
 * read in one reply: all of them, or the jobs asked for and their array tasks.
 */
import type { Cluster } from '../cluster/load.js';
import { ACCT_FIELDS } from '../store/stored-job.js';
import { fieldIndex } from '../format/squeue/fields.js';
import { AcctLines } from '../format/sacct/lines.js';
import type { Reply, TextArray } from './resp.js';
import { Session } from './session.js';

const ACCT_INDEX = fieldIndex(ACCT_FIELDS);

export interface AcctSource {
  /** every job's accounting line; with ids, those jobs' and their array tasks' */
  lines(cluster: Cluster, ids?: number[]): Promise<AcctLines>;
  close(): Promise<void>;
}

function listed(reply: TextArray | (string | null)[]): AcctLines {
  if (!Array.isArray(reply)) return AcctLines.fromText(reply.text, reply.ranges, ACCT_INDEX);
  return AcctLines.fromLines(reply.filter((l): l is string => typeof l === 'string'), ACCT_INDEX);
}

export class RedisAcctSource implements AcctSource {
  /** one attempt to open, kept: a Redis that stayed away through one attempt is not waited for again */
  private session?: Promise<Session>;
  /** every line as last read, and the hash's version ('#v'); kept only when asked to */
  private kept?: { version: string; lines: AcctLines };

  /** `keepLines`: a long-lived reader (the controller answering sacct) reads the lines again only when they changed. */
  constructor(private readonly env: Readonly<Record<string, string | undefined>>, private readonly keepLines = false) {}

  async open(cluster: Cluster): Promise<Session> {
    this.session ??= Session.open(cluster, this.env);
    return this.session;
  }

  async lines(cluster: Cluster, ids?: number[]): Promise<AcctLines> {
    const s = await this.open(cluster);
    if (!ids && this.keepLines) {
      const version = await s.redis.call(['HGET', s.keys.acct, '#v']);
      if (typeof version === 'string' && this.kept?.version === version) return this.kept.lines;
      const lines = listed(await s.redis.callTextArray(['HVALS', s.keys.acct]));
      if (typeof version === 'string') this.kept = { version, lines };
      return lines;
    }
    if (!ids) return listed(await s.redis.callTextArray(['HVALS', s.keys.acct]));
    if (ids.length === 0) return AcctLines.fromLines([], ACCT_INDEX);
    const unique = [...new Set(ids)];
    // the jobs' own lines, and the ids of the tasks split off those that are arrays
    const replies: Reply[] = await s.redis.pipeline([
      ['HMGET', s.keys.acct, ...unique],
      ...unique.map((id) => ['SMEMBERS', s.keys.arrayTasks(id)]),
    ]);
    const own = (replies[0] as (string | null)[]).filter((l): l is string => typeof l === 'string');
    const known = new Set(unique);
    const tasks = replies.slice(1).flatMap((m) => (Array.isArray(m) ? (m as string[]).map(Number) : [])).filter((id) => !known.has(id));
    let more: string[] = [];
    if (tasks.length > 0) {
      more = ((await s.redis.call(['HMGET', s.keys.acct, ...tasks])) as (string | null)[]).filter((l): l is string => typeof l === 'string');
    }
    return AcctLines.fromLines([...own, ...more], ACCT_INDEX);
  }

  async close(): Promise<void> {
    await (await this.session?.catch(() => undefined))?.close();
  }
}
