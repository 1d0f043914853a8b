/**
 * One registry of squeue fields: the `-o` letter and the `-O` name share an
 * entry, its header, the job hash fields it reads (so a listing fetches only
 * those) and its print function.
 */
import { ALLOCATED_STATES, isPendingState } from '../../job/job-states.js';
import { formatIsoLocal, formatMemory, formatSqueueDuration } from '../../job/values/index.js';

/**
 * A job as a listing returns it: a line (the job id then the requested
 * fields, \x1f-separated) inside one text that holds all lines; `index` maps
 * a field name to its position. Where each field starts is found once, for all
 * lines, into one shared typed array: a listing of 10,000 jobs that made a
 * string of every line and field would spend its time in the garbage collector.
 */
export class Listed {
  private constructor(
    readonly id: number,
    private readonly text: string,
    private readonly index: ReadonlyMap<string, number>,
    /** starts[base + i]: where field i starts; starts[base + n]: one past the line's end */
    private readonly starts: Int32Array,
    private readonly base: number,
  ) {}

  /**
   * The lines at ranges[2k]..ranges[2k + 1] of text (a negative start: no
   * line). Lines are cut only as far as the highest position `index` names.
   */
  static fromText(text: string, ranges: ArrayLike<number>, index: ReadonlyMap<string, number>): Listed[] {
    const n = Math.max(0, ...index.values()) + 1;
    const count = ranges.length / 2;
    const starts = new Int32Array(count * (n + 1));
    const out: Listed[] = [];
    for (let k = 0; k < count; k++) {
      const from = ranges[2 * k]!;
      const to = ranges[2 * k + 1]!;
      // no line, or the listing's own '#v' version entry
      if (from < 0 || text.charCodeAt(from) === 35) continue;
      const base = k * (n + 1);
      starts[base] = from;
      let i = 1;
      for (let at = from; at < to && i <= n; at++) if (text.charCodeAt(at) === 31) starts[base + i++] = at + 1;
      while (i <= n) starts[base + i++] = to + 1;
      let id = 0;
      for (let at = from, c = text.charCodeAt(at); c >= 48 && c <= 57 && at < to; c = text.charCodeAt(++at)) id = id * 10 + c - 48;
      out.push(new Listed(id, text, index, starts, base));
    }
    return out;
  }

  static fromLines(lines: readonly string[], index: ReadonlyMap<string, number>): Listed[] {
    const ranges = new Int32Array(2 * lines.length);
    let at = 0;
    lines.forEach((line, k) => {
      ranges[2 * k] = at;
      ranges[2 * k + 1] = at + line.length;
      at += line.length + 1;
    });
    return Listed.fromText(lines.join('\x1e'), ranges, index);
  }

  get(field: string): string {
    const i = this.index.get(field);
    if (i === undefined) return '';
    return this.text.slice(this.starts[this.base + i], this.starts[this.base + i + 1]! - 1);
  }

  /** A number field; plain digits are read in place, without making a string. */
  num(field: string): number {
    const i = this.index.get(field);
    if (i === undefined) return 0;
    const start = this.starts[this.base + i]!;
    const end = this.starts[this.base + i + 1]! - 1;
    // a leading '-' too (the list order is negative), and at most 15 digits: exact as a double
    const neg = this.text.charCodeAt(start) === 45;
    let n = 0;
    if (end - start > (neg ? 16 : 15)) return Number(this.text.slice(start, end));
    for (let k = neg ? start + 1 : start; k < end; k++) {
      const c = this.text.charCodeAt(k);
      if (c < 48 || c > 57) return Number(this.text.slice(start, end));
      n = n * 10 + c - 48;
    }
    return neg ? -n : n;
  }
}

/** The position map Listed wants, for fields in the given order. */
export const fieldIndex = (fields: readonly string[]): ReadonlyMap<string, number> => new Map(fields.map((f, i) => [f, i]));

export interface Row {
  job: Listed;
  /** `%i`: 123, 123_4, 123_[1-5%2] */
  idText: string;
  /** `%K`: array index or index set, N/A otherwise */
  arrayTaskText: string;
  /** the array task this row is (a task's own record or one pending in its array's) */
  task?: number;
  state: string;
}

