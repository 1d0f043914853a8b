/**
 * Evaluating `--dependency` against the other jobs, as slurmctld does before
 * each scheduling pass: every term is unfulfilled, fulfilled (then hidden from
 * `Dependency=`) or failed; `,` needs all, `?` needs one. A term on a job that
 * no longer exists is dropped. The verdict drives the pending reason
 * (Dependency / DependencyNeverSatisfied).
 */
import type { Redis } from 'ioredis';
import type { JobRecord } from '../spec/job.js';
import { formatDependency, parseDependency, resolveDependency, type DependencyTerm } from '../spec/values/index.js';
import type { Keys } from './keys.js';
import { FINAL_STATES } from './state.js';

export interface OtherJob {
  state: string;
  exit: string;
  start: number;
  end: number;
  /** a job array (a bare reference to it means all its tasks) */
  isArray: boolean;
}

/** Per-pass cache of the jobs dependencies refer to (null: no such job). */
export type DependencyLookup = Map<number, OtherJob | null>;

export type Verdict = 'satisfied' | 'waiting' | 'never';

/** One term against the job it names. */
export function termState(t: DependencyTerm, other: OtherJob | null, now: number): 'fulfilled' | 'unfulfilled' | 'failed' | null {
  if (other === null) return null; // unknown job: the term is dropped
  const over = FINAL_STATES.has(other.state);
  const ok = other.state === 'COMPLETED' && other.exit === '0:0';
  switch (t.type) {
    case 'after':
      if (other.start === 0 && !over) return 'unfulfilled';
      return (other.start || other.end) + (t.delayMinutes ?? 0) * 60 <= now ? 'fulfilled' : 'unfulfilled';
    case 'afterany':
    case 'afterburstbuffer':
      return over ? 'fulfilled' : 'unfulfilled';
    case 'afterok':
    case 'aftercorr':
      return !over ? 'unfulfilled' : ok ? 'fulfilled' : 'failed';
    case 'afternotok':
      return !over ? 'unfulfilled' : ok ? 'failed' : 'fulfilled';
    default:
      return 'unfulfilled';
  }
}

export interface DependencyResult {
  verdict: Verdict;
  /** `Dependency=` text, null when nothing is left to show */
  text: string | null;
}

export function evaluate(
  record: JobRecord, find: (id: number) => OtherJob | null, singletonBlocked: boolean, now: number,
): DependencyResult {
  const parsed = parseDependency(record.dependency ?? '');
  if (!parsed.ok || parsed.value.terms.length === 0) return { verdict: 'satisfied', text: null };
  const dep = resolveDependency(parsed.value, (id) => find(id)?.isArray ?? false);
  const states = dep.terms.map((t) => (t.type === 'singleton' ? (singletonBlocked ? 'unfulfilled' : 'fulfilled') : termState(t, find(t.jobId!), now)));
  const live = states.filter((s) => s !== null);
  const text = formatDependency(dep, (_t, i) => (states[i] === 'fulfilled' ? null : states[i])) || null;
  if (live.length === 0) return { verdict: 'satisfied', text };
  if (dep.or) {
    if (live.includes('fulfilled')) return { verdict: 'satisfied', text: null };
    return { verdict: live.every((s) => s === 'failed') ? 'never' : 'waiting', text };
  }
  if (live.includes('failed')) return { verdict: 'never', text };
  return { verdict: live.every((s) => s === 'fulfilled') ? 'satisfied' : 'waiting', text };
}

/** Load the jobs a record's dependency names (once per pass, through the cache). */
export async function loadReferenced(record: JobRecord, redis: Redis, keys: Keys, cache: DependencyLookup): Promise<void> {
  const parsed = parseDependency(record.dependency ?? '');
  if (!parsed.ok) return;
  const ids = [...new Set(parsed.value.terms.map((t) => t.jobId).filter((id): id is number => id !== undefined && !cache.has(id)))];
  if (ids.length === 0) return;
  const pipe = redis.pipeline();
  for (const id of ids) pipe.hmget(keys.job(id), 'state', 'exit', 'start', 'end', 'array');
  const res = (await pipe.exec()) ?? [];
  ids.forEach((id, i) => {
    const v = res[i]?.[1] as (string | null)[] | null;
    cache.set(id, v && v[0] ? { state: v[0], exit: v[1] ?? '0:0', start: Number(v[2] ?? 0), end: Number(v[3] ?? 0), isArray: v[4] === '1' } : null);
  });
}
