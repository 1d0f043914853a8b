/**
 * scontrol as Slurm 22.05's: options anywhere (GNU getopt), then one command
 * (`show job|step|config|node|partition|hostnames|hostlist`, `hold`/`uhold`/
 * `release`, `requeue`/`requeuehold`, `update`, `shutdown`, and the flag keywords), or,
 * without one, commands read from stdin as its interactive mode reads them.
 * Keywords are matched as scontrol matches them (any case, abbreviated to a
 * least length); real keywords flow-slurm does not do are refused by name.
 */
import { readFileSync } from 'node:fs';
import { isOperator, jobsVisibleOnlyTo } from '../cluster/access.js';
import { loadCluster, type Cluster } from '../cluster/load.js';
import { refusal, SlurmError } from '../store/slurm-errors.js';
import type { StepRecord, StoredJob } from '../job/job-run.js';
import { displayStatus } from '../format/job-status.js';
import { highestExit } from '../format/sacct/values.js';
import { jobDetails, showJob } from '../format/scontrol/show-job.js';
import { showStep, stepViews } from '../format/steps.js';
import { parseCommandLine } from '../options/command-line.js';
import { formatTasks, hasTask, parseTasks } from '../job/array-tasks.js';
import { compressHostlistExpression, expandHostlist } from '../job/values/index.js';
import type { IO } from './io.js';
import type { JobSource } from './job-source.js';
import { ownJobsView } from './private-jobs.js';
import { SCONTROL_HELP } from './scontrol-help.js';
import { keyword, SCONTROL_COMMAND_LINE, startsWithKeyword } from './scontrol-options.js';
import { showCluster, type ShowClusterDeps } from './scontrol-show.js';
import { lookupUser } from './users.js';

/** `view` serves `show config|node` (scontrol-show.ts). */
export interface ScontrolDeps extends ShowClusterDeps {
  source: JobSource;
  /** hold/release; returns the Lua result code per job */
  hold: (cluster: Cluster, jobId: number, kind: 'user' | 'admin' | 'release') => Promise<number>;
  /** requeue a running or finished job (requeuehold: and hold it, as PENDING or SPECIAL_EXIT); the Lua result code */
  requeue: (cluster: Cluster, job: StoredJob, hold?: 'PENDING' | 'SPECIAL_EXIT') => Promise<number>;
  /** apply `Key=Value` changes to a job; an error message, or undefined when done */
  update: (cluster: Cluster, jobId: number, pairs: [string, string][]) => Promise<string | undefined>;
  /** stop the cluster's controllers: stopped, none ran, or one that did not stop (its pid and host) */
  shutdown: (cluster: Cluster) => Promise<{ stopped: true } | { none: true } | { stuck: string }>;
}

/** What scontrol's flags and keywords set, for the command or the rest of an interactive session. */
interface Session {
  oneLiner: boolean;
  details: boolean;
  /** 1: -Q, quiet; -1: -v, verbose */
  quiet: number;
  exitCode: number;
  /** `exit`/`quit` */
  done: boolean;
}

const callerUid = (io: IO) => io.uid ?? process.getuid?.() ?? 0;

/** slurmctld's answers to a request on someone else's job (fixtures/oracle/users) */
const INVALID_USER = new SlurmError('ESLURM_USER_ID_MISSING').message;
const INVALID_JOB = new SlurmError('ESLURM_INVALID_JOB_ID').message;

/** `N_T` of a job that is not the caller's: the array's owner decides (scontrol names the task in its answer). */
async function taskOfOther(text: string, cluster: Cluster, io: IO, deps: ScontrolDeps): Promise<boolean> {
  const m = /^(\d+)_(\d+)$/.exec(text);
  if (!m) return false;
  const uid = callerUid(io);
  if (isOperator(uid, cluster.config)) return false;
  const jobs = await deps.source.load(cluster, [Number(m[1])]);
  return jobs.length > 0 && jobs.every((j) => j.record.userId !== uid);
}

