/**
 * What sacct lists, from accounting lines: every run of a job (runs ended by a
 * requeue, then the current one), its allocation row and its step rows
 * (`.batch`, derived from the job; `.0`, `.1`... from srun), filtered and
 * ordered as slurmdbd and sacct do. Pure: lines and a query in, rows out.
 */
import type { PastRun, StepRecord } from '../../controller/state.js';
import { formatTasks, parseTasks } from '../../spec/array-tasks.js';
import type { Listed } from '../squeue/fields.js';
import { expandHostlist } from '../../spec/values/index.js';

/** One run of a job: what its allocation row shows. */
export interface Run {
  job: Listed;
  /** the job's own id (JobIDRaw) */
  id: number;
  /** JobID: `42`, `42_7`, `42_[5-99%10]` */
  idText: string;
  /** an earlier run, ended by a requeue (sacct -D lists it) */
  past: boolean;
  /** the allocation's state as sacct shows it (no `by <uid>`) */
  state: string;
  /** the uid that cancelled it ('' when none or not by a user) */
  cancelBy: string;
  /** exit code as stored (`N:S`) */
  exit: string;
  submit: number;
  eligible: number;
  start: number;
  end: number;
  /** '' until it gets nodes */
  nodes: string;
  nnodes: number;
  cpus: number;
  batchHost: string;
  /** srun steps (the current run only) */
  steps: StepRecord[];
  /** has a batch step (a batch job that got nodes) */
  batch: boolean;
  /** order: array job (or own id), then task index (-1: not a task; a pending array record last) */
  group: number;
  task: number;
}

/** A step as its row shows it. */
export interface StepView {
  /** `batch`, `0`, `1`... */
  id: string;
  name: string;
  start: number;
  /** 0 while it runs */
  end: number;
  state: string;
  exit: string;
  nodes: string;
  nnodes: number;
  ntasks: number;
  cpus: number;
  /** the srun step record, for the JSON output */
  record?: StepRecord;
}

export interface AcctRow {
  run: Run;
  /** undefined: the allocation row */
  step?: StepView;
}

/** `-j` items: `42`, `42_7`, `42.batch`, `42_7.0`. */
export interface Selector {
  id: number;
  task?: number;
  step?: string;
}

export interface AcctQuery {
  now: number;
  /** -j: jobs (and steps) asked for */
  selectors?: Selector[];
  /** the window slurmdbd searches (epoch seconds, end exclusive), defaults applied */
  window: { start: number; end: number };
  /** long state names */
  states?: ReadonlySet<string>;
  users?: ReadonlySet<number>;
  groups?: ReadonlySet<number>;
  accounts?: ReadonlySet<string>;
  partitions?: ReadonlySet<string>;
  names?: ReadonlySet<string>;
  qos?: ReadonlySet<string>;
  wckeys?: ReadonlySet<string>;
  /** -N: node names */
  nodes?: ReadonlySet<string>;
  /** -D: every run of a requeued job, not only the latest */
  duplicates?: boolean;
  /** -X: allocation rows only */
  allocations?: boolean;
}

const LIVE = new Set(['RUNNING', 'SUSPENDED', 'COMPLETING']);
/** states whose batch step shows CANCELLED (the job was ended from outside) */
const ENDED_FROM_OUTSIDE = new Set(['CANCELLED', 'TIMEOUT', 'PREEMPTED', 'REQUEUED', 'DEADLINE', 'NODE_FAIL', 'BOOT_FAIL']);

function parseJson<T>(text: string): T[] {
  if (text === '' || text === '[]') return [];
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? (v as T[]) : [];
  } catch {
    return [];
  }
}

/** The job's current run, or undefined while slurmdbd would not have it yet (a requeued job not yet eligible again). */
function currentRun(job: Listed, now: number, requeued: boolean): Run | undefined {
  let state = job.get('state');
  const eligible = job.num('eligible');
  if (requeued && state === 'PENDING' && (eligible === 0 || eligible > now)) return undefined;
  const cancelBy = job.get('cancelBy');
  const reason = job.get('reason');
  // a cancel in progress is a cancelled job to slurmdbd; one killed by --kill-on-invalid-dep was cancelled by no one
  if (state === 'COMPLETING') state = cancelBy !== '' ? 'CANCELLED' : 'RUNNING';
  const byUser = state === 'CANCELLED' && cancelBy !== '' && reason !== 'DependencyNeverSatisfied' ? cancelBy : '';
  const nodes = job.get('nodes');
  const end = job.num('end');
  let start = job.num('start');
  // a job cancelled while pending starts and ends at its cancellation
  if (start === 0 && state === 'CANCELLED' && !nodes) start = end;
  const arrayJob = job.get('r.arrayJobId');
  const taskText = job.get('r.arrayTaskId');
  const tasks = job.get('tasks');
  let idText: string;
  let task = -1;
  if (tasks !== '') {
    idText = `${job.id}_[${formatTasks(parseTasks(tasks), job.num('r.arrayThrottle'))}]`;
    task = Number.MAX_SAFE_INTEGER;
  } else if (taskText !== '') {
    idText = `${arrayJob}_${taskText}`;
    task = Number(taskText);
  } else idText = String(job.id);
  const steps = parseJson<StepRecord>(job.get('steps'));
  return {
    job, id: job.id, idText, past: false, state, cancelBy: byUser, exit: job.get('exit') || '0:0',
    submit: job.num('submit') || job.num('r.submit'), eligible, start, end, nodes,
    nnodes: nodes ? job.num('nnodes') : 0, cpus: nodes ? job.num('cpus') : 0, batchHost: job.get('batchHost'),
    steps, batch: nodes !== '' && job.get('r.interactive') === '', group: arrayJob !== '' ? Number(arrayJob) : job.id, task,
  };
}

