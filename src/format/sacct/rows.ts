/**
 * What sacct lists, from accounting lines: every run of a job (runs ended by a
 * requeue, then the current one), its allocation row and its step rows
 * (`.batch`, derived from the job; `.0`, `.1`... from srun), filtered and
 * ordered as slurmdbd and sacct do. Pure: lines and a query in, rows out.
 */
import type { PastRun, StepRecord } from '../../job/job-run.js';
import { formatTasks, parseTasks } from '../../job/array-tasks.js';
import type { AcctLines, JobLine } from './lines.js';
import { expandHostlist } from '../../job/values/index.js';
import { ALLOCATED_STATES, ENDED_FROM_OUTSIDE, RUN_OVER_STATES } from '../../job/job-states.js';

/** One run of a job: what its allocation row shows. */
export interface Run {
  job: JobLine;
  /** the job's own id (JobIDRaw) */
  id: number;
  /** JobID: `42`, `42_7`, `42_[5-99%10]` */
  idText: string;
  /** an earlier run, ended by a requeue (sacct -D lists it) */
  past: boolean;
  /** a past run's number (its job's run counter) */
  run?: number;
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

/** A step as its row shows it: an srun step's record, or the batch step made to look like one. */
export interface StepView extends Pick<StepRecord, 'name' | 'start' | 'end' | 'state' | 'exit' | 'nodes' | 'nnodes' | 'ntasks' | 'cpus'> {
  /** `batch`, `0`, `1`... */
  id: string;
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


function parseJson<T>(text: string): T[] {
  if (text === '' || text === '[]') return [];
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? (v as T[]) : [];
  } catch {
    return [];
  }
}

/**
 * A job's current run, read from its line as the printing asks: what only
 * some formats show (steps, the batch host, the id text) is read on first use,
 * so a query that shows little scans little of each line.
 */
class CurrentRun implements Run {
  readonly past = false;
  readonly id: number;
  readonly state: string;
  readonly cancelBy: string;
  readonly submit: number;
  readonly eligible: number;
  readonly start: number;
  readonly end: number;
  readonly group: number;
  readonly task: number;
  private cache?: { steps?: StepRecord[]; idText?: string; exit?: string; nodes?: string };

  /** submit, group and task when the caller has read them already (NaN: read them here) */
  constructor(readonly job: JobLine, raw: string, submit = NaN, group = NaN, task = NaN) {
    this.id = job.id;
    let state = raw;
    let cancelBy = '';
    if (state === 'CANCELLED' || state === 'COMPLETING') {
      cancelBy = job.get('cancelBy');
      // a cancel in progress is a cancelled job to slurmdbd; one killed by --kill-on-invalid-dep was cancelled by no one
      if (state === 'COMPLETING') state = cancelBy !== '' ? 'CANCELLED' : 'RUNNING';
      if (state !== 'CANCELLED' || job.get('reason') === 'DependencyNeverSatisfied') cancelBy = '';
    }
    this.state = state;
    this.cancelBy = cancelBy;
    this.end = job.num('end');
    const start = job.num('start');
    // a job cancelled while pending starts and ends at its cancellation
    this.start = start === 0 && state === 'CANCELLED' && job.empty('nodes') ? this.end : start;
    this.submit = submit >= 0 ? submit : job.num('submit') || job.num('r.submit');
    this.eligible = job.num('eligible');
    this.group = group >= 0 ? group : job.empty('r.arrayJobId') ? job.id : job.num('r.arrayJobId');
    this.task = task >= -1 ? task : !job.empty('tasks') ? Number.MAX_SAFE_INTEGER : job.empty('r.arrayTaskId') ? -1 : job.num('r.arrayTaskId');
  }

  get nodes(): string {
    return (this.c.nodes ??= this.job.get('nodes'));
  }

  get nnodes(): number {
    return this.nodes ? this.job.num('nnodes') : 0;
  }

  get cpus(): number {
    return this.nodes ? this.job.num('cpus') : 0;
  }

  private get c() {
    return (this.cache ??= {});
  }

  get idText(): string {
    const c = this.c;
    if (c.idText === undefined) {
      const job = this.job;
      const tasks = job.get('tasks');
      if (tasks !== '') c.idText = `${job.id}_[${formatTasks(parseTasks(tasks), job.num('r.arrayThrottle'))}]`;
      else if (this.task >= 0) c.idText = `${this.group}_${this.task}`;
      else c.idText = String(job.id);
    }
    return c.idText;
  }

  get exit(): string {
    return (this.c.exit ??= this.job.get('exit') || '0:0');
  }

  get batchHost(): string {
    return this.job.get('batchHost');
  }

  get steps(): StepRecord[] {
    return (this.c.steps ??= parseJson<StepRecord>(this.job.get('steps')));
  }

