/**
 * scontrol: `show job [-o] [id]`, `hold`/`uhold`/`release`, `shutdown`, and
 * the hostlist helpers `show hostnames|hostlist|hostlistsorted`.
 */
import { loadCluster, type Cluster } from '../cluster/load.js';
import { displayStatus, type StoredJob } from '../controller/state.js';
import { showJob } from '../format/scontrol/show-job.js';
import { showStep, stepViews } from '../format/steps.js';
import { formatTasks, hasTask, parseTasks } from '../spec/array-tasks.js';
import { compressHostlistExpression, expandHostlist } from '../spec/values/index.js';
import type { IO } from './io.js';
import type { JobSource } from './job-source.js';
import { showCluster, type ShowClusterDeps } from './scontrol-show.js';
import { lookupUser } from './users.js';

/** `view` serves `show config|node` (scontrol-show.ts). */
export interface ScontrolDeps extends ShowClusterDeps {
  source: JobSource;
  /** hold/release; returns the Lua result code per job */
  hold: (cluster: Cluster, jobId: number, kind: 'user' | 'admin' | 'release') => Promise<number>;
  /** requeue a running or finished job; the Lua result code */
  requeue: (cluster: Cluster, job: StoredJob) => Promise<number>;
  /** apply `Key=Value` changes to a job; an error message, or undefined when done */
  update: (cluster: Cluster, jobId: number, pairs: [string, string][]) => Promise<string | undefined>;
  /** stop the cluster's controllers: stopped, none ran, or one that did not stop (its pid and host) */
  shutdown: (cluster: Cluster) => Promise<{ stopped: true } | { none: true } | { stuck: string }>;
}

const isRoot = () => (process.getuid?.() ?? 0) === 0;

export async function scontrol(argv: string[], io: IO, deps: ScontrolDeps): Promise<number> {
  let oneLiner = false;
  const words: string[] = [];
  for (const a of argv) {
    if (a === '-o' || a === '--oneliner') oneLiner = true;
    else if (a === '-d' || a === '--details' || a === '-Q' || a === '--quiet') continue;
    else if (a === '-V' || a === '--version') {
      io.stdout('slurm 22.05.8\n');
      return 0;
    } else words.push(a);
  }
  const [verb = '', ...rest] = words;
  const v = verb.toLowerCase();

  if (v === 'show') return show(rest, oneLiner, io, deps);
  if (v === 'hold' || v === 'uhold' || v === 'release') {
    const loaded = loadCluster(io.env);
    if (!loaded.ok) return fail(io, loaded.message);
    let code = 0;
    for (const text of rest.join(',').split(',').filter(Boolean)) {
      const id = Number(text);
      const kind = v === 'release' ? 'release' : v === 'uhold' || !isRoot() ? 'user' : 'admin';
      const r = Number.isInteger(id) ? await deps.hold(loaded.cluster, id, kind) : -1;
      if (r === -1) {
        io.stderr(`Invalid job id specified for job ${text}\nslurm_suspend error: Invalid job id specified\n`);
        code = 1;
      } else if (r === -2 && v !== 'release') {
        io.stderr(`Job is no longer pending execution for job ${text}\nslurm_suspend error: Job is no longer pending execution\n`);
        code = 1;
      }
    }
    return code;
  }
  if (v === 'requeue') return requeue(rest, io, deps);
  // the full word, as Slurm requires for this one
  if (v === 'shutdown') return shutdown(verb, rest, io, deps);
  if (v === 'update') return update(rest, io, deps);
  io.stderr(`invalid keyword: ${verb}\n`);
  return 1;
}

/** `scontrol update JobId=42[,43] Key=Value...` (job-update.ts has the rules). */
async function update(args: string[], io: IO, deps: ScontrolDeps): Promise<number> {
  const pairs: [string, string][] = [];
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq <= 0) {
      io.stderr(`Invalid input: ${a}\nRequest aborted\n`);
      return 1;
    }
    pairs.push([a.slice(0, eq), a.slice(eq + 1)]);
  }
  const selector = pairs.find(([k]) => /^(jobid|job)$/i.test(k));
  if (!selector) {
    io.stderr('No valid entity in update command\nInput line must include "NodeName", "PartitionName", "Reservation=<name>", "JobId", "StepId", "FrontendName" or "SuspendExcNodes"\n');
    return 1;
  }
  const changes = pairs.filter((p) => p !== selector);
  const loaded = loadCluster(io.env);
  if (!loaded.ok) return fail(io, loaded.message);
  let code = 0;
  for (const text of selector[1].split(',').filter(Boolean)) {
    const id = Number(text);
    const problem = Number.isInteger(id) && id > 0 ? await deps.update(loaded.cluster, id, changes) : 'Invalid job id specified';
    if (problem?.startsWith('Update of this parameter')) {
      io.stderr(`${problem}\nRequest aborted\n`);
      return 1;
    }
    if (problem) {
      io.stderr(`${problem} for job ${text}\nslurm_update error: ${problem}\n`);
      code = 1;
    }
  }
  return code;
}