function pastRun(job: Listed, p: PastRun, current: Run | undefined): Run {
  const arrayJob = job.get('r.arrayJobId');
  const taskText = job.get('r.arrayTaskId');
  return {
    job, id: job.id, idText: current?.idText ?? (taskText !== '' ? `${arrayJob}_${taskText}` : String(job.id)), past: true,
    state: p.state, cancelBy: '', exit: p.exit || '0:0', submit: p.submit, eligible: p.eligible, start: p.start, end: p.end,
    nodes: p.nodes ?? '', nnodes: p.nnodes ?? 0, cpus: p.cpus ?? 0, batchHost: '', steps: [],
    batch: (p.nodes ?? '') !== '' && job.get('r.interactive') === '', group: arrayJob !== '' ? Number(arrayJob) : job.id,
    task: taskText !== '' ? Number(taskText) : -1,
  };
}

/** Every run of a job slurmdbd would have: the runs a requeue ended, then the current one. */
export function runsOf(job: Listed, now: number): Run[] {
  const requeued = job.num('restarts') > 0;
  const current = currentRun(job, now, requeued);
  if (!requeued) return current ? [current] : [];
  const runs = parseJson<PastRun>(job.get('history')).map((p) => pastRun(job, p, current));
  if (current) runs.push(current);
  return runs;
}

const TERMINAL = new Set(['COMPLETED', 'CANCELLED', 'FAILED', 'TIMEOUT', 'NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE',
  'OUT_OF_MEMORY', 'REQUEUED', 'RESIZING', 'REVOKED']);

/** Whether a run was in `state` during the window [S, E) (_state_time_string of slurmdbd). */
function inStateDuring(r: Run, state: string, S: number, E: number): boolean {
  if (state === 'PENDING') {
    return r.eligible > 0 && ((r.start > 0 && S < r.start) || (!r.start && r.end > 0 && S < r.end)
      || (!r.start && !r.end && r.state === 'PENDING')) && E > r.eligible;
  }
  if (state === 'RUNNING' || state === 'SUSPENDED') {
    return r.start > 0 && (S < r.end || (!r.end && r.state === state)) && E > r.start;
  }
  if (TERMINAL.has(state)) return r.state === state && r.end > 0 && r.end >= S && r.end <= E;
  return r.state === state;
}

/**
 * Whether slurmdbd returns a run for the window: with states, one it was in
 * during the window; with -j, one submitted before its end that had not ended
 * before its start; else one eligible before the end and not ended before the start.
 */
export function inWindow(r: Run, q: AcctQuery): boolean {
  const { start: S, end: E } = q.window;
  if (q.states) {
    for (const s of q.states) if (inStateDuring(r, s, S, E)) return true;
    return false;
  }
  if (q.selectors) return r.submit <= E && (r.end >= S || r.end === 0);
  if (!r.eligible || r.eligible >= E) return false;
  return S === 0 || r.end >= S || r.end === 0;
}

function matchesSelectors(r: Run, selectors: readonly Selector[]): Selector[] {
  const arrayJob = r.group;
  return selectors.filter((s) => (s.id === r.id || (s.id === arrayJob && r.task >= 0))
    && (s.task === undefined || (s.task === r.task && r.task >= 0 && r.task !== Number.MAX_SAFE_INTEGER)));
}

function matchesFilters(r: Run, q: AcctQuery): boolean {
  const j = r.job;
  if (q.users && !q.users.has(j.num('r.uid'))) return false;
  if (q.groups && !q.groups.has(j.num('r.gid'))) return false;
  if (q.names && !q.names.has(j.get('r.name'))) return false;
  if (q.accounts && !q.accounts.has(j.get('r.account'))) return false;
  if (q.partitions && !j.get('r.partition').split(',').some((p) => q.partitions!.has(p))) return false;
  if (q.qos && !q.qos.has(j.get('r.qos'))) return false;
  if (q.wckeys && !q.wckeys.has(j.get('r.wckey'))) return false;
  return true;
}