  get batch(): boolean {
    return this.nodes !== '' && this.job.empty('r.interactive');
  }
}

/** The job's current run, or undefined while slurmdbd would not have it yet (a requeued job not yet eligible again). */
function currentRun(job: JobLine, now: number, requeued: boolean): Run | undefined {
  const state = job.get('state');
  if (requeued && state === 'PENDING') {
    const eligible = job.num('eligible');
    if (eligible === 0 || eligible > now) return undefined;
  }
  return new CurrentRun(job, state);
}

function pastRun(job: JobLine, p: PastRun, current: Run | undefined): Run {
  const arrayJob = job.get('r.arrayJobId');
  const taskText = job.get('r.arrayTaskId');
  return {
    job, id: job.id, idText: current?.idText ?? (taskText !== '' ? `${arrayJob}_${taskText}` : String(job.id)), past: true, run: p.run,
    state: p.state, cancelBy: '', exit: p.exit || '0:0', submit: p.submit, eligible: p.eligible, start: p.start, end: p.end,
    nodes: p.nodes ?? '', nnodes: p.nnodes ?? 0, cpus: p.cpus ?? 0, batchHost: '', steps: [],
    batch: (p.nodes ?? '') !== '' && job.get('r.interactive') === '', group: arrayJob !== '' ? Number(arrayJob) : job.id,
    task: taskText !== '' ? Number(taskText) : -1,
  };
}

/** Every run of a job slurmdbd would have: the runs a requeue ended, then the current one. */
export function runsOf(job: JobLine, now: number): Run[] {
  const requeued = job.num('restarts') > 0;
  const current = currentRun(job, now, requeued);
  if (!requeued) return current ? [current] : [];
  const runs = parseJson<PastRun>(job.get('history')).map((p) => pastRun(job, p, current));
  if (current) runs.push(current);
  return runs;
}


/** Whether a run was in `state` during the window [S, E) (_state_time_string of slurmdbd). */
function inStateDuring(r: Run, state: string, S: number, E: number): boolean {
  if (state === 'PENDING') {
    return r.eligible > 0 && ((r.start > 0 && S < r.start) || (!r.start && r.end > 0 && S < r.end)
      || (!r.start && !r.end && r.state === 'PENDING')) && E > r.eligible;
  }
  if (state === 'RUNNING' || state === 'SUSPENDED') {
    return r.start > 0 && (S < r.end || (!r.end && r.state === state)) && E > r.start;
  }
  if (RUN_OVER_STATES.has(state)) return r.state === state && r.end > 0 && r.end >= S && r.end <= E;
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

/** Whether the run is one sacct lists for the query; the -j items that name it (undefined: no -j). */
function selection(run: Run, q: AcctQuery): Selector[] | undefined | false {
  let selected: Selector[] | undefined;
  if (q.selectors) {
    selected = matchesSelectors(run, q.selectors);
    if (selected.length === 0) return false;
  }
  if (!inWindow(run, q) || !matchesFilters(run, q)) return false;
  if (q.nodes && !nodesMatch(run, q.nodes)) return false;
  return selected;
}

/**
 * The runs sacct lists, in its order (by submit time, then job, then array
 * task), handed to `visit` one at a time; without -D only the latest of each
 * job's runs that match. The order is found from the accounting lines alone,
 * and each run is made just before it is visited, so nothing made per run
 * outlives its visit (10,000 jobs make 10,000 short-lived runs, not a heap of
 * long-lived ones for the garbage collector to copy).
 */
export function eachRun(jobs: AcctLines, q: AcctQuery, visit: (run: Run, selected: Selector[] | undefined) => void): void {
  const count = jobs.count;
  // a requeued job's runs are made now (rare); any other job's one run when it is visited
  const extra: { run: Run; selected: Selector[] | undefined }[] = [];
  const requeued = new Uint8Array(count);
  const pRestarts = jobs.position('restarts');
  for (let k = 0; k < count; k++) {
    if (jobs.numAt(k, pRestarts) === 0) continue;
    requeued[k] = 1;
    // each run on its own (with -D), else the latest that matches
    let kept: { run: Run; selected: Selector[] | undefined } | undefined;
    for (const run of runsOf(jobs.job(k), q.now)) {
      const selected = selection(run, q);
      if (selected === false) continue;
      if (q.duplicates) extra.push({ run, selected });
      else if (!kept || run.submit >= kept.run.submit) kept = { run, selected };
    }
    if (kept) extra.push(kept);
  }
  // sort keys: entry k < count is job k's current run, count + i is extra[i]
  const size = count + extra.length;
  const submit = new Float64Array(size);
  const group = new Float64Array(size);
  const task = new Float64Array(size);
  const id = new Float64Array(size);
  const past = new Uint8Array(size);
  const order = new Int32Array(size);
  let n = 0;
  const [pSubmit, pRecordSubmit, pArrayJob, pTasks, pArrayTask] = ['submit', 'r.submit', 'r.arrayJobId', 'tasks', 'r.arrayTaskId'].map((f) => jobs.position(f)) as [number, number, number, number, number];
  for (let k = 0; k < count; k++) {
    if (requeued[k]) continue;
    submit[k] = jobs.numAt(k, pSubmit) || jobs.numAt(k, pRecordSubmit);
    id[k] = jobs.id(k);
    group[k] = jobs.emptyAt(k, pArrayJob) ? id[k]! : jobs.numAt(k, pArrayJob);
    task[k] = !jobs.emptyAt(k, pTasks) ? Number.MAX_SAFE_INTEGER : jobs.emptyAt(k, pArrayTask) ? -1 : jobs.numAt(k, pArrayTask);
    order[n++] = k;
  }
  for (let i = 0; i < extra.length; i++) {
    const run = extra[i]!.run;
    const e = count + i;
    [submit[e], group[e], task[e], id[e], past[e]] = [run.submit, run.group, run.task, run.id, run.past ? 1 : 0];
    order[n++] = e;
  }
  const sorted = order.subarray(0, n).sort((a, b) => submit[a]! - submit[b]! || group[a]! - group[b]! || task[a]! - task[b]!
    || id[a]! - id[b]! || past[b]! - past[a]!);
  for (let i = 0; i < n; i++) {
    const e = sorted[i]!;
    if (e >= count) {
      const { run, selected } = extra[e - count]!;
      visit(run, selected);
      continue;
    }
    const job = jobs.job(e);
    const run = new CurrentRun(job, job.get('state'), submit[e], group[e], task[e]);
    const selected = selection(run, q);
    if (selected !== false) visit(run, selected);
  }
}

/** eachRun's runs as a list (for --json). */
export function selectRuns(jobs: AcctLines, q: AcctQuery): { run: Run; selected?: Selector[] }[] {
  const out: { run: Run; selected?: Selector[] }[] = [];
  eachRun(jobs, q, (run, selected) => out.push({ run, selected }));
  return out;
}

function nodesMatch(r: Run, nodes: ReadonlySet<string>): boolean {
  if (!r.nodes) return false;
  const held = expandHostlist(r.nodes);
  return held.ok && held.value.some((n) => nodes.has(n));
}

/**
 * The batch step of a run: it runs while the job runs and ends as its script
 * did, whatever ended the job: killed by a signal CANCELLED (`kill -9 $$`:
 * the job FAILED, its batch step CANCELLED 0:9), a non-zero exit FAILED (a
 * cancelled script that traps SIGTERM and exits 3), else COMPLETED. A run that
 * was ended from outside without a status of its script (an earlier run,
 * requeued; a node failure) shows CANCELLED 0:15.
 */
export function batchStep(r: Run): StepView {
  const raw = r.past ? r.state : r.job.get('state');
  let state: string;
  let exit: string;
  const colon = r.exit.indexOf(':');
  const code = Number(r.exit.slice(0, colon)) || 0;
  const signal = Number(r.exit.slice(colon + 1)) || 0;
  if (raw === 'RUNNING' || raw === 'COMPLETING' || raw === 'SUSPENDED') {
    state = raw === 'SUSPENDED' ? 'SUSPENDED' : 'RUNNING';
    exit = '0:0';
  } else if (r.past || colon < 0) {
    state = ENDED_FROM_OUTSIDE.has(raw) ? 'CANCELLED' : raw;
    exit = ENDED_FROM_OUTSIDE.has(raw) ? '0:15' : r.exit;
  } else if (signal > 0) {
    state = 'CANCELLED';
    exit = r.exit;
  } else if (code > 0) {
    state = 'FAILED';
    exit = r.exit;
  } else if (ENDED_FROM_OUTSIDE.has(raw) && raw !== 'CANCELLED') {
    state = 'CANCELLED';
    exit = '0:15';
  } else {
    state = 'COMPLETED';
    exit = '0:0';
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
 * The rows of one selected run, handed to `visit`: the allocation, then
 * (without -X) its batch step and its srun steps. A job asked for only by its
 * steps (`-j 42.0`) shows only those. A step still open when its job ended
 * ends with the job.
 */
export function eachRow(run: Run, selected: Selector[] | undefined, q: AcctQuery, visit: (row: AcctRow) => void): void {
  const whole = q.allocations || !selected || selected.some((s) => s.step === undefined);
  if (whole) visit({ run });
  if (q.allocations) return;
  const wanted = whole ? undefined : new Set(selected!.map((s) => s.step!));
  if (run.batch && (!wanted || wanted.has('batch'))) {
    const step = batchStep(run);
    if (stepInWindow(step, q)) visit({ run, step });
  }
  for (const s of run.steps) {
    if (wanted && !wanted.has(String(s.id))) continue;
    const step = srunStep(s);
    if (!step.end && run.end && !ALLOCATED_STATES.has(run.state)) {
      step.end = run.end;
      step.state = run.state;
    }
    if (stepInWindow(step, q)) visit({ run, step });
  }
}
