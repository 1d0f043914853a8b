/**
 * A job as stored in its Redis hash: the immutable record plus the fields the
 * controller changes. Conversion both ways, and to what scontrol/squeue display.
 */
import type { JobStatus } from '../format/scontrol/show-job.js';
import type { JobRecord } from '../spec/job.js';

export type JobStateName =
  | 'PENDING' | 'RUNNING' | 'COMPLETING' | 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'TIMEOUT'
  | 'NODE_FAIL' | 'OUT_OF_MEMORY' | 'DEADLINE' | 'PREEMPTED' | 'BOOT_FAIL' | 'SUSPENDED'
  // held after `scontrol requeuehold State=SpecialExit` (pending again once released)
  | 'SPECIAL_EXIT';

/** Waiting to run: PENDING, or held SPECIAL_EXIT after `scontrol requeuehold State=SpecialExit` (Slurm shows both as pending jobs). */
export const isPendingState = (state: string): boolean => state === 'PENDING' || state === 'SPECIAL_EXIT';

export const FINAL_STATES: ReadonlySet<string> = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'DEADLINE', 'PREEMPTED', 'BOOT_FAIL']);

/** Resources of one node given to a job. */
export interface NodeAllocation {
  node: string;
  cpus: number;
  memMb: number;
  /** GPU indices on the node */
  gpus: number[];
  /** CPU indices on the node (absent in allocations made before they were tracked) */
  cores?: number[];
}

export interface StoredJob {
  record: JobRecord;
  state: JobStateName;
  reason: string;
  priority: number;
  /** priority to restore on release */
  basePriority: number;
  held: '' | 'user' | 'admin';
  /** epoch seconds; 0 = unknown */
  eligible: number;
  start: number;
  end: number;
  lastSchedEval: number;
  exit: string;
  restarts: number;
  run: number;
  nodes: string;
  alloc: NodeAllocation[];
  batchHost: string;
  sup: string;
  cancelBy: string;
  /** the dependency text as shown (null when none or all satisfied) */
  dependency: string | null;
  /** an array's still-pending tasks (array-tasks.ts text); '' for other jobs and for tasks */
  tasks: string;
  /** epoch seconds of the last requeue (Slurm's SubmitTime then); 0 = the record's submit time */
  submit: number;
  /** earlier runs of a requeued job, oldest first (sacct lists them) */
  history: PastRun[];
}

/** A job step (srun), as sacct lists it (`42.0`). */
export interface StepRecord {
  id: number;
  /** the command's name (sacct JobName) */
  name: string;
  start: number;
  /** 0 while it runs */
  end: number;
  /** RUNNING, COMPLETED, FAILED, CANCELLED... */
  state: string;
  /** "code:signal" */
  exit: string;
  nodes: string;
  nnodes: number;
  ntasks: number;
  cpus: number;
  /** tasks on each of its nodes, Slurm's compressed form (`2(x2),1`) */
  tasksPerNode?: string;
  /** what it holds of the job's allocation on each node (srun decides from these whether a new step may start) */
  claims?: { node: string; cpus: number; memMb: number }[];
  /** the srun that runs it (a step whose srun is gone holds nothing) */
  srun?: { host: string; pid: number };
  /** task distribution (`block`, `cyclic`, `-m` as given), for scontrol show step */
  dist?: string;
  /** uid of who cancelled it (scancel N.S): sacct shows `CANCELLED by <uid>` */
  cancelBy?: number;
  /** still running when its job was cancelled: its exit code does not count for the job's DerivedExitCode */
  afterJob?: boolean;
}

/** A run that ended in a requeue. */
export interface PastRun {
  run: number;
  submit: number;
  eligible: number;
  start: number;
  end: number;
  state: string;
  exit: string;
  nodes: string;
  cpus: number;
  nnodes: number;
}

/**
 * The record's values that list views (squeue) show, as flat hash fields
 * (`r.name`...), so a listing fetches only what its format needs.
 */