const byOrder = (a: Run, b: Run) => a.submit - b.submit || a.group - b.group || a.task - b.task || a.id - b.id
  || (a.past === b.past ? 0 : a.past ? -1 : 1);

/**
 * The runs sacct lists, in its order (by submit time, then job, then array
 * task); without -D only the latest of each job's runs that match.
 */
export function selectRuns(jobs: readonly Listed[], q: AcctQuery): { run: Run; selected?: Selector[] }[] {
  const out: { run: Run; selected?: Selector[] }[] = [];
  for (const job of jobs) {
    const runs = runsOf(job, q.now);
    let kept: { run: Run; selected?: Selector[] } | undefined;
    for (const run of runs) {
      let selected: Selector[] | undefined;
      if (q.selectors) {
        selected = matchesSelectors(run, q.selectors);
        if (selected.length === 0) continue;
      }
      if (!inWindow(run, q) || !matchesFilters(run, q)) continue;
      if (q.nodes && !nodesMatch(run, q.nodes)) continue;
      const item = { run, selected };
      if (q.duplicates) out.push(item);
      else if (!kept || run.submit >= kept.run.submit) kept = item;
    }
    if (kept) out.push(kept);
  }
  out.sort((a, b) => byOrder(a.run, b.run));
  return out;
}

function nodesMatch(r: Run, nodes: ReadonlySet<string>): boolean {
  if (!r.nodes) return false;
  const held = expandHostlist(r.nodes);
  return held.ok && held.value.some((n) => nodes.has(n));
}

/** The batch step of a run: it runs while the job runs and ends as the job does (CANCELLED 0:15 when ended from outside). */
export function batchStep(r: Run): StepView {
  const raw = r.past ? r.state : r.job.get('state');
  let state: string;
  let exit: string;
  if (raw === 'RUNNING' || raw === 'COMPLETING' || raw === 'SUSPENDED') {
    state = raw === 'SUSPENDED' ? 'SUSPENDED' : 'RUNNING';
    exit = '0:0';
  } else if (ENDED_FROM_OUTSIDE.has(raw)) {
    state = 'CANCELLED';
    const signal = r.exit.slice(r.exit.indexOf(':') + 1);
    exit = signal !== '' && signal !== '0' && !r.past ? `0:${signal}` : '0:15';
  } else {
    state = raw;
    exit = r.exit;
  }
  const node = r.batchHost || firstNode(r.nodes);
  return {
    id: 'batch', name: 'batch', start: r.start, end: state === 'RUNNING' || state === 'SUSPENDED' ? 0 : r.end, state, exit,
    nodes: node, nnodes: 1, ntasks: 1, cpus: r.nnodes > 1 ? Math.ceil(r.cpus / r.nnodes) : r.cpus,
  };
}

function firstNode(nodes: string): string {
  const m = /^([^,[]*)(?:\[(\d+)[^\]]*\])?/.exec(nodes);
  if (!m) return nodes;
  return m[2] !== undefined ? `${m[1]}${m[2]}` : m[1]!;
}

/** An srun step's row: its own record (read defensively: the step record may grow fields). */
export function srunStep(s: StepRecord): StepView {
  return {
    id: String(s.id), name: s.name ?? '', start: Number(s.start) || 0, end: Number(s.end) || 0, state: s.state || 'RUNNING',
    exit: s.exit || '0:0', nodes: s.nodes ?? '', nnodes: Number(s.nnodes) || 1, ntasks: Number(s.ntasks) || 1,
    cpus: Number(s.cpus) || 0, record: s,
  };
}

/** Whether a step ran during the window (slurmdbd's step query). */
const stepInWindow = (s: StepView, q: AcctQuery) => s.start <= q.window.end && (!s.end || s.end >= q.window.start);

/**
 * The rows of the selected runs: each allocation, then (without -X) its batch
 * step and its srun steps. A job asked for only by its steps (`-j 42.0`) shows
 * only those. A step still open when its job ended ends with the job.
 */
export function rowsOf(runs: readonly { run: Run; selected?: Selector[] }[], q: AcctQuery): AcctRow[] {
  const rows: AcctRow[] = [];
  for (const { run, selected } of runs) {
    const whole = q.allocations || !selected || selected.some((s) => s.step === undefined);
    if (whole) rows.push({ run });
    if (q.allocations) continue;
    const wanted = whole ? undefined : new Set(selected!.map((s) => s.step!));
    const steps: StepView[] = [];
    if (run.batch && (!wanted || wanted.has('batch'))) steps.push(batchStep(run));
    for (const s of run.steps) {
      if (wanted && !wanted.has(String(s.id))) continue;
      const view = srunStep(s);
      if (!view.end && run.end && !LIVE.has(run.state)) {
        view.end = run.end;
        view.state = run.state;
      }
      steps.push(view);
    }
    for (const step of steps) if (stepInWindow(step, q)) rows.push({ run, step });
  }
  return rows;
}