export interface Field {
  letter?: string;
  /** -O names, lower case */
  names: string[];
  header: string;
  /** job hash fields the print function reads */
  uses: string[];
  print: (r: Row, now: number, ctx: PrintContext) => string;
  /** node lists are not cut when right-justified */
  noCutRight?: boolean;
}

/** What printing needs to know of the cluster. */
export interface PrintContext {
  /** GPUs are an accounted TRES (AccountingStorageTRES has gres/gpu) */
  gpuTres: boolean;
  /** --noconvert: sizes in MB, not scaled to G/T */
  noconvert: boolean;
  /** slurmdbd accounting: every job has an association, and a QOS with none is shown empty */
  withDbd?: boolean;
}

/** `tres-alloc`: what the job holds (or asks for while pending), as TRES=. */
function tresAlloc(r: Row, ctx: PrintContext): string {
  const running = !isPending(r) && r.job.num('cpus') > 0;
  const cpus = running ? r.job.num('cpus') : r.job.num('r.minCpus');
  // while pending, the request: slurmctld's minimum node count
  const nodes = running ? r.job.num('nnodes') : r.job.num('r.minNodes') || 1;
  const mb = r.job.num('r.mem');
  const mem = r.job.get('r.memPer') === 'node' ? mb * nodes : mb * cpus;
  const perNode = r.job.num('r.gpusPerNode');
  const gpus = running && perNode > 0 ? perNode * nodes : r.job.num('r.gpus');
  return `cpu=${cpus},mem=${formatMemory(mem)},node=${nodes},billing=${cpus}${ctx.gpuTres && gpus > 0 ? `,gres/gpu=${gpus}` : ''}`;
}

export const COMPACT_STATE: Record<string, string> = {
  PENDING: 'PD', RUNNING: 'R', SUSPENDED: 'S', COMPLETING: 'CG', COMPLETED: 'CD', CONFIGURING: 'CF', CANCELLED: 'CA',
  FAILED: 'F', TIMEOUT: 'TO', PREEMPTED: 'PR', NODE_FAIL: 'NF', BOOT_FAIL: 'BF', DEADLINE: 'DL', OUT_OF_MEMORY: 'OOM',
  REQUEUED: 'RQ', REQUEUE_HOLD: 'RH', REQUEUE_FED: 'RF', RESIZING: 'RS', REVOKED: 'RV', SPECIAL_EXIT: 'SE',
  SIGNALING: 'SI', STAGE_OUT: 'SO', STOPPED: 'ST',
};

/** Fields every listing needs: the row's identity, and what filters and the default sort read. */
export const BASE_FIELDS = ['state', 'priority', 'ord', 'r.arrayJobId', 'r.arrayTaskId', 'r.arrayThrottle', 'tasks', 'r.partition', 'r.uid', 'r.name', 'r.account'];

const NULL = '(null)';
const orNull = (v: string) => (v ? v : NULL);

const TIME_USED = ['start', 'end'];

/** Seconds of run time so far. */
export function timeUsed(r: Row, now: number): number {
  const start = r.job.num('start');
  if (!start) return 0;
  return Math.max(0, (ALLOCATED_STATES.has(r.state) ? now : r.job.num('end')) - start);
}

const isPending = (r: Row) => isPendingState(r.state);
const limit = (r: Row): number | 'UNLIMITED' => (r.job.get('r.timeLimit') === 'UNLIMITED' ? 'UNLIMITED' : r.job.num('r.timeLimit'));

function timeLimit(r: Row): string {
  const l = limit(r);
  return l === 'UNLIMITED' ? 'UNLIMITED' : formatSqueueDuration(l * 60);
}

function timeLeft(r: Row, now: number): string {
  const l = limit(r);
  if (l === 'UNLIMITED') return 'UNLIMITED';
  return formatSqueueDuration(Math.max(0, l * 60 - timeUsed(r, now)));
}

/** `%e`: when it ended, or when it will (NONE without a limit); N/A while nothing is planned. */
function endTime(r: Row): string {
  if (r.job.num('end')) return formatIsoLocal(r.job.num('end'));
  const from = r.job.num('start') || plannedStart(r);
  if (!from) return 'N/A';
  const l = limit(r);
  return l === 'UNLIMITED' ? 'NONE' : formatIsoLocal(from + l * 60);
}