export function listFields(r: JobRecord): Record<string, string | number> {
  const opt = (v: string | number | undefined) => (v === undefined ? '' : v);
  return {
    'r.arrayJobId': opt(r.arrayJobId),
    'r.arrayTaskId': opt(r.arrayTaskId),
    'r.arrayThrottle': r.arrayThrottle ?? 0,
    'r.name': r.name,
    'r.user': r.userName,
    'r.uid': r.userId,
    'r.group': r.groupName,
    'r.gid': r.groupId,
    'r.partition': r.partition,
    'r.account': opt(r.account),
    'r.qos': opt(r.qos),
    'r.timeLimit': r.timeLimit,
    'r.nodes': r.nodeCountGuess,
    'r.minCpus': r.minCpus,
    'r.pnMinCpus': r.pnMinCpus,
    'r.numTasks': r.numTasks,
    'r.cpusPerTask': r.cpusPerTask,
    'r.submit': r.submitTime,
    'r.comment': opt(r.comment),
    'r.workDir': r.workDir,
    'r.command': r.command ?? '',
    'r.features': opt(r.features),
    'r.reqNodes': opt(r.reqNodes),
    'r.excNodes': opt(r.excNodes),
    'r.tresPerNode': opt(r.tresPerNode),
    'r.mem': r.memory.mb,
    'r.tmp': r.tmpDisk,
    'r.reservation': opt(r.reservation),
    'r.wckey': opt(r.wckey),
    'r.licenses': opt(r.licenses),
    'r.nice': r.nice,
    'r.contiguous': r.contiguous ? 1 : 0,
    'r.oversubscribe': r.oversubscribe,
    'r.stdout': r.stdout,
    'r.stderr': r.stderr,
    'r.stdin': r.stdin,
    'r.requeue': r.requeue ? 1 : 0,
    'r.memPer': r.memory.per,
    'r.gpus': r.gpusTotal || r.gpusPerNode * r.nodeCountGuess,
    'r.minNodes': r.minNodes,
    // an allocation made by srun itself (sacct: no batch step)
    'r.interactive': r.interactive ? 1 : '',
  };
}

/**
 * The fields of a job's listing line, in order (lua/includes/listing.lua
 * joins them, \x1f-separated, into the listing hash that squeue reads with
 * one HVALS). The job id comes first; then the fields squeue's default
 * format reads, so a listing stops cutting a line as soon as it has those.
 */
export const LINE_FIELDS: readonly string[] = ['id', 'state', 'priority', 'ord', 'tasks', 'r.partition', 'r.uid', 'r.name', 'r.account',
  'r.arrayJobId', 'r.arrayTaskId', 'r.arrayThrottle', 'reason', 'nodes', 'start', 'end', 'r.user', 'nnodes', 'r.nodes',
  'r.timeLimit', 'cpus', 'r.minCpus', 'batchHost', 'eligible', 'dependency', 'exit', 'restarts', 'submit', 'r.submit', 'r.comment'];

/**
 * The fields of a job's accounting line (what sacct reads, kept after the
 * listing line is purged), ordered for sacct, which finds a field by scanning
 * its line that far: first what every query reads (sort keys, the run's times
 * and state), then what the common formats show, then the job's past runs
 * (PastRun[]) and steps as JSON, and last the long directory names.
 */
export const ACCT_FIELDS: readonly string[] = ['id', 'restarts', 'submit', 'r.submit', 'eligible', 'state', 'start', 'end',
  'tasks', 'r.arrayJobId', 'r.arrayTaskId', 'nodes', 'nnodes', 'cpus', 'exit', 'r.uid', 'r.interactive', 'batchHost', 'cancelBy',
  'reason', 'r.minCpus', 'r.name', 'r.partition', 'r.account', 'r.arrayThrottle', 'r.user', 'r.gid', 'r.group', 'r.timeLimit',
  'r.nodes', 'r.mem', 'r.memPer', 'r.gpus', 'r.qos', 'priority', 'ord', 'dependency', 'r.numTasks', 'r.cpusPerTask', 'r.minNodes',
  'r.features', 'r.reservation', 'r.wckey', 'r.comment', 'history', 'steps', 'r.workDir', 'r.stdout', 'r.stderr'];