/** `scontrol requeue 42[,43_7...]`: back to pending under the same id (scripts/requeue). */
async function requeue(args: string[], io: IO, deps: ScontrolDeps): Promise<number> {
  if (args.length === 0) {
    io.stderr('too few arguments for keyword:requeue\n');
    return 1;
  }
  const loaded = loadCluster(io.env);
  if (!loaded.ok) return fail(io, loaded.message);
  let code = 0;
  for (const text of args.join(',').split(',').filter(Boolean)) {
    const m = /^(\d+)(?:_(\d+))?$/.exec(text);
    const jobs = m ? await deps.source.load(loaded.cluster, [Number(m[1])]) : [];
    const job = m && jobs.find((j) => (m[2] === undefined ? j.record.jobId === Number(m[1]) : j.record.arrayTaskId === Number(m[2])));
    const r = job ? await deps.requeue(loaded.cluster, job) : -1;
    const problem = r === -1 ? 'Invalid job id specified' : r === -2 ? 'Job is pending execution' : r === -3 ? 'Requested operation is presently disabled' : undefined;
    if (problem) {
      io.stderr(`${problem} for job ${text}\nslurm_requeue error: ${problem}\n`);
      code = 1;
    }
  }
  return code;
}

/**
 * `scontrol shutdown [slurmctld|controller]`: stops the controller (and a
 * standby); running jobs go on, as under slurmstepd. There are no slurmd
 * daemons to stop. Only root and SlurmUser may (slurmctld's validate_super_user).
 * Messages and exit codes are scontrol's (fixtures/oracle/shutdown).
 */
async function shutdown(verb: string, args: string[], io: IO, deps: ScontrolDeps): Promise<number> {
  if (args.length > 1) {
    io.stderr(`too many arguments for keyword:${verb}\n`);
    return 1;
  }
  if (args.length === 1 && args[0] !== 'slurmctld' && args[0] !== 'controller') {
    io.stderr(`invalid shutdown argument:${args[0]}\n`);
    return 1;
  }
  const loaded = loadCluster(io.env);
  if (!loaded.ok) return fail(io, loaded.message);
  const uid = io.uid ?? process.getuid?.() ?? 0;
  const slurmUser = loaded.cluster.config.settings.get('slurmuser') ?? 'root';
  if (uid !== 0 && uid !== lookupUser(slurmUser)) {
    io.stderr('slurm_shutdown error: Invalid user id\n');
    return 1;
  }
  const r = await deps.shutdown(loaded.cluster);
  if ('none' in r) {
    io.stderr('slurm_shutdown error: Unable to contact slurm controller (connect failure)\n');
    return 1;
  }
  if ('stuck' in r) return fail(io, `the controller (${r.stuck}) did not stop`);
  return 0;
}

function fail(io: IO, message: string): number {
  io.stderr(`scontrol: error: ${message}\n`);
  return 1;
}