/** A pending job waiting for --begin may start at its eligible time; 0 otherwise. */
function plannedStart(r: Row): number {
  const eligible = r.job.num('eligible');
  return isPending(r) && eligible > r.job.num('r.submit') ? eligible : 0;
}

const FINISHED_WITH_REASON = new Set(['FAILED', 'TIMEOUT', 'OUT_OF_MEMORY', 'DEADLINE', 'NODE_FAIL', 'BOOT_FAIL', 'PREEMPTED']);

/** `%R`: the reason in parentheses while waiting (or after a failure), else the node list. */
function reasonList(r: Row): string {
  if (isPending(r) || FINISHED_WITH_REASON.has(r.state)) return `(${r.job.get('reason')})`;
  return r.job.get('nodes');
}

const numNodes = (r: Row) => (!isPending(r) && r.job.num('nnodes') ? r.job.get('nnodes') : r.job.get('r.nodes'));
const numCpus = (r: Row) => (!isPending(r) && r.job.num('cpus') ? r.job.get('cpus') : r.job.get('r.minCpus'));
const iso = (t: number) => (t ? formatIsoLocal(t) : 'N/A');

function startTime(r: Row): string {
  const start = r.job.num('start') || plannedStart(r);
  return start ? formatIsoLocal(start) : 'N/A';
}

const f = (letter: string | undefined, names: string[], header: string, uses: string[], print: Field['print'], noCutRight = false): Field =>
  ({ letter, names, header, uses, print, noCutRight });
const plain = (letter: string | undefined, names: string[], header: string, field: string, nullable = false): Field =>
  f(letter, names, header, [field], (r) => (nullable ? orNull(r.job.get(field)) : r.job.get(field)));

