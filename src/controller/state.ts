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

/** Hash fields for a new job (everything but `record`). */
export function initialFields(s: StoredJob): Record<string, string | number> {
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
