/**
 * scancel: cancel jobs by id (`42`, `42_7`, `42_[1-5]`, `42_*`) or by filters,
 * or send them a signal, as Slurm 22.05's scancel does it: plain ids are
 * cancelled one by one, silently when a job is unknown or already over (with
 * -v it says so); with a signal or filters the job table is read first, and
 * ids it does not hold are errors.
 */
import { loadCluster, type Cluster } from '../cluster/load.js';
import { signalNumber } from '../job/values/index.js';
import type { StoredJob } from '../job/job-run.js';
import { CANCELLABLE_STATES, FINAL_STATES } from '../job/job-states.js';
import { formatTasks, hasTask, parseTasks } from '../job/array-tasks.js';
import { ACCESS_DENIED } from '../store/scripts.js';
import { refusal, SlurmError } from '../store/slurm-errors.js';
import type { IO } from './io.js';
import type { JobSource } from './job-source.js';
import { lookupUser } from './users.js';
import { filterWords, hasFilters, parseScancel, SCANCEL_USAGE, type CancelTarget, type ScancelParams } from './scancel-options.js';
import { SCANCEL_HELP } from './scancel-help.js';

export interface CancelDeps {
  source: JobSource;
  /** cancel one job (or one array task record); the Lua result code (ACCESS_DENIED: not the caller's) */
  cancel: (cluster: Cluster, jobId: number) => Promise<number>;
  /** cancel one still-pending task of an array (it becomes a record of its own, CANCELLED); ACCESS_DENIED or 0 */
  cancelTask: (cluster: Cluster, arrayJobId: number, task: number) => Promise<number>;
  /** scancel N.S: cancel a running step (the Lua result: its id, -1 job not running, -2 no such step running, ACCESS_DENIED) */
  cancelStep: (cluster: Cluster, jobId: number, stepId: number) => Promise<number>;
  /** deliver a signal to a running job: 1 sent, -1/-2 not running, ACCESS_DENIED */
  signal: (cluster: Cluster, jobId: number, signal: number, batch: boolean, full: boolean) => Promise<number>;
}

const INVALID = new SlurmError('ESLURM_INVALID_JOB_ID');
const DONE = new SlurmError('ESLURM_ALREADY_DONE');
const DENIED = refusal('cancel', ACCESS_DENIED)!;

/** What reading the job table prints with -v (the select plugins load with it), as this Slurm build prints it. */
const PLUGIN_LINES = [
  'select/cons_tres: common_init: select/cons_tres loaded',
  'select/cray_aries: init: Cray/Aries node selection plugin loaded',
  'select/linear: init: Linear node selection plugin loaded with argument 20',
  'select/cons_res: common_init: select/cons_res loaded',
];

/** One record scancel acts on: a job, an array task's own record, or a task still waiting in its array's record. */
interface Hit {
  job: StoredJob;
  /** a task still in the array's record */
  task?: number;
}

/** The records a target names (finished ones included). */
function hitsOf(t: CancelTarget, jobs: readonly StoredJob[]): Hit[] {
  const out: Hit[] = [];
  for (const j of jobs) {
    const r = j.record;
    const isArray = r.arrayJobId === t.id;
    if (t.tasks === undefined) {
      // `42`: the job, or every record of array 42 (a step id names the job itself only)
      if (r.jobId === t.id || (isArray && t.step === undefined)) out.push({ job: j });
    } else if (t.tasks === 'all') {
      if (isArray) out.push({ job: j });
    } else if (isArray) {
      for (const task of t.tasks) {
        if (r.arrayTaskId === task) out.push({ job: j });
        else if (j.tasks !== '' && hasTask(parseTasks(j.tasks), task)) out.push({ job: j, task });
      }
    }
  }
  return out;
}

/** How scancel names a record in its messages (_build_jobid_str). */
function recordName(h: Hit): string {
  const r = h.job.record;
  if (h.task !== undefined) return `${r.arrayJobId}_${h.task}`;
  if (h.job.tasks !== '') return `${r.arrayJobId}_[${formatTasks(parseTasks(h.job.tasks), r.arrayThrottle ?? 0)}]`;
  if (r.arrayTaskId !== undefined) return `${r.arrayJobId}_${r.arrayTaskId}`;
  return String(r.jobId);
}