export async function scontrol(argv: string[], io: IO, deps: ScontrolDeps): Promise<number> {
  const s: Session = { oneLiner: false, details: false, quiet: 0, exitCode: 0, done: false };
  const cl = parseCommandLine(SCONTROL_COMMAND_LINE, argv, io.env);
  for (const { id, value } of cl.options) {
    switch (id) {
      case 'details': s.details = true; break;
      case 'help':
        io.stdout(SCONTROL_HELP);
        return s.exitCode;
      case 'hide': s.details = false; break;
      case 'oneliner': s.oneLiner = true; break;
      case 'quiet': s.quiet = 1; break;
      case 'uid':
        if (lookupUser(value ?? '') === undefined) {
          io.stderr(`scontrol: error: --uid="${value}" invalid\n`);
          return s.exitCode;
        }
        break;
      case 'verbose': s.quiet = -1; break;
      case 'version':
        printVersion(io, s);
        return s.exitCode;
      default: break; // -a, -F, -M, --federation, --local, --sibling: one cluster, no hidden partitions
    }
  }
  if (cl.error) {
    io.stderr(cl.error.stderr);
    return cl.error.exit;
  }
  if (cl.operands.length > 0) {
    await command(cl.operands, s, io, deps);
    return s.exitCode;
  }
  await interactive(s, io, deps);
  return s.exitCode;
}

/**
 * No command on the line: read them from stdin, as scontrol does through
 * readline: a prompt before each line; reading no terminal, readline also
 * prints the line it read. At the end of stdin, the prompt and a newline.
 */
async function interactive(s: Session, io: IO, deps: ScontrolDeps): Promise<void> {
  const next = io.readLine ?? linesOf(io.readStdin().toString('utf8'));
  let last = '';
  for (;;) {
    io.stdout('scontrol: ');
    const raw = next();
    if (raw === undefined) break;
    if (!io.stdinIsTerminal) io.stdout(`${raw}\n`);
    const line = raw === '!!' ? last : raw;
    last = line;
    await command(splitWords(line), s, io, deps);
    if (s.done) return;
  }
  io.stdout('\n');
}

/** A text's lines one at a time (the last one's newline may be missing). */
function linesOf(text: string): () => string | undefined {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return () => lines.shift();
}

/** An interactive line's words: split at blanks outside quotes (the quotes stay, as scontrol keeps them). */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    if (/\s/.test(line[i]!)) {
      i++;
      continue;
    }
    let j = i + 1;
    let dq = false;
    let sq = false;
    for (; j < line.length; j++) {
      const c = line[j]!;
      if (c === '"') dq = !dq;
      else if (c === "'") sq = !sq;
      else if (!dq && !sq && /\s/.test(c)) break;
    }
    words.push(line.slice(i, j));
    i = j + 1;
  }
  return words;
}

function printVersion(io: IO, s: Session): void {
  io.stdout(`slurm 22.05.8${s.quiet === -1 ? '\nslurm_api_version: 2490368, 38.0.0' : ''}\n`);
}

const failed = (s: Session) => {
  s.exitCode = 1;
};

/** A flag keyword takes no argument. */
function noArguments(words: string[], s: Session, io: IO): void {
  if (words.length > 1) {
    io.stderr(`too many arguments for keyword:${words[0]}\n`);
    failed(s);
  }
}

