/**
 * One registry of squeue fields: the `-o` letter and the `-O` name share an
 * entry, its header and its print function. Values come from a row (a job, or
 * the pending remainder of an array) and the current time.
 */
import type { StoredJob } from '../../controller/state.js';
import { tresString } from '../scontrol/show-job.js';
import { formatIsoLocal, formatMemory, formatSqueueDuration } from '../../spec/values/index.js';

export interface Row {
  job: StoredJob;
  /** `%i`: 123, 123_4, 123_[1-5%2] */
  idText: string;
  /** `%K`: array index or index set, N/A otherwise */
  arrayTaskText: string;
  /** the display state (pending array remainder: PENDING) */
  state: string;
}

export interface Field {
  letter?: string;
  /** -O names, lower case */
  names: string[];
  header: string;
  print: (r: Row, now: number) => string;
  /** node lists are not cut when right-justified */
  noCutRight?: boolean;
}

export const COMPACT_STATE: Record<string, string> = {
  PENDING: 'PD', RUNNING: 'R', SUSPENDED: 'S', COMPLETING: 'CG', COMPLETED: 'CD', CONFIGURING: 'CF', CANCELLED: 'CA',
  FAILED: 'F', TIMEOUT: 'TO', PREEMPTED: 'PR', NODE_FAIL: 'NF', BOOT_FAIL: 'BF', DEADLINE: 'DL', OUT_OF_MEMORY: 'OOM',
  REQUEUED: 'RQ', REQUEUE_HOLD: 'RH', REQUEUE_FED: 'RF', RESIZING: 'RS', REVOKED: 'RV', SPECIAL_EXIT: 'SE',
  SIGNALING: 'SI', STAGE_OUT: 'SO', STOPPED: 'ST',
};

const NULL = '(null)';
const orNull = (v: string | undefined) => (v ? v : NULL);
const iso = (t: number) => (t ? formatIsoLocal(t) : 'N/A');

/** Seconds of run time so far. */
export function timeUsed(j: StoredJob, now: number): number {
  if (!j.start) return 0;
  const live = j.state === 'RUNNING' || j.state === 'COMPLETING' || j.state === 'SUSPENDED';
  return Math.max(0, (live ? now : j.end) - j.start);
}

const isPending = (r: Row) => r.state === 'PENDING';
const limitMinutes = (j: StoredJob): number | 'UNLIMITED' => j.record.timeLimit;

function timeLimit(r: Row): string {
  const l = limitMinutes(r.job);
  // a running job without a limit shows Slurm's one-year cap
  if (l === 'UNLIMITED') return isPending(r) ? 'UNLIMITED' : formatSqueueDuration(365 * 86400);
  return formatSqueueDuration(l * 60);
}

function timeLeft(r: Row, now: number): string {
  const l = limitMinutes(r.job);
  if (l === 'UNLIMITED') return isPending(r) ? 'UNLIMITED' : formatSqueueDuration(365 * 86400 - timeUsed(r.job, now));
  return formatSqueueDuration(Math.max(0, l * 60 - timeUsed(r.job, now)));
}

function endTime(r: Row): string {
  const j = r.job;
  if (j.end) return formatIsoLocal(j.end);
  if (!j.start) return 'N/A';
  const l = limitMinutes(j);
  return formatIsoLocal(j.start + (l === 'UNLIMITED' ? 365 * 86400 : l * 60));
}

const FINISHED_WITH_REASON = new Set(['FAILED', 'TIMEOUT', 'OUT_OF_MEMORY', 'DEADLINE', 'NODE_FAIL', 'BOOT_FAIL', 'PREEMPTED']);

/** `%R`: the reason in parentheses while waiting (or after a failure), else the node list. */
function reasonList(r: Row): string {
  const j = r.job;
  if (isPending(r)) return `(${j.reason})`;
  if (FINISHED_WITH_REASON.has(r.state)) return `(${j.reason})`;
  return j.nodes;
}

function numNodes(r: Row): string {
  const j = r.job;
  if (!isPending(r) && j.alloc.length) return String(j.alloc.length);
  return String(j.record.nodeCountGuess);
}

