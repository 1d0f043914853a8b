/**
 * A job as stored in its Redis hash: the immutable record plus the fields the
 * controller changes. Conversion both ways, and to what scontrol/squeue display.
 */
import type { JobStatus } from '../format/scontrol/show-job.js';
import type { JobRecord } from '../spec/job.js';

export type JobStateName =
  | 'PENDING' | 'RUNNING' | 'COMPLETING' | 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'TIMEOUT'
  | 'NODE_FAIL' | 'OUT_OF_MEMORY' | 'DEADLINE' | 'PREEMPTED' | 'BOOT_FAIL' | 'SUSPENDED';

export const FINAL_STATES: ReadonlySet<string> = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'DEADLINE', 'PREEMPTED', 'BOOT_FAIL']);

/** Resources of one node given to a job. */
export interface NodeAllocation {
  node: string;
  cpus: number;
  memMb: number;
  /** GPU indices on the node */
  gpus: number[];
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
    'r.arraySpec': r.arrayTaskId === undefined ? opt(r.arraySpec) : '',
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
  };
}

/**
 * The record fields that squeue's common formats read, in the order they are
 * joined into the job's `row` field (the static half of its listing line).
 */
export const ROW_FIELDS = ['r.arrayJobId', 'r.arrayTaskId', 'r.arraySpec', 'r.partition', 'r.name', 'r.user', 'r.uid',
  'r.account', 'r.timeLimit', 'r.nodes', 'r.minCpus', 'r.submit', 'r.comment'] as const;

/** The changing fields of a listing line, in the order includes/listing.lua appends them. */
export const LISTED_FIELDS = ['state', 'reason', 'priority', 'start', 'end', 'nodes', 'nnodes', 'cpus', 'batchHost',
  'eligible', 'dependency', 'exit', 'restarts'] as const;

/** Every field a listing line carries, in order: the job id first, so the lines alone (HVALS) suffice. */
export const LINE_FIELDS: readonly string[] = ['id', ...ROW_FIELDS, ...LISTED_FIELDS];

const SEP = '\x1f';

/** The `row` field: the job id and the ROW_FIELDS values, joined by \x1f. */
export function rowField(id: number, fields: Record<string, string | number>): string {
  return [id, ...ROW_FIELDS.map((f) => String(fields[f] ?? '').replaceAll(SEP, ' '))].join(SEP);
}

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
    array: s.record.arraySpec !== undefined && s.record.arrayTaskId === undefined ? '1' : '',
    ...list,
    row: rowField(s.record.jobId, list),
  };
}

export const JOB_FIELDS = ['record', 'state', 'reason', 'priority', 'basePriority', 'held', 'eligible', 'start', 'end',
  'lastSchedEval', 'exit', 'restarts', 'run', 'nodes', 'alloc', 'batchHost', 'sup', 'cancelBy', 'dependency'] as const;

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
  };
}

/** What squeue/scontrol show: completing jobs keep their final state hidden until they end. */
export function displayStatus(j: StoredJob, now: number, allocNode: string): JobStatus {
  const running = j.state === 'RUNNING' || j.state === 'COMPLETING' || j.state === 'SUSPENDED';
  const runTime = j.start === 0 ? 0 : Math.max(0, (running ? now : j.end) - j.start);
  const limit = j.record.timeLimit;
  const endTime = j.end !== 0 ? j.end : j.start !== 0 && limit !== 'UNLIMITED' ? j.start + limit * 60
    : j.state === 'PENDING' && j.eligible && limit !== 'UNLIMITED' ? j.eligible + limit * 60 : undefined;
  const cpus = j.alloc.reduce((s, a) => s + a.cpus, 0);
  return {
    state: j.state,
    reason: j.reason,
    dependency: j.dependency,
    priority: j.priority,
    restarts: j.restarts,
    exitCode: j.exit,
    eligibleTime: j.eligible || undefined,
    accrueTime: j.state === 'PENDING' && (j.held !== '' || j.eligible > now) ? undefined : j.eligible || undefined,
    startTime: j.start || (j.state === 'PENDING' ? j.eligible || undefined : undefined),
    endTime,
    lastSchedEval: j.lastSchedEval || j.record.submitTime,
    runTime,
    nodeList: j.nodes || undefined,
    batchHost: j.batchHost || undefined,
    allocCpus: cpus || undefined,
    allocNodes: j.alloc.length || undefined,
    allocNode,
    allocSid: 0,
  };
}
