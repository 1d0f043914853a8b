// Job dependencies (-d/--dependency): the expression and its `Dependency=` display.
import { dependencySyntax } from '../../../grammar/values/index.js';
// ok/fail from their own module: through the index they would load the grammar bundle
import { fail, ok } from '../../../grammar/values/result.js';
import type { DepJobRefSyntax, Result } from '../../../grammar/values/index.js';
import { INFINITE, NO_VAL, numberOf, uint32Of } from './cint.js';

export type DependencyType = 'after' | 'afterany' | 'afterok' | 'afternotok' | 'aftercorr' | 'afterburstbuffer' | 'singleton';

export interface DependencyTerm {
  type: DependencyType;
  /** absent for singleton */
  jobId?: number;
  /** array task; '*' = every task (`id_*`); absent = the job as a whole */
  task?: number | '*';
  /** `+N` minutes (after the job starts/ends), as the controller stores it */
  delayMinutes?: number;
}

export interface Dependency {
  terms: DependencyTerm[];
  /** any `?` in the expression makes every term an alternative (22.05 mixes `,` and `?` into OR) */
  or: boolean;
}

/** A term's state as `Dependency=` shows it; `null` hides the term (satisfied, or dropped job). */
export type DependencyState = 'unfulfilled' | 'fulfilled' | 'failed' | (string & {});
export type DependencyStatus = (term: DependencyTerm, index: number) => DependencyState | null | undefined;

const TYPES = new Set<string>(['after', 'afterany', 'afterok', 'afternotok', 'aftercorr', 'afterburstbuffer']);
const PROBLEM = 'Job dependency problem';
const problem = (column: number): Result<never> => fail(PROBLEM, column, { side: 'controller' });

/** The task list inside `id_[...]`, read the way the controller's bitmap parser does. */
function taskList(text: string, maxArraySize: number): [number, number][] | null {
  const ranges: [number, number][] = [];
  let sum = 0;
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (c !== undefined && c >= '0' && c <= '9') sum = sum * 10 + Number(c);
    else if (c === '-') {
      start = sum;
      sum = 0;
    } else if (c === ',' || c === undefined) {
      if (i === 0) break;
      ranges.push([start === -1 ? sum : start, sum]);
      start = -1;
      sum = 0;
    }
  }
  if (ranges.length === 0) return null;
  for (const [lo, hi] of ranges) if (lo > hi || hi >= maxArraySize) return null;
  return ranges;
}

/**
 * `--dependency` as slurmctld reads it: terms joined by `,` (all) or `?` (any; one `?` turns every
 * separator into OR), each `type:job[:job...]`, `singleton`, or a bare job (= `afterany`). Types:
 * after, afterany, afterok, afternotok, aftercorr, afterburstbuffer (any case). A job is `id`, `id_task`,
 * `id_*`, `id_` (task 0) or `id_[list]` (expanded; the `+delay` after a list applies to its last task
 * only), optionally `+minutes` (> 0, any type; text after the number is ignored) which carries on to the
 * following jobs of the same term. Duplicates (same type, job, task) keep the first. Job ids are not
 * checked here: unknown ids are accepted by Slurm.
 *
 * Every rejection is controller-side (sbatch exit 1): `Batch job submission failed: Job dependency
 * problem`; `expand:` gives `Requested operation not supported on this system`. An empty value means
 * no dependency. `maxArraySize` bounds `id_[list]` indices (slurm.conf MaxArraySize, default 1001).
 */