async function show(args: string[], oneLiner: boolean, io: IO, deps: ScontrolDeps): Promise<number> {
  const [what = '', ...rest] = args;
  const entity = what.toLowerCase();
  if (entity === 'hostnames' || entity === 'hostname') {
    const expr = rest[0] ?? io.env.SLURM_NODELIST;
    if (!expr) {
      io.stderr('scontrol: error: host list is empty\n');
      return 0;
    }
    const r = expandHostlist(expr);
    if (!r.ok) return fail(io, r.error.message);
    io.stdout(r.value.map((n) => `${n}\n`).join(''));
    return 0;
  }
  if (entity === 'hostlist' || entity === 'hostlistsorted') {
    if (!rest[0]) {
      io.stderr('scontrol: error: invalid encode argument\n');
      return 1;
    }
    const r = compressHostlistExpression(rest[0], { sorted: entity === 'hostlistsorted' });
    if (!r.ok) return fail(io, r.error.message);
    io.stdout(`${r.value}\n`);
    return 0;
  }
  if (entity.startsWith('job')) {
    const loaded = loadCluster(io.env);
    if (!loaded.ok) return fail(io, loaded.message);
    const target = rest[0];
    let ids: number[] | undefined;
    let task: number | undefined;
    if (target !== undefined) {
      const m = /^(\d+)(?:_(\d+))?$/.exec(target);
      if (!m) {
        io.stderr('scontrol_print_job error: Invalid job id specified\n');
        return 1;
      }
      ids = [Number(m[1])];
      task = m[2] === undefined ? undefined : Number(m[2]);
    }
    const loadedJobs = await deps.source.load(loaded.cluster, ids);
    // `42_7`: the task's own record, or its array's while it still waits there
    const jobs = loadedJobs.flatMap((j) => {
      if (task === undefined || j.record.arrayTaskId === task) return [j];
      // `42_7` while task 7 still waits in its array's record: that record, seen as the one task
      return j.tasks !== '' && hasTask(parseTasks(j.tasks), task) ? [asPendingTask(j, task)] : [];
    });
    if (jobs.length === 0) {
      if (target === undefined) {
        io.stdout('No jobs in the system\n');
        return 0;
      }
      io.stderr('slurm_load_jobs error: Invalid job id specified\n');
      return 1;
    }
    const now = Math.floor(io.now().getTime() / 1000);
    io.stdout(jobs.sort((a, b) => b.record.jobId - a.record.jobId).map((j) => render(j, now, oneLiner, gpuTres(loaded.cluster))).join(''));
    return 0;
  }
  if (entity.startsWith('step')) return showSteps(rest[0], oneLiner, io, deps);
  const shown = await showCluster(args, oneLiner, io, deps);
  if (shown !== undefined) return shown;
  io.stderr(`invalid entity:${what} for keyword:show\n`);
  return 1;
}

/** An array's record as `scontrol show job 42_7` shows one of its pending tasks: not yet eligible, nothing planned. */
function asPendingTask(array: StoredJob, task: number): StoredJob {
  return { ...array, record: { ...array.record, arrayTaskId: task }, tasks: String(task), eligible: 0, start: 0 };
}

/** With slurmdbd accounting GPUs (AccountingStorageTRES=gres/gpu), TRES strings list them. */
const gpuTres = (cluster: Cluster) => /(^|,)gres\/gpu(,|$)/.test(cluster.config.settings.get('accountingstoragetres') ?? '');

function render(j: StoredJob, now: number, oneLiner: boolean, gpuTres = false): string {
  const st = displayStatus(j, now, j.record.submitHost);
  st.allocSid = j.record.allocSid ?? 0;
  st.gpuTres = gpuTres;
  if (j.tasks !== '') st.pendingArrayTasks = formatTasks(parseTasks(j.tasks), j.record.arrayThrottle ?? 0);
  return showJob(j.record, st, oneLiner);
}

/** `scontrol show step [job[.step]]`: each job's batch step first, then its srun steps. */
async function showSteps(target: string | undefined, oneLiner: boolean, io: IO, deps: ScontrolDeps): Promise<number> {
  const loaded = loadCluster(io.env);
  if (!loaded.ok) return fail(io, loaded.message);
  let want: { job: number; step?: string } | undefined;
  if (target !== undefined) {
    const m = /^(\d+)(?:\.(\d+|batch))?$/.exec(target);
    if (!m) {
      io.stderr('scontrol: error: Invalid job step id specified\n');
      return 1;
    }
    want = { job: Number(m[1]), step: m[2] };
  }
  const jobs = (await deps.source.load(loaded.cluster, want ? [want.job] : undefined)).sort((a, b) => a.record.jobId - b.record.jobId);
  const records = await deps.source.steps(loaded.cluster, jobs.map((j) => j.record.jobId));
  const views = jobs.flatMap((j) => {
    const v = stepViews(j, records.get(j.record.jobId) ?? []);
    // scontrol lists the batch step first
    return [...v.filter((x) => x.step === 'batch'), ...v.filter((x) => x.step !== 'batch')];
  }).filter((v) => want?.step === undefined || String(v.step) === want.step);
  if (views.length === 0) {
    io.stdout(target === undefined ? 'No job steps in the system\n' : `Job step ${target} not found\n`);
    return 0;
  }
  io.stdout(views.map((v) => showStep(v, oneLiner)).join(''));
  return 0;
}