/** One command (scontrol's _process_command): its keyword, in scontrol's order of tests. */
async function command(words: string[], s: Session, io: IO, deps: ScontrolDeps): Promise<void> {
  const tag = words[0];
  if (tag === undefined) {
    failed(s);
    return;
  }
  const k = (name: string, min: number) => keyword(tag, name, min);
  const args = words.slice(1);
  if (k('abort', 5)) return unbuilt(tag, s, io);
  if (k('all', 2)) return;
  if (k('cancel_reboot', 3) || k('completing', 2) || k('cluster', 2) || k('create', 2)) return unbuilt(tag, s, io);
  if (k('details', 1)) {
    if (words.length > 1) noArguments(words, s, io);
    else s.details = true;
    return;
  }
  if (k('errnumstr', 2) || k('errnostr', 2)) return unbuilt(tag, s, io);
  if (k('exit', 2)) {
    noArguments(words, s, io);
    s.done = true;
    return;
  }
  if (k('gethost', 7) || k('hash_file', 15) || k('hash', 9)) return unbuilt(tag, s, io);
  if (k('help', 2)) {
    noArguments(words, s, io);
    io.stdout(SCONTROL_HELP);
    return;
  }
  if (k('hide', 2)) {
    s.details = false;
    return;
  }
  if (k('oneliner', 1)) {
    noArguments(words, s, io);
    s.oneLiner = true;
    return;
  }
  if (k('pidinfo', 3) || k('ping', 3)) return unbuilt(tag, s, io);
  if (startsWithKeyword(tag, '\\q') || k('quiet', 4)) {
    noArguments(words, s, io);
    s.quiet = 1;
    return;
  }
  if (k('quit', 4)) {
    noArguments(words, s, io);
    s.done = true;
    return;
  }
  if (k('reboot_nodes', 3) || k('reconfigure', 3)) return unbuilt(tag, s, io);
  if (k('requeue', 3)) return requeue(tag, args, undefined, s, io, deps);
  if (startsWithKeyword(tag, 'requeuehold')) return requeue(tag, args, 'PENDING', s, io, deps);
  if (startsWithKeyword(tag, 'hold') || startsWithKeyword(tag, 'uhold') || k('release', 3)) return hold(tag, args, s, io, deps);
  if (k('suspend', 2) || k('resume', 3) || k('top', 3) || k('token', 3) || k('wait_job', 2)) return unbuilt(tag, s, io);
  if (k('setdebugflags', 9) && args.length === 0) {
    io.stderr(`too few arguments for keyword:${tag}\n`);
    return failed(s);
  }
  if (k('setdebugflags', 9) || k('fsdampeningfactor', 3) || k('fairsharedampeningfactor', 3) || k('setdebug', 2) || k('schedloglevel', 3)) {
    return unbuilt(tag, s, io);
  }
  if (k('show', 3)) return show(words, s, io, deps);
  if (k('write', 5) || k('takeover', 8)) return unbuilt(tag, s, io);
  if (k('shutdown', 8)) return shutdown(tag, args, s, io, deps);
  if (k('update', 1)) {
    if ((await update(args, io, deps)) !== 0) failed(s);
    return;
  }
  if (k('delete', 1)) return unbuilt(tag, s, io);
  if (k('verbose', 4)) {
    noArguments(words, s, io);
    s.quiet = -1;
    return;
  }
  if (k('version', 4)) {
    noArguments(words, s, io);
    printVersion(io, s);
    return;
  }
  if (k('listpids', 1) || k('getent', 6) || k('notify', 1) || k('callerid', 3)) return unbuilt(tag, s, io);
  io.stderr(`invalid keyword: ${tag}\n`);
  failed(s);
}

function unbuilt(tag: string, s: Session, io: IO): void {
  io.stderr(`scontrol: error: ${tag} is not supported by flow-slurm\n`);
  failed(s);
}

