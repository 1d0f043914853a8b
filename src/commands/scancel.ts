/**
 * scancel: cancel jobs by id (`42`, `42_7`, `42_[1-5]`) or by filters, or send
 * them a signal. Silent for jobs that are unknown or already over, as Slurm.
 */
import { loadCluster, type Cluster } from '../cluster/load.js';
import { getopt, type GetoptTable, type LongOption, type ShortOption } from '../options/getopt.js';
import { arrayIndices, parseArray, signalNumber } from '../spec/values/index.js';
import type { StoredJob } from '../controller/state.js';
import { hasTask, parseTasks } from '../spec/array-tasks.js';
import type { IO } from './io.js';
import type { JobSource } from './job-source.js';
import { lookupUser } from './users.js';

const OPTIONS: [string, string | undefined, 'none' | 'required' | 'optional'][] = [
  ['account', 'A', 'required'], ['batch', 'b', 'none'], ['clusters', 'M', 'required'], ['ctld', undefined, 'none'],
  ['full', 'f', 'none'], ['help', undefined, 'none'], ['hurry', 'H', 'none'], ['interactive', 'i', 'none'],
  ['jobname', undefined, 'required'], ['me', undefined, 'none'], ['name', 'n', 'required'], ['nodelist', 'w', 'required'],
  ['partition', 'p', 'required'], ['qos', 'q', 'required'], ['quiet', 'Q', 'none'], ['reservation', 'R', 'required'],
  ['sibling', undefined, 'required'], ['signal', 's', 'required'], ['state', 't', 'required'], ['usage', undefined, 'none'],
  ['user', 'u', 'required'], ['verbose', 'v', 'none'], ['version', 'V', 'none'], ['wckey', undefined, 'required'],
];

const TABLE: GetoptTable = {
  long: OPTIONS.map(([name, , arg]): LongOption => ({ name, arg, id: name === 'jobname' ? 'name' : name })),
  short: new Map(OPTIONS.filter(([, s]) => s).map(([name, s, arg]): [string, ShortOption] => [s!, { letter: s!, arg, id: name }])),
};

export interface CancelDeps {
  source: JobSource;
  /** cancel one job (or one array task record); the Lua result code */
  cancel: (cluster: Cluster, jobId: number) => Promise<number>;
  /** cancel one still-pending task of an array (it becomes a record of its own, CANCELLED) */
  cancelTask: (cluster: Cluster, arrayJobId: number, task: number) => Promise<void>;
  /** scancel N.S: cancel a running step (the Lua result: its id, -1 job not running, -2 no such step running) */
  cancelStep: (cluster: Cluster, jobId: number, stepId: number) => Promise<number>;
  /** deliver a signal to a running job; false if it is not running */
  signal: (cluster: Cluster, jobId: number, signal: number, batch: boolean, full: boolean) => Promise<boolean>;
}

interface Target {
  text: string;
  id: number;
  tasks?: number[];
  /** `42.3`: a step of the job */
  step?: number;
}

const CANCELLABLE = new Set(['PENDING', 'RUNNING', 'SUSPENDED']);