export async function scancel(argv: string[], io: IO, deps: CancelDeps): Promise<number> {
  const uid = io.uid ?? process.getuid?.() ?? 0;
  const parsed = parseScancel(argv, io.env, uid);
  if (parsed.kind === 'help' || parsed.kind === 'usage') {
    io.stdout(parsed.kind === 'help' ? SCANCEL_HELP : SCANCEL_USAGE);
    return 0;
  }
  if (parsed.kind === 'print') {
    if (parsed.stdout) io.stdout(parsed.stdout);
    if (parsed.stderr) io.stderr(parsed.stderr);
    return parsed.exit;
  }
  const p = parsed.params;
  let userId: number | undefined;
  if (p.user !== undefined) {
    userId = lookupUser(p.user);
    if (userId === undefined) {
      io.stderr(`scancel: error: Invalid user name: ${p.user}\n`);
      return 1;
    }
  }
  if (p.targets.length === 0 && !hasFilters(p)) {
    io.stderr('scancel: error: No job identification provided\n');
    return 1;
  }
  let signal: number | undefined;
  if (p.signal !== undefined) {
    const n = signalNumber(p.signal);
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
  const say = (line: string) => io.stderr(`scancel: ${line}\n`);
  const plain = !hasFilters(p) && signal === undefined && !p.batch && !p.interactive && p.targets.every((t) => t.step === undefined);
  if (plain) return cancelByIds(p, await deps.source.load(cluster, [...new Set(p.targets.map((t) => t.id))]), cluster, deps, say);

  // the whole job table is read first (with -v, the select plugins say they loaded, when it holds any job)
  const jobs = await deps.source.load(cluster);
  if (p.verbose > 0 && jobs.length > 0) for (const l of PLUGIN_LINES) say(l);
  const live = jobs.filter((j) => !FINAL_STATES.has(j.state));
  let code = 0;
  const chosen: Hit[] = [];
  if (p.targets.length) {
    for (const t of p.targets) {
      const hits = hitsOf(t, live);
      if (t.step !== undefined && hits.length > 0 && (signal === undefined || signal === 9)) {
        code = Math.max(code, await cancelStep(t, t.step, hits.filter((h) => CANCELLABLE_STATES.has(h.job.state)), cluster, deps, say, p.verbose > 0));
        continue;
      }
      if (t.step !== undefined && hits.length > 0) {
        say(`error: signalling a job step (${t.text}) is not supported by flow-slurm yet`);
        code = 1;
        continue;
      }
      if (hits.length === 0) {
        code = 1;
        if (p.verbose >= 0) say(`error: Kill job error on job ${t.step !== undefined ? 'step ' : ''}id ${t.text}: ${INVALID.message}`);
      }
      chosen.push(...hits);
    }
  } else {
    chosen.push(...live.map((job) => ({ job })));
  }
  const match = (h: Hit) => CANCELLABLE_STATES.has(h.job.state)
    && (p.state === undefined || h.job.state === p.state)
    && (userId === undefined || h.job.record.userId === userId)
    && (p.name === undefined || h.job.record.name === p.name)
    && (p.partition === undefined || h.job.record.partition === p.partition)
    && (p.account === undefined || (h.job.record.account ?? '') === p.account);
  const selected = chosen.filter(match);
  if (hasFilters(p) && selected.length === 0 && p.verbose > 0) say(`error: No active jobs match ALL job filters, including: ${filterWords(p)}`);

  // pending jobs first, then the others, as scancel does: each group's requests go out together, so
  // its lines come first and its errors after them
  const kind = p.full ? 'full ' : p.batch ? 'batch ' : '';
  const unique = [...new Set(selected)];
  for (const group of [unique.filter((h) => h.job.state === 'PENDING'), unique.filter((h) => h.job.state !== 'PENDING')]) {
    const kill = signal === undefined || signal === 9;
    if (p.verbose > 0) {
      for (const h of group) say(signal === undefined ? `Terminating ${kind}job ${recordName(h)}` : `Signal ${signal} to ${kind}job ${recordName(h)}`);
    }
    for (const h of group) {
      const name = recordName(h);
      if (kill) {
        const r = h.task !== undefined ? await deps.cancelTask(cluster, h.job.record.jobId, h.task) : await deps.cancel(cluster, h.job.record.jobId);
        if (r === ACCESS_DENIED) {
          say(`error: Kill job error on job id ${name}: ${DENIED.message}`);
          code = DENIED.exitCode;
        }
        continue;
      }
      const r = await deps.signal(cluster, h.job.record.jobId, signal!, p.batch, p.full);
      const refused = h.task !== undefined ? refusal('signal', -2) : refusal('signal', r);
      if (refused) {
        say(`error: Kill job error on job id ${name}: ${refused.message}`);
        code = refused.code === 'ESLURM_ACCESS_DENIED' ? refused.exitCode : 1;
      }
    }
  }
  return code;
}

/**
 * Ids alone: each is cancelled as given; an unknown or finished job is no error (with -v, scancel
 * says what it was). scancel sends the requests in parallel: all the "Terminating" lines come first.
 */
async function cancelByIds(p: ScancelParams, jobs: readonly StoredJob[], cluster: Cluster, deps: CancelDeps, say: (l: string) => void): Promise<number> {
  if (p.verbose > 0) for (const t of p.targets) say(`Terminating job ${t.text}`);
  let code = 0;
  // refusals are reported as slurmctld answers them: the pending jobs' first
  const refused: { pending: boolean; line: string }[] = [];
  for (const t of p.targets) {
    const hits = hitsOf(t, jobs);
    const live = hits.filter((h) => CANCELLABLE_STATES.has(h.job.state));
    if (live.length === 0) {
      if (p.verbose > 0) say(`error: Kill job error on job id ${t.text}: ${(hits.length ? DONE : INVALID).message}`);
      continue;
    }
    let denied = false;
    for (const h of live) {
      const r = h.task !== undefined ? await deps.cancelTask(cluster, h.job.record.jobId, h.task) : await deps.cancel(cluster, h.job.record.jobId);
      if (r === ACCESS_DENIED) denied = true;
    }
    if (denied) {
      refused.push({ pending: live.every((h) => h.job.state === 'PENDING'), line: `error: Kill job error on job id ${t.text}: ${DENIED.message}` });
      code = DENIED.exitCode;
    }
  }
  for (const r of [...refused.filter((x) => x.pending), ...refused.filter((x) => !x.pending)]) say(r.line);
  return code;
}

/**
 * scancel N.S, as scancel 22.05 does it (fixtures/golden signals): a step the running job does not
 * have is refused by slurmctld, and scancel exits with that error's number (ESLURM_INVALID_JOB_ID
 * 2017, i.e. 225).
 */
async function cancelStep(t: CancelTarget, step: number, hits: Hit[], cluster: Cluster, deps: CancelDeps, say: (l: string) => void, verbose: boolean): Promise<number> {
  const jobText = t.text.slice(0, t.text.lastIndexOf('.'));
  if (hits.length === 0) {
    say(`error: Kill job error on job step id ${jobText}.${step}: ${INVALID.message}`);
    return 1;
  }
  let code = 0;
  for (const h of hits) {
    if (verbose) say(`Terminating step ${jobText}.${step}`);
    const r = await deps.cancelStep(cluster, h.job.record.jobId, step);
    const refused = refusal('stepCancel', r);
    if (refused?.code === 'ESLURM_ACCESS_DENIED') {
      say(`error: Kill job error on job step id ${jobText}.${step}: ${refused.message}`);
      code = refused.exitCode;
    } else if (refused) {
      say(`error: Kill job error on job step id ${jobText}: ${refused.message}`);
      code = refused.exitCode;
    }
  }
  return code;
}