/** `hold`/`holdu`/`uhold`/`release` of each job id (scontrol_hold). */
async function hold(tag: string, args: string[], s: Session, io: IO, deps: ScontrolDeps): Promise<void> {
  if (args.length === 0) {
    if (s.quiet !== 1) io.stderr(`too few arguments for keyword:${tag}\n`);
    return failed(s);
  }
  const loaded = loadCluster(io.env);
  if (!loaded.ok) return fail(io, s, loaded.message);
  const op = keyword(tag, 'release', 3) ? 'release'
    : startsWithKeyword(tag, 'holdu') || startsWithKeyword(tag, 'uhold') || !isOperator(callerUid(io), loaded.cluster.config) ? 'user' : 'admin';
  for (const text of args.join(',').split(',').filter(Boolean)) {
    if (await taskOfOther(text, loaded.cluster, io, deps)) {
      if (s.quiet !== 1) io.stderr(`${text}: ${INVALID_USER}\n`);
      failed(s);
      continue;
    }
    const id = Number(text);
    const r = Number.isInteger(id) ? await deps.hold(loaded.cluster, id, op) : -1;
    const problem = refusal(op === 'release' ? 'release' : 'hold', r)?.message;
    if (problem) {
      if (s.quiet !== 1) io.stderr(`${problem} for job ${text}\nslurm_suspend error: ${problem}\n`);
      failed(s);
    }
  }
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
  if (!loaded.ok) {
    io.stderr(`scontrol: error: ${loaded.message}\n`);
    return 1;
  }
  let code = 0;
  for (const text of selector[1].split(',').filter(Boolean)) {
    if (await taskOfOther(text, loaded.cluster, io, deps)) {
      io.stderr(`${text}: ${INVALID_USER}\n`);
      code = 1;
      continue;
    }
    const id = Number(text);
    const problem = Number.isInteger(id) && id > 0 ? await deps.update(loaded.cluster, id, changes) : INVALID_JOB;
    if (problem === INVALID_USER) {
      // slurmctld's refusal of someone else's job comes without scontrol's slurm_update line
      io.stderr(`${problem} for job ${text}\n`);
      code = 1;
      continue;
    }
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

/**
 * `scontrol requeue [Incomplete|State=SpecialExit] 42[,43_7...]`: back to pending under
 * the same id; `requeuehold` holds it there too (as SPECIAL_EXIT with State=SpecialExit).
 */
async function requeue(
  tag: string, args: string[], held: 'PENDING' | undefined, s: Session, io: IO, deps: ScontrolDeps,
): Promise<void> {
  if (args.length === 0) {
    if (s.quiet !== 1) io.stderr(`too few arguments for keyword:${tag}\n`);
    return failed(s);
  }
  // parse_requeue_flags(): leading words that are flags
  let specialExit = false;
  let first = 0;
  for (; first < args.length; first++) {
    const a = args[first]!;
    if ('incomplete'.startsWith(a.toLowerCase())) continue;
    const m = /^state=(.*)$/i.exec(a);
    if (m && (m[1]!.slice(0, 11).toLowerCase() === 'specialexit' || m[1]!.slice(0, 2).toLowerCase() === 'se')) {
      specialExit = true;
      continue;
    }
    break;
  }
  const loaded = loadCluster(io.env);
  if (!loaded.ok) return fail(io, s, loaded.message);
  const hold = held && (specialExit ? 'SPECIAL_EXIT' : 'PENDING');
  for (const word of args.slice(first)) {
    const item = held ? word : word.replace(/^jobid=/i, '').replace(/^job=/i, '');
    for (const text of item.split(/[, ]/).filter(Boolean)) {
      const m = /^(\d+)(?:_(\d+))?$/.exec(text);
      const jobs = m ? await deps.source.load(loaded.cluster, [Number(m[1])]) : [];
      const job = m && jobs.find((j) => (m[2] === undefined ? j.record.jobId === Number(m[1]) : j.record.arrayTaskId === Number(m[2])));
      const r = job ? await deps.requeue(loaded.cluster, job, hold) : -1;
      const problem = refusal('requeue', r);
      if (problem) {
        // another's array task is named as given, without "for job"
        const line = problem.code === 'ESLURM_ACCESS_DENIED' && m?.[2] !== undefined ? `${text}: ${problem.message}` : `${problem.message} for job ${text}`;
        if (s.quiet !== 1) io.stderr(`${line}\n`);
        failed(s);
      }
    }
  }
}

/**
 * `scontrol shutdown [slurmctld|controller]`: stops the controller (and a
 * standby); running jobs go on, as under slurmstepd. There are no slurmd
 * daemons to stop. Only root and SlurmUser may (slurmctld's validate_super_user).
 * Messages and exit codes are scontrol's (fixtures/oracle/shutdown).
 */
async function shutdown(tag: string, args: string[], s: Session, io: IO, deps: ScontrolDeps): Promise<void> {
  if (args.length > 1) {
    io.stderr(`too many arguments for keyword:${tag}\n`);
    return failed(s);
  }
  if (args.length === 1 && args[0] !== 'slurmctld' && args[0] !== 'controller') {
    io.stderr(`invalid shutdown argument:${args[0]}\n`);
    return failed(s);
  }
  const loaded = loadCluster(io.env);
  if (!loaded.ok) return fail(io, s, loaded.message);
  const uid = io.uid ?? process.getuid?.() ?? 0;
  const slurmUser = loaded.cluster.config.settings.get('slurmuser') ?? 'root';
  if (uid !== 0 && uid !== lookupUser(slurmUser)) {
    io.stderr('slurm_shutdown error: Invalid user id\n');
    return failed(s);
  }
  const r = await deps.shutdown(loaded.cluster);
  if ('none' in r) {
    io.stderr('slurm_shutdown error: Unable to contact slurm controller (connect failure)\n');
    return failed(s);
  }
  if ('stuck' in r) return fail(io, s, `the controller (${r.stuck}) did not stop`);
}

function fail(io: IO, s: Session, message: string): void {
  io.stderr(`scontrol: error: ${message}\n`);
  failed(s);
}

/** `show <entity> [value]` (_show_it): entities matched in scontrol's order. */
async function show(words: string[], s: Session, io: IO, every: ScontrolDeps): Promise<void> {
  // PrivateData=jobs: the caller's own jobs and steps only
  const deps = { ...every, source: ownJobsView(every.source, callerUid(io)) };
  const [kw = '', what] = words;
  if (what === undefined) {
    if (s.quiet !== 1) io.stderr(`too few arguments for keyword:${kw}\n`);
    return failed(s);
  }
  const withOptions = ['as', 'bb', 'dw'].includes(what.slice(0, 2).toLowerCase());
  if (words.length > 3 && !withOptions) {
    if (s.quiet !== 1) io.stderr(`too many arguments for keyword:${kw}\n`);
    return failed(s);
  }
  const eq = what.indexOf('=');
  const tag = eq < 0 ? what : what.slice(0, eq);
  const value = eq >= 0 ? what.slice(eq + 1) : words.length === 3 ? words[2] : undefined;
  const k = (name: string, min: number) => keyword(tag, name, min);
  const done = (code: number) => {
    if (code !== 0) failed(s);
  };
  if (k('aliases', 1) || k('bbstat', 2) || k('dwstat', 2) || k('burstbuffer', 2) || k('assoc_mgr', 2) || k('cache', 2)) {
    return unbuilt(`show ${tag}`, s, io);
  }
  if (k('config', 1)) return done((await showCluster('config', value, s.oneLiner, io, deps)));
  if (k('daemons', 1) || k('federations', 1) || k('frontendname', 1)) return unbuilt(`show ${tag}`, s, io);
  if (k('hostnames', 5)) return done(hostnames(value ?? io.env.SLURM_NODELIST, io));
  if (k('hostlist', 5) || k('hostlistsorted', 9)) {
    if (value === undefined) {
      io.stderr('invalid encode argument\n');
      io.stdout(SCONTROL_HELP);
      return failed(s);
    }
    return done(hostlist(value, k('hostlistsorted', 9), io));
  }
  if (k('jobs', 1) || k('jobid', 1)) return done(await showJobs(value, s, io, deps));
  if (k('licenses', 2)) return unbuilt(`show ${tag}`, s, io);
  if (k('nodes', 1)) return done((await showCluster('nodes', value, s.oneLiner, io, deps)));
  if (k('partitions', 2) || k('partitionname', 2)) return done((await showCluster('partitions', value, s.oneLiner, io, deps)));
  if (k('reservations', 1) || k('reservationname', 1) || k('slurmd', 2)) return unbuilt(`show ${tag}`, s, io);
  if (k('steps', 2)) return done(await showSteps(value, s.oneLiner, io, deps));
  if (k('topology', 1)) return unbuilt(`show ${tag}`, s, io);
  if (s.quiet !== 1) io.stderr(`invalid entity:${tag} for keyword:${kw} \n`);
  failed(s);
}

/** `show hostnames`: one name per line; a list Slurm cannot read is reported, and is no failure to scontrol. */
function hostnames(expr: string | undefined, io: IO): number {
  if (!expr) {
    io.stderr('scontrol: error: host list is empty\n');
    return 0;
  }
  const r = expandHostlist(expr);
  if (!r.ok) {
    io.stderr(`${(r.error.log ?? []).map((l) => `scontrol: error: ${l}\n`).join('')}Invalid hostlist: ${expr}\n`);
    return 0;
  }
  io.stdout(r.value.map((n) => `${n}\n`).join(''));
  return 0;
}

/** `show hostlist[sorted]`: names (or, given an absolute path, a file of them) as one hostlist expression. */
function hostlist(expr: string, sorted: boolean, io: IO): number {
  let list = expr;
  if (expr.startsWith('/')) {
    try {
      // one name per line or comma-separated, as scontrol reads such a file
      list = readFileSync(expr, 'utf8').replace(/\n/g, ',').replace(/,,+/g, ',');
    } catch {
      io.stderr(`Can not open ${expr}\n`);
      return 1;
    }
  }
  const r = compressHostlistExpression(list, { sorted });
  if (!r.ok) {
    io.stderr(`${(r.error.log ?? []).map((l) => `scontrol: error: ${l}\n`).join('')}Invalid hostlist: ${list}\n`);
    return 1;
  }
  io.stdout(`${r.value}\n`);
  return 0;
}

/** `show job [id]` (scontrol_print_job): with -d, each allocated job's detail lines too. */
async function showJobs(target: string | undefined, s: Session, io: IO, deps: ScontrolDeps): Promise<number> {
  let ids: number[] | undefined;
  let task: number | undefined;
  if (target !== undefined) {
    const m = /^(\d+)(?:_(\d+))?$/.exec(target);
    if (!m) {
      if (s.quiet !== 1) io.stderr('scontrol_print_job error: Invalid job id specified\n');
      return 1;
    }
    ids = [Number(m[1])];
    task = m[2] === undefined ? undefined : Number(m[2]);
  }
  const loaded = loadCluster(io.env);
  if (!loaded.ok) {
    io.stderr(`scontrol: error: ${loaded.message}\n`);
    return 1;
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
      if (s.quiet !== 1) io.stdout('No jobs in the system\n');
      return 0;
    }
    if (s.quiet !== 1) io.stderr('slurm_load_jobs error: Invalid job id specified\n');
    return 1;
  }
  const now = Math.floor(io.now().getTime() / 1000);
  const cluster = loaded.cluster;
  // -d: DerivedExitCode is the highest exit code of the job's steps
  const steps = s.details ? await deps.source.steps(cluster, [...new Set(jobs.map((j) => j.record.jobId))]) : undefined;
  io.stdout(jobs.sort((a, b) => b.record.jobId - a.record.jobId).map((j) => render(j, now, s, cluster, steps?.get(j.record.jobId))).join(''));
  return 0;
}

/** An array's record as `scontrol show job 42_7` shows one of its pending tasks: not yet eligible, nothing planned. */
function asPendingTask(array: StoredJob, task: number): StoredJob {
  return { ...array, record: { ...array.record, arrayTaskId: task }, tasks: String(task), eligible: 0, start: 0 };
}

/** With slurmdbd accounting GPUs (AccountingStorageTRES=gres/gpu), TRES strings list them. */
const gpuTres = (cluster: Cluster) => /(^|,)gres\/gpu(,|$)/.test(cluster.config.settings.get('accountingstoragetres') ?? '');

function render(j: StoredJob, now: number, s: Session, cluster: Cluster, steps?: readonly StepRecord[]): string {
  const st = displayStatus(j, now, j.record.submitHost);
  st.allocSid = j.record.allocSid ?? 0;
  st.gpuTres = gpuTres(cluster);
  if (j.tasks !== '') st.pendingArrayTasks = formatTasks(parseTasks(j.tasks), j.record.arrayThrottle ?? 0);
  if (s.details) {
    st.derivedExitCode = highestExit((steps ?? []).map((x) => x.exit));
    // the resources a job holds or held (none before it ran)
    if (j.alloc.length > 0) st.details = jobDetails(j.alloc, cluster.config.nodes);
  }
  return showJob(j.record, st, s.oneLiner);
}

/** `scontrol show step [job[.step]]`: each job's batch step first, then its srun steps. */
async function showSteps(target: string | undefined, oneLiner: boolean, io: IO, deps: ScontrolDeps): Promise<number> {
  const loaded = loadCluster(io.env);
  if (!loaded.ok) {
    io.stderr(`scontrol: error: ${loaded.message}\n`);
    return 1;
  }
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
  // an unknown job is an error, unless slurmctld holds no job at all (then it finds no step)
  if (want && jobs.length === 0 && (await deps.source.load(loaded.cluster)).length > 0) {
    io.stderr('slurm_get_job_steps error: Invalid job id specified\n');
    return 1;
  }
  const records = await deps.source.steps(loaded.cluster, jobs.map((j) => j.record.jobId));
  const views = jobs.flatMap((j) => {
    const v = stepViews(j, records.get(j.record.jobId) ?? []);
    // scontrol lists the batch step first
    return [...v.filter((x) => x.step === 'batch'), ...v.filter((x) => x.step !== 'batch')];
  }).filter((v) => want?.step === undefined || String(v.step) === want.step);
  if (views.length === 0) {
    io.stdout(want === undefined ? 'No job steps in the system\n' : `Job step ${want.job}.${want.step ?? ''} not found\n`);
    return want === undefined ? 0 : 1;
  }
  io.stdout(views.map((v) => showStep(v, oneLiner)).join(''));
  return 0;
}