export async function scancel(argv: string[], io: IO, deps: CancelDeps): Promise<number> {
  const parsed = getopt(argv, TABLE);
  if (!parsed.ok) {
    io.stderr(`scancel: ${parsed.message}\nTry "scancel --help" for more information\n`);
    return 1;
  }
  const opts = new Map(parsed.options.map((o) => [o.id, o.value]));
  if (opts.has('version')) {
    io.stdout('slurm 22.05.8\n');
    return 0;
  }
  const targets: Target[] = [];
  for (const text of argv.slice(parsed.operandIndex).flatMap((a) => a.split(/[\s,]+/)).filter(Boolean)) {
    const m = /^(\d+)(?:_(\d+|\[[^\]]*\]))?(?:\.(\w+))?$/.exec(text);
    if (!m) {
      io.stderr(`scancel: error: Invalid job id ${text}\n`);
      return 1;
    }
    let tasks: number[] | undefined;
    if (m[2] !== undefined) {
      if (m[2].startsWith('[')) {
        const list = parseArray(m[2].slice(1, -1));
        if (!list.ok) {
          io.stderr(`scancel: error: Invalid job id ${text}\n`);
          return 1;
        }
        tasks = [...arrayIndices(list.value)];
      } else tasks = [Number(m[2])];
    }
    const step = m[3] !== undefined && /^\d+$/.test(m[3]) ? Number(m[3]) : undefined;
    targets.push({ text, id: Number(m[1]), tasks, step });
  }
  const filtered = ['name', 'user', 'me', 'state', 'partition', 'account', 'qos', 'nodelist'].some((k) => opts.has(k));
  if (targets.length === 0 && !filtered) {
    io.stderr('scancel: error: No job identification provided\n');
    return 1;
  }
  let states: Set<string> | undefined;
  if (opts.has('state')) {
    states = new Set();
    for (const s of (opts.get('state') ?? '').split(',')) {
      const up = s.toUpperCase();
      const full = up === 'PD' ? 'PENDING' : up === 'R' ? 'RUNNING' : up === 'S' ? 'SUSPENDED' : up;
      if (!CANCELLABLE.has(full)) {
        io.stderr(`scancel: error: Invalid job state specified: ${s}\nscancel: error: Valid job states are PENDING, RUNNING, and SUSPENDED\n`);
        return 1;
      }
      states.add(full);
    }
  }
  let user: number | undefined;
  if (opts.has('user')) {
    user = lookupUser(opts.get('user') ?? '');
    if (user === undefined) {
      io.stderr(`scancel: error: Invalid user name: ${opts.get('user')}\n`);
      return 1;
    }
  }
  if (opts.has('me')) user = process.getuid?.() ?? 0;
  let signal: number | undefined;
  if (opts.has('signal')) {
    const n = signalNumber(opts.get('signal') ?? '');
    if (!n.ok) {
      io.stderr(`${n.error.message}\n`);
      return 1;
    }
    signal = n.value;
  }

  const loaded = loadCluster(io.env);
  if (!loaded.ok) {
    io.stderr(`scancel: error: ${loaded.message}\n`);
    return 1;
  }
  const cluster = loaded.cluster;
  const ids = targets.length ? [...new Set(targets.map((t) => t.id))] : undefined;
  const jobs = await deps.source.load(cluster, ids);
  const match = (j: StoredJob) => CANCELLABLE.has(j.state)
    && (!states || states.has(j.state))
    && (user === undefined || j.record.userId === user)
    && (!opts.has('name') || (opts.get('name') ?? '').split(',').includes(j.record.name))
    && (!opts.has('partition') || (opts.get('partition') ?? '').split(',').includes(j.record.partition))
    && (!opts.has('account') || (opts.get('account') ?? '').split(',').includes(j.record.account ?? ''));

  let code = 0;
  const chosen: StoredJob[] = [];
  const pendingTasks: [StoredJob, number][] = [];
  if (targets.length) {
    for (const t of targets) {
      if (t.step !== undefined && (signal === undefined || signal === 9)) {
        code = Math.max(code, await cancelStep(t, t.step, jobs.filter(match), io, deps, cluster, opts.has('verbose')));
        continue;
      }
      const hits = jobs.filter((j) => (j.record.jobId === t.id || j.record.arrayJobId === t.id)
        && (t.tasks === undefined || (j.record.arrayTaskId !== undefined && t.tasks.includes(j.record.arrayTaskId))));
      const live = hits.filter(match);
      // `42_7` while task 7 still waits in the array's own record
      const array = t.tasks && jobs.find((j) => j.record.jobId === t.id && j.tasks !== '' && match(j));
      const waiting = array ? t.tasks!.filter((i) => hasTask(parseTasks(array.tasks), i)) : [];
      for (const i of waiting) pendingTasks.push([array as StoredJob, i]);
      if (live.length === 0 && waiting.length === 0 && signal !== undefined) {
        io.stderr(`scancel: error: Kill job error on job id ${t.text}: Invalid job id specified\n`);
        code = 1;
      }
      chosen.push(...live);
    }
  } else {
    chosen.push(...jobs.filter(match));
  }

  for (const [array, task] of pendingTasks) {
    if (signal === undefined || signal === 9) await deps.cancelTask(cluster, array.record.jobId, task);
    else {
      io.stderr(`scancel: error: Kill job error on job id ${array.record.jobId}_${task}: Job is pending execution\n`);
      code = 1;
    }
  }
  for (const j of new Set(chosen)) {
    if (signal === undefined || signal === 9) {
      await deps.cancel(cluster, j.record.jobId);
      if (opts.has('verbose')) io.stderr(`scancel: Terminating job ${j.record.jobId}\n`);
    } else {
      const ok = await deps.signal(cluster, j.record.jobId, signal, opts.has('batch'), opts.has('full'));
      if (!ok) {
        io.stderr(`scancel: error: Kill job error on job id ${j.record.jobId}: Job is pending execution\n`);
        code = 1;
      } else if (opts.has('verbose')) io.stderr(`scancel: Signal ${signal} to job ${j.record.jobId}\n`);
    }
  }
  return code;
}

/**
 * scancel N.S, as scancel 22.05 does it (fixtures/golden signals): a job that
 * is not running (unknown, finished) is refused by scancel itself, exit 1; a
 * step the running job does not have is refused by slurmctld, and scancel
 * exits with that error's number (ESLURM_INVALID_JOB_ID 2017, i.e. 225).
 */
async function cancelStep(t: Target, step: number, live: StoredJob[], io: IO, deps: CancelDeps, cluster: Cluster, verbose: boolean): Promise<number> {
  const jobText = t.text.slice(0, t.text.lastIndexOf('.'));
  const hits = live.filter((j) => (j.record.jobId === t.id && (t.tasks === undefined || j.record.arrayTaskId === undefined))
    || (j.record.arrayJobId === t.id && t.tasks !== undefined && j.record.arrayTaskId !== undefined && t.tasks.includes(j.record.arrayTaskId)));
  if (hits.length === 0) {
    io.stderr(`scancel: error: Kill job error on job step id ${jobText}.${step}: Invalid job id specified\n`);
    return 1;
  }
  let code = 0;
  for (const j of hits) {
    if (verbose) io.stderr(`scancel: Terminating step ${jobText}.${step}\n`);
    if ((await deps.cancelStep(cluster, j.record.jobId, step)) < 0) {
      io.stderr(`scancel: error: Kill job error on job step id ${jobText}: Invalid job id specified\n`);
      code = 2017 & 0xff;
    }
  }
  return code;
}