export const FIELDS: Field[] = [
  plain('a', ['account'], 'ACCOUNT', 'r.account', true),
  f('A', ['jobid'], 'JOBID', [], (r) => String(r.job.id)),
  f('b', ['tres-per-node'], 'TRES_PER_NODE', ['r.tresPerNode'], (r) => r.job.get('r.tresPerNode') || 'N/A'),
  f('B', ['batchhost'], 'EXEC_HOST', ['batchHost'], (r) => (isPending(r) ? 'n/a' : r.job.get('batchHost') || 'n/a')),
  plain('c', ['mincpus'], 'MIN_CPUS', 'r.pnMinCpus'),
  f('C', ['numcpus'], 'CPUS', ['cpus', 'r.minCpus'], numCpus),
  plain('d', ['mintmpdisk'], 'MIN_TMP_DISK', 'r.tmp'),
  f('D', ['numnodes'], 'NODES', ['nnodes', 'r.nodes'], numNodes),
  f('e', ['endtime'], 'END_TIME', [...TIME_USED, 'r.timeLimit', 'eligible', 'r.submit'], endTime),
  f('E', ['dependency'], 'DEPENDENCY', ['dependency'], (r) => orNull(r.job.get('dependency'))),
  plain('f', ['feature'], 'FEATURES', 'r.features', true),
  f('F', ['arrayjobid'], 'ARRAY_JOB_ID', [], (r) => r.job.get('r.arrayJobId') || String(r.job.id)),
  plain('g', ['groupname'], 'GROUP', 'r.group'),
  plain('G', ['groupid'], 'GROUP', 'r.gid'),
  plain('h', ['oversubscribe', 'shared'], 'OVER_SUBSCRIBE', 'r.oversubscribe'),
  f('H', ['sockets'], 'SOCKETS_PER_NODE', [], () => '*'),
  f('I', ['cores'], 'CORES_PER_SOCKET', [], () => '*'),
  f('J', ['threads'], 'THREADS_PER_CORE', [], () => '*'),
  f('i', ['jobarrayid'], 'JOBID', [], (r) => r.idText),
  plain('j', ['name'], 'NAME', 'r.name'),
  plain('k', ['comment'], 'COMMENT', 'r.comment', true),
  f('K', ['arraytaskid'], 'ARRAY_TASK_ID', [], (r) => r.arrayTaskText),
  f('l', ['timelimit'], 'TIME_LIMIT', ['r.timeLimit'], timeLimit),
  f('L', ['timeleft'], 'TIME_LEFT', [...TIME_USED, 'r.timeLimit'], timeLeft),
  f('m', ['minmemory'], 'MIN_MEMORY', ['r.mem'], (r, _now, ctx) => {
    const mb = r.job.num('r.mem');
    return mb === 0 ? '0' : ctx.noconvert ? `${mb}M` : formatMemory(mb);
  }),
  f('M', ['timeused'], 'TIME', TIME_USED, (r, now) => formatSqueueDuration(timeUsed(r, now))),
  plain('n', ['reqnodes'], 'REQ_NODES', 'r.reqNodes'),
  f('N', ['nodelist'], 'NODELIST', ['nodes'], (r) => r.job.get('nodes'), true),
  f('o', ['command'], 'COMMAND', ['r.command'], (r) => orNull(r.job.get('r.command'))),
  plain('O', ['contiguous'], 'CONTIGUOUS', 'r.contiguous'),
  f('p', ['priority'], 'PRIORITY', [], (r) => (r.job.num('priority') / 4294967295).toFixed(14)),
  plain('P', ['partition'], 'PARTITION', 'r.partition'),
  f('q', ['qos'], 'QOS', ['r.qos'], (r, _now, ctx) => (ctx.withDbd ? r.job.get('r.qos') : orNull(r.job.get('r.qos')))),
  plain('Q', ['prioritylong'], 'PRIORITY', 'priority'),
  plain('r', ['reason'], 'REASON', 'reason'),
  f('R', ['reasonlist'], 'NODELIST(REASON)', ['reason', 'nodes'], reasonList, true),
  f('S', ['starttime'], 'START_TIME', ['start', 'eligible', 'r.submit'], startTime),
  f('t', ['statecompact'], 'ST', [], (r) => COMPACT_STATE[r.state] ?? r.state),
  f('T', ['state'], 'STATE', [], (r) => r.state),
  plain('u', ['username'], 'USER', 'r.user'),
  plain('U', ['userid'], 'UID', 'r.uid'),
  plain('v', ['reservation'], 'RESERVATION', 'r.reservation', true),
  f('V', ['submittime'], 'SUBMIT_TIME', ['submit', 'r.submit'], (r) => iso(r.job.num('submit') || r.job.num('r.submit'))),
  plain('w', ['wckey'], 'WCKEY', 'r.wckey', true),
  plain('W', ['licenses'], 'LICENSES', 'r.licenses', true),
  // no -O name in 22.05 (it rejects ExcNodes)
  plain('x', [], 'EXC_NODES', 'r.excNodes'),
  f('X', ['corespec'], 'CORE_SPEC', [], () => 'N/A'),
  plain('y', ['nice'], 'NICE', 'r.nice'),
  f('Y', ['schednodes'], 'SCHEDNODES', [], () => NULL),
  f('z', ['sct'], 'S:C:T', [], () => '*:*:*'),
  plain('Z', ['workdir'], 'WORK_DIR', 'r.workDir'),
  // -O only
  plain(undefined, ['numtasks'], 'TASKS', 'r.numTasks'),
  plain(undefined, ['stdout'], 'STDOUT', 'r.stdout'),
  plain(undefined, ['stderr'], 'STDERR', 'r.stderr'),
  plain(undefined, ['stdin'], 'STDIN', 'r.stdin'),
  plain(undefined, ['cpus-per-task'], 'CPUS_PER_TASK', 'r.cpusPerTask'),
  f(undefined, ['exit_code'], 'EXIT_CODE', ['exit'], (r) => r.job.get('exit') || '0:0'),
  f(undefined, ['restartcnt'], 'RESTARTCNT', ['restarts'], (r) => r.job.get('restarts') || '0'),
  plain(undefined, ['requeue'], 'REQUEUE', 'r.requeue'),
  f(undefined, ['tres-alloc'], 'TRES_ALLOC', ['state', 'cpus', 'r.minCpus', 'nnodes', 'r.minNodes', 'r.mem', 'r.memPer', 'r.gpus', 'r.gpusPerNode'],
    (r, _now, ctx) => tresAlloc(r, ctx)),
];

export const BY_LETTER = new Map(FIELDS.filter((x) => x.letter).map((x) => [x.letter!, x]));
export const BY_NAME = new Map(FIELDS.flatMap((x) => x.names.map((n) => [n, x] as const)));