function numCpus(r: Row): string {
  const cpus = r.job.alloc.reduce((s, a) => s + a.cpus, 0);
  return String(!isPending(r) && cpus ? cpus : r.job.record.minCpus);
}

function minMemory(r: Row): string {
  const m = r.job.record.memory;
  return m.mb === 0 ? '0' : formatMemory(m.mb);
}

export const FIELDS: Field[] = [
  { letter: 'a', names: ['account'], header: 'ACCOUNT', print: (r) => orNull(r.job.record.account) },
  { letter: 'A', names: ['jobid'], header: 'JOBID', print: (r) => String(r.job.record.jobId) },
  { letter: 'b', names: ['tres-per-node'], header: 'TRES_PER_NODE', print: (r) => r.job.record.tresPerNode ?? 'N/A' },
  { letter: 'B', names: ['batchhost'], header: 'EXEC_HOST', print: (r) => (isPending(r) ? 'n/a' : r.job.batchHost || 'n/a') },
  { letter: 'c', names: ['mincpus'], header: 'MIN_CPUS', print: (r) => String(r.job.record.pnMinCpus) },
  { letter: 'C', names: ['numcpus'], header: 'CPUS', print: numCpus },
  { letter: 'd', names: ['mintmpdisk'], header: 'MIN_TMP_DISK', print: (r) => String(r.job.record.tmpDisk) },
  { letter: 'D', names: ['numnodes'], header: 'NODES', print: numNodes },
  { letter: 'e', names: ['endtime'], header: 'END_TIME', print: endTime },
  { letter: 'E', names: ['dependency'], header: 'DEPENDENCY', print: (r) => r.job.dependency ?? NULL },
  { letter: 'f', names: ['feature'], header: 'FEATURES', print: (r) => orNull(r.job.record.features) },
  { letter: 'F', names: ['arrayjobid'], header: 'ARRAY_JOB_ID', print: (r) => String(r.job.record.arrayJobId ?? r.job.record.jobId) },
  { letter: 'g', names: ['groupname'], header: 'GROUP', print: (r) => r.job.record.groupName },
  { letter: 'G', names: ['groupid'], header: 'GROUP', print: (r) => String(r.job.record.groupId) },
  { letter: 'h', names: ['oversubscribe', 'shared'], header: 'OVER_SUBSCRIBE', print: (r) => r.job.record.oversubscribe },
  { letter: 'H', names: ['sockets'], header: 'SOCKETS_PER_NODE', print: () => '*' },
  { letter: 'I', names: ['cores'], header: 'CORES_PER_SOCKET', print: () => '*' },
  { letter: 'J', names: ['threads'], header: 'THREADS_PER_CORE', print: () => '*' },
  { letter: 'i', names: ['jobarrayid'], header: 'JOBID', print: (r) => r.idText },
  { letter: 'j', names: ['name'], header: 'NAME', print: (r) => r.job.record.name },
  { letter: 'k', names: ['comment'], header: 'COMMENT', print: (r) => orNull(r.job.record.comment) },
  { letter: 'K', names: ['arraytaskid'], header: 'ARRAY_TASK_ID', print: (r) => r.arrayTaskText },
  { letter: 'l', names: ['timelimit'], header: 'TIME_LIMIT', print: timeLimit },
  { letter: 'L', names: ['timeleft'], header: 'TIME_LEFT', print: timeLeft },
  { letter: 'm', names: ['minmemory'], header: 'MIN_MEMORY', print: minMemory },
  { letter: 'M', names: ['timeused'], header: 'TIME', print: (r, now) => formatSqueueDuration(timeUsed(r.job, now)) },
  { letter: 'n', names: ['reqnodes'], header: 'REQ_NODES', print: (r) => r.job.record.reqNodes ?? '' },
  { letter: 'N', names: ['nodelist'], header: 'NODELIST', print: (r) => r.job.nodes, noCutRight: true },
  { letter: 'o', names: ['command'], header: 'COMMAND', print: (r) => r.job.record.command ?? NULL },
  { letter: 'O', names: ['contiguous'], header: 'CONTIGUOUS', print: (r) => (r.job.record.contiguous ? '1' : '0') },
  { letter: 'p', names: ['priority'], header: 'PRIORITY', print: (r) => (r.job.priority / 4294967295).toFixed(14) },
  { letter: 'P', names: ['partition'], header: 'PARTITION', print: (r) => r.job.record.partition },
  { letter: 'q', names: ['qos'], header: 'QOS', print: (r) => orNull(r.job.record.qos) },
  { letter: 'Q', names: ['prioritylong'], header: 'PRIORITY', print: (r) => String(r.job.priority) },
  { letter: 'r', names: ['reason'], header: 'REASON', print: (r) => r.job.reason },
  { letter: 'R', names: ['reasonlist'], header: 'NODELIST(REASON)', print: reasonList, noCutRight: true },
  { letter: 'S', names: ['starttime'], header: 'START_TIME', print: (r) => iso(r.job.start || (isPending(r) ? r.job.eligible && r.job.eligible > r.job.record.submitTime ? r.job.eligible : 0 : 0)) },
  { letter: 't', names: ['statecompact'], header: 'ST', print: (r) => COMPACT_STATE[r.state] ?? r.state },
  { letter: 'T', names: ['state'], header: 'STATE', print: (r) => r.state },
  { letter: 'u', names: ['username'], header: 'USER', print: (r) => r.job.record.userName },
  { letter: 'U', names: ['userid'], header: 'UID', print: (r) => String(r.job.record.userId) },
  { letter: 'v', names: ['reservation'], header: 'RESERVATION', print: (r) => orNull(r.job.record.reservation) },
  { letter: 'V', names: ['submittime'], header: 'SUBMIT_TIME', print: (r) => formatIsoLocal(r.job.record.submitTime) },
  { letter: 'w', names: ['wckey'], header: 'WCKEY', print: (r) => orNull(r.job.record.wckey) },
  { letter: 'W', names: ['licenses'], header: 'LICENSES', print: (r) => orNull(r.job.record.licenses) },
  { letter: 'x', names: ['excnodes'], header: 'EXC_NODES', print: (r) => r.job.record.excNodes ?? '' },
  { letter: 'X', names: ['corespec'], header: 'CORE_SPEC', print: () => 'N/A' },
  { letter: 'y', names: ['nice'], header: 'NICE', print: (r) => String(r.job.record.nice) },
  { letter: 'Y', names: ['schednodes'], header: 'SCHEDNODES', print: () => NULL },
  { letter: 'z', names: ['sct'], header: 'S:C:T', print: () => '*:*:*' },
  { letter: 'Z', names: ['workdir'], header: 'WORK_DIR', print: (r) => r.job.record.workDir },
  // -O only
  { names: ['numtasks'], header: 'TASKS', print: (r) => String(r.job.record.numTasks) },
  { names: ['stdout'], header: 'STDOUT', print: (r) => r.job.record.stdout },
  { names: ['stderr'], header: 'STDERR', print: (r) => r.job.record.stderr },
  { names: ['stdin'], header: 'STDIN', print: (r) => r.job.record.stdin },
  { names: ['cpus-per-task'], header: 'CPUS_PER_TASK', print: (r) => String(r.job.record.cpusPerTask) },
  { names: ['exit_code'], header: 'EXIT_CODE', print: (r) => r.job.exit },
  { names: ['restartcnt'], header: 'RESTARTCNT', print: (r) => String(r.job.restarts) },
  { names: ['requeue'], header: 'REQUEUE', print: (r) => (r.job.record.requeue ? '1' : '0') },
  { names: ['tres-alloc'], header: 'TRES_ALLOC', print: (r) => (isPending(r) ? '' : tresString(r.job.record, Number(numCpus(r)), r.job.alloc.length)) },
];

export const BY_LETTER = new Map(FIELDS.filter((f) => f.letter).map((f) => [f.letter!, f]));
export const BY_NAME = new Map(FIELDS.flatMap((f) => f.names.map((n) => [n, f] as const)));
