/**
 * The stored-job schema: a job (src/job/job-run.ts) as its Redis hash holds
 * it, the flat fields that listings read, and the conversion both ways.
 */
import type { JobRecord } from '../job/job.js';
import type { JobStateName } from '../job/job-states.js';
import type { NodeAllocation, PastRun, StoredJob } from '../job/job-run.js';

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
    // the GPUs asked for (pending TRES), and per node (a running job's are per node x its nodes)
    'r.gpus': r.gpusTotal,
    'r.gpusPerNode': r.gpusPerNode,
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
  'r.features', 'r.reservation', 'r.wckey', 'r.comment', 'history', 'steps', 'r.workDir', 'r.stdout', 'r.stderr', 'r.gpusPerNode', 'money'];

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
