/**
 * Evaluating `--dependency` against the other jobs, as slurmctld does before
 * each scheduling pass: every term is unfulfilled, fulfilled (then hidden from
 * `Dependency=`) or failed; `,` needs all, `?` needs one. A term on a job that
 * no longer exists is dropped. The verdict drives the pending reason
 * (Dependency / DependencyNeverSatisfied).
 */
import type { Redis } from 'ioredis';
import type { JobRecord } from '../job/job.js';
import { formatDependency, parseDependency, resolveDependency, type DependencyTerm } from '../job/values/index.js';
import type { Keys } from '../store/keys.js';
import { FINAL_STATES } from '../job/job-states.js';
import { hasTask, parseTasks, type TaskRange } from '../job/array-tasks.js';

export interface OtherJob {
  state: string;
  exit: string;
  start: number;
  end: number;
  /** a job array (a bare reference to it means all its tasks) */
  isArray: boolean;
  /** an array: the tasks that have records of their own, by index */
  tasks?: Map<number, OtherJob>;
  /** an array: its tasks still waiting in its own record */
  pending?: TaskRange[];
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

/** One task of an array: its own record, or pending in the array's; null if it has neither. */
export function taskOf(array: OtherJob, task: number): OtherJob | null {
  const own = array.tasks?.get(task);
  if (own) return own;
  return array.pending && hasTask(array.pending, task) ? { state: 'PENDING', exit: '0:0', start: 0, end: 0, isArray: false } : null;
}

/**
 * An array as one job, for terms on all its tasks: pending while any task
 * waits, running while any runs, then completed only if every task completed
 * with exit 0 (else failed); started once all tasks started, ended with the last.
 */
export function wholeArray(array: OtherJob): OtherJob {
  const tasks = [...(array.tasks?.values() ?? [])];
  const waiting = (array.pending?.length ?? 0) > 0 || tasks.some((t) => t.state === 'PENDING');
  const over = !waiting && tasks.every((t) => FINAL_STATES.has(t.state));
  const ok = tasks.every((t) => t.state === 'COMPLETED' && t.exit === '0:0');
  return {
    state: waiting ? 'PENDING' : !over ? 'RUNNING' : ok ? 'COMPLETED' : 'FAILED',
    exit: over && !ok ? '1:0' : '0:0',
    start: waiting ? 0 : Math.max(0, ...tasks.map((t) => t.start)),
    end: over ? Math.max(0, ...tasks.map((t) => t.end)) : 0,
    isArray: true,
  };
}

/** What a term waits on: a job, one task of an array, or a whole array. */
function targetOf(t: DependencyTerm, other: OtherJob | null, ownTask: number | undefined): OtherJob | null {
  if (other === null || !other.isArray) return other;
  if (t.type === 'aftercorr') return ownTask === undefined ? wholeArray(other) : taskOf(other, ownTask);
  if (typeof t.task === 'number') return taskOf(other, t.task);
  return wholeArray(other);
}

/**
 * The verdict for a job, or with `ownTask` for one task of an array job
 * (aftercorr pairs task k with the other array's task k).
 */
export function evaluate(
  record: JobRecord, find: (id: number) => OtherJob | null, singletonBlocked: boolean, now: number, ownTask?: number,
): DependencyResult {
  const parsed = parseDependency(record.dependency ?? '');
  if (!parsed.ok || parsed.value.terms.length === 0) return { verdict: 'satisfied', text: null };
  const dep = resolveDependency(parsed.value, (id) => find(id)?.isArray ?? false);
  const states = dep.terms.map((t) => (t.type === 'singleton' ? (singletonBlocked ? 'unfulfilled' : 'fulfilled')
    : termState(t, targetOf(t, find(t.jobId!), ownTask), now)));
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

const JOB_STATE = ['state', 'exit', 'start', 'end', 'array', 'tasks', 'r.arrayTaskId'] as const;

function otherJob(v: (string | null)[] | null | undefined): OtherJob | null {
  if (!v || !v[0]) return null;
  return { state: v[0], exit: v[1] ?? '0:0', start: Number(v[2] ?? 0), end: Number(v[3] ?? 0), isArray: v[4] === '1' };
}

/** Load the jobs a record's dependency names (once per pass, through the cache); arrays with their tasks. */
export async function loadReferenced(record: JobRecord, redis: Redis, keys: Keys, cache: DependencyLookup): Promise<void> {
  const parsed = parseDependency(record.dependency ?? '');
  if (!parsed.ok) return;
  const ids = [...new Set(parsed.value.terms.map((t) => t.jobId).filter((id): id is number => id !== undefined && !cache.has(id)))];
  if (ids.length === 0) return;
  const pipe = redis.pipeline();
  for (const id of ids) {
    pipe.hmget(keys.job(id), ...JOB_STATE);
    pipe.smembers(keys.arrayTasks(id));
  }
  const res = (await pipe.exec()) ?? [];
  for (const [i, id] of ids.entries()) {
    const v = res[2 * i]?.[1] as (string | null)[] | null;
    const job = otherJob(v);
    cache.set(id, job);
    if (!job?.isArray) continue;
    // the array's own record is itself a task once its last task started
    const taskIds = [...((res[2 * i + 1]?.[1] as string[] | null) ?? []).map(Number), id];
    const tp = redis.pipeline();
    for (const tid of taskIds) tp.hmget(keys.job(tid), ...JOB_STATE);
    const tr = (await tp.exec()) ?? [];
    job.tasks = new Map();
    taskIds.forEach((_, k) => {
      const tv = tr[k]?.[1] as (string | null)[] | null;
      const task = otherJob(tv);
      if (task && tv?.[6]) job.tasks!.set(Number(tv[6]), task);
    });
    const waiting = parseTasks(v?.[5] ?? '');
    if (job.state === 'PENDING') job.pending = waiting;
    // an array cancelled while tasks waited: those tasks ended with it
    else if (waiting.length > 0) job.tasks.set(waiting[0]!.start, { ...job, isArray: false, tasks: undefined });
  }
}