/** Hash fields for a new job (everything but `record`). */
export function initialFields(s: StoredJob): Record<string, string | number> {
  const list = listFields(s.record);
  return {
    state: s.state,
    reason: s.reason,
    priority: s.priority,
    basePriority: s.basePriority,
    held: s.held,
    eligible: s.eligible,
    start: s.start,
    end: s.end,
    lastSchedEval: s.lastSchedEval,
    exit: s.exit,
    restarts: s.restarts,
    run: s.run,
    nodes: s.nodes,
    alloc: JSON.stringify(s.alloc),
    batchHost: s.batchHost,
    sup: s.sup,
    cancelBy: s.cancelBy,
    dependency: s.dependency ?? '',
    tasks: s.tasks,
    submit: s.submit,
    history: JSON.stringify(s.history),
    array: s.record.arraySpec !== undefined && s.record.arrayTaskId === undefined ? '1' : '',
    id: s.record.jobId,
    ...list,
  };
}

export const JOB_FIELDS = ['record', 'state', 'reason', 'priority', 'basePriority', 'held', 'eligible', 'start', 'end',
  'lastSchedEval', 'exit', 'restarts', 'run', 'nodes', 'alloc', 'batchHost', 'sup', 'cancelBy', 'dependency', 'tasks', 'submit', 'history'] as const;

const num = (v: string | null | undefined) => (v ? Number(v) : 0);

/** From HMGET values in JOB_FIELDS order; undefined when the job does not exist. */
export function fromFields(v: (string | null)[]): StoredJob | undefined {
  if (!v[0]) return undefined;
  return {
    record: JSON.parse(v[0]) as JobRecord,
    state: (v[1] ?? 'PENDING') as JobStateName,
    reason: v[2] ?? 'None',
    priority: num(v[3]),
    basePriority: num(v[4]),
    held: (v[5] ?? '') as StoredJob['held'],
    eligible: num(v[6]),
    start: num(v[7]),
    end: num(v[8]),
    lastSchedEval: num(v[9]),
    exit: v[10] || '0:0',
    restarts: num(v[11]),
    run: num(v[12]),
    nodes: v[13] ?? '',
    alloc: v[14] ? (JSON.parse(v[14]) as NodeAllocation[]) : [],
    batchHost: v[15] ?? '',
    sup: v[16] ?? '',
    cancelBy: v[17] ?? '',
    dependency: v[18] ? v[18] : null,
    tasks: v[19] ?? '',
    submit: num(v[20]),
    history: v[21] ? (JSON.parse(v[21]) as PastRun[]) : [],
  };
}

/**
 * When a job began to accrue age: from its eligible time (also one still ahead, as a --begin job's); a held
 * job accrues nothing, unless it was requeued (held) out of a run, whose accrual it keeps.
 */
function accrueTime(j: StoredJob): number | undefined {
  if (!isPendingState(j.state) || j.held === '') return j.eligible || undefined;
  const last = j.history[j.history.length - 1];
  return last?.state === 'REQUEUED' ? last.eligible || undefined : undefined;
}

/** What squeue/scontrol show: completing jobs keep their final state hidden until they end. */
export function displayStatus(j: StoredJob, now: number, allocNode: string): JobStatus {
  const running = j.state === 'RUNNING' || j.state === 'COMPLETING' || j.state === 'SUSPENDED';
  const runTime = j.start === 0 ? 0 : Math.max(0, (running ? now : j.end) - j.start);
  const limit = j.record.timeLimit;
  const endTime = j.end !== 0 ? j.end : j.start !== 0 && limit !== 'UNLIMITED' ? j.start + limit * 60
    : isPendingState(j.state) && j.eligible && limit !== 'UNLIMITED' ? j.eligible + limit * 60 : undefined;
  const cpus = j.alloc.reduce((s, a) => s + a.cpus, 0);
  return {
    state: j.state,
    reason: j.reason,
    dependency: j.dependency,
    priority: j.priority,
    restarts: j.restarts,
    exitCode: j.exit,
    eligibleTime: j.eligible || undefined,
    // accrues from its eligible time (also one still ahead, as a --begin job's); never while held
    accrueTime: accrueTime(j),
    startTime: j.start || (isPendingState(j.state) ? j.eligible || undefined : undefined),
    endTime,
    lastSchedEval: j.lastSchedEval || j.submit || j.record.submitTime,
    submitTime: j.submit || undefined,
    runTime,
    nodeList: j.nodes || undefined,
    batchHost: j.batchHost || undefined,
    allocCpus: cpus || undefined,
    allocNodes: j.alloc.length || undefined,
    allocNode,
    allocSid: 0,
  };
}