export function parseDependency(text: string, options: { maxArraySize?: number } = {}): Result<Dependency> {
  if (text === '') return ok({ terms: [], or: false });
  const maxArraySize = options.maxArraySize ?? 1001;
  const parsed = dependencySyntax(text);
  if (!parsed.ok) return problem(parsed.error.column);
  const terms: DependencyTerm[] = [];
  const seen = new Set<string>();
  for (const term of parsed.value.terms) {
    if (term.kind === 'singleton') {
      addTerm(terms, seen, { type: 'singleton' });
      continue;
    }
    const refs = term.kind === 'bare' ? [term.ref] : term.refs;
    let type: DependencyType = 'afterany';
    if (term.kind === 'typed') {
      const t = term.type.toLowerCase();
      if (t === 'expand') return fail('Requested operation not supported on this system', term.offset + 1, { side: 'controller' });
      if (!TYPES.has(t) || refs.length === 0) return problem(term.offset + 1);
      type = t as DependencyType;
    }
    let delay: number | undefined;
    for (const ref of refs) {
      // a bare job must start with a digit and has no delay or task list
      const lead = text[ref.offset];
      if (term.kind === 'bare' && (ref.delay || ref.task.kind === 'list' || !(lead !== undefined && lead >= '0' && lead <= '9'))) {
        return problem(ref.offset + 1);
      }
      const jobId = uint32Of(ref.job);
      if (jobId === 0) return problem(ref.offset + 1);
      let newDelay = delay;
      if (ref.delay) {
        const minutes = ref.delay.num ? numberOf(ref.delay.num) : 0;
        if (minutes <= 0) return problem(ref.delay.offset + 1);
        // stored as uint32 seconds
        newDelay = Math.floor(Number(BigInt.asUintN(32, BigInt(minutes) * 60n)) / 60);
      }
      const tasks = taskOf(ref, maxArraySize);
      if (tasks === null) return problem(ref.offset + 1);
      if (Array.isArray(tasks)) {
        tasks.forEach((task, i) => addTerm(terms, seen, withDelay({ type, jobId, task }, i === tasks.length - 1 ? newDelay : delay)));
      } else {
        addTerm(terms, seen, withDelay(tasks === undefined ? { type, jobId } : { type, jobId, task: tasks }, newDelay));
      }
      delay = newDelay;
    }
  }
  return ok({ terms, or: parsed.value.or });
}

/** A term, unless one of the same type, job and task is there already (the first is kept). */
function addTerm(terms: DependencyTerm[], seen: Set<string>, t: DependencyTerm): void {
  const key = `${t.type}:${t.jobId ?? ''}:${t.task ?? ''}`;
  if (seen.has(key)) return;
  seen.add(key);
  terms.push(t);
}

/** The term with a `+minutes` delay, when there is one. */
const withDelay = (t: DependencyTerm, d: number | undefined): DependencyTerm => (d === undefined ? t : { ...t, delayMinutes: d });

function taskOf(ref: DepJobRefSyntax, maxArraySize: number): number | '*' | undefined | number[] | null {
  switch (ref.task.kind) {
    case 'none':
      return undefined;
    case 'star':
      return '*';
    case 'empty':
      return 0;
    case 'num': {
      const task = uint32Of(ref.task.num);
      return task === INFINITE ? '*' : task === NO_VAL ? undefined : task;
    }
    case 'list': {
      const ranges = taskList(ref.task.text, maxArraySize);
      if (ranges === null) return null;
      // a bitmap: ascending, each task once
      const set = new Set<number>();
      for (const [lo, hi] of ranges) for (let i = lo; i <= hi; i++) set.add(i);
      return [...set].sort((a, b) => a - b);
    }
  }
}

/**
 * What the controller does with the ids once it knows the jobs: a bare id that names a job array
 * becomes `id_*`, then duplicates collapse again (`afterok:7,afterok:7_*` shows once).
 */
export function resolveDependency(dep: Dependency, isArrayJob: (jobId: number) => boolean): Dependency {
  const terms: DependencyTerm[] = [];
  const seen = new Set<string>();
  for (const t of dep.terms) {
    const r = t.jobId !== undefined && t.task === undefined && isArrayJob(t.jobId) ? { ...t, task: '*' as const } : t;
    const key = `${r.type}:${r.jobId ?? ''}:${r.task ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    terms.push(r);
  }
  return { terms, or: dep.or };
}

/** One term as `Dependency=`/squeue `%E` prints it, without the state: `afterok:20_3+5`, `singleton`. */
export function formatDependencyTerm(t: DependencyTerm): string {
  if (t.type === 'singleton') return 'singleton';
  const task = t.task === undefined ? '' : `_${t.task}`;
  const delay = t.delayMinutes === undefined ? '' : `+${t.delayMinutes}`;
  return `${t.type}:${t.jobId}${task}${delay}`;
}

/**
 * `Dependency=` as scontrol/squeue show it: the remaining terms with their state, joined by `,` or
 * (when the expression had a `?`) by `?`: `afterok:20(unfulfilled),afterany:21(unfulfilled)`,
 * `after:1000+5(unfulfilled)`, `singleton(unfulfilled)`, `afterok:20_3(failed)`. Terms whose status
 * is null/undefined are left out; '' when none is left (scontrol then shows `(null)`).
 */
export function formatDependency(dep: Dependency, status: DependencyStatus): string {
  const shown: string[] = [];
  dep.terms.forEach((t, i) => {
    const state = status(t, i);
    if (state !== null && state !== undefined) shown.push(`${formatDependencyTerm(t)}(${state})`);
  });
  return shown.join(dep.or ? '?' : ',');
}
