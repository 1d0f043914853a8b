/**
 * squeue: the jobs the controller knows (pending, running, and finished ones
 * for MinJobAge), filtered, sorted and printed in Slurm's formats.
 */
import { loadCluster } from '../cluster/load.js';
import { getopt, type GetoptTable, type LongOption, type ShortOption } from '../options/getopt.js';
import { BASE_FIELDS, COMPACT_STATE, type Listed, type Row } from '../format/squeue/fields.js';
import { squeueJson } from '../format/squeue/json.js';
import { parseSort, SORT_USES, sortRows } from '../format/squeue/sort.js';
import { DEFAULT_FORMAT, headerLine, layoutFromFields, layoutFromFormat, LONG_FORMAT, rowLine, type Layout } from '../format/squeue/print.js';
import { formatTasks, hasTask, parseTasks, taskIndices } from '../spec/array-tasks.js';
import { expandHostlist } from '../spec/values/index.js';
import { squeueStepLines, STEP_FORMAT, STEP_LONG_FORMAT, stepViews } from '../format/steps.js';
import { ctime } from '../format/ctime.js';
import { lookupUser } from './users.js';
import type { IO } from './io.js';
import type { JobSource, ListSource } from './job-source.js';

const OPTIONS: [string, string | undefined, 'none' | 'required' | 'optional'][] = [
  ['account', 'A', 'required'], ['all', 'a', 'none'], ['array', 'r', 'none'], ['array-unique', undefined, 'none'],
  ['clusters', 'M', 'required'], ['federation', undefined, 'none'], ['format', 'o', 'required'], ['Format', 'O', 'required'],
  ['help', undefined, 'none'], ['hide', undefined, 'none'], ['iterate', 'i', 'required'], ['jobs', 'j', 'optional'],
  ['json', undefined, 'none'], ['licenses', 'L', 'required'], ['local', undefined, 'none'], ['long', 'l', 'none'],
  ['me', undefined, 'none'], ['name', 'n', 'required'], ['noconvert', undefined, 'none'], ['noheader', 'h', 'none'],
  // (no --only-job-state: 22.05 does not have it)
  ['nodelist', 'w', 'required'], ['partition', 'p', 'required'],
  ['qos', 'q', 'required'], ['reservation', 'R', 'required'], ['sibling', undefined, 'none'], ['sort', 'S', 'required'],
  ['start', undefined, 'none'], ['states', 't', 'required'], ['steps', 's', 'optional'], ['usage', undefined, 'none'],
  ['user', 'u', 'required'], ['verbose', 'v', 'none'], ['version', 'V', 'none'], ['yaml', undefined, 'none'],
];

const TABLE: GetoptTable = {
  long: OPTIONS.map(([name, , arg]): LongOption => ({ name, arg, id: name })),
  short: new Map(OPTIONS.filter(([, s]) => s).map(([name, s, arg]): [string, ShortOption] => [s!, { letter: s!, arg, id: name }])),
};

const STATE_NAMES = ['PENDING', 'RUNNING', 'SUSPENDED', 'COMPLETED', 'CANCELLED', 'FAILED', 'TIMEOUT', 'NODE_FAIL', 'PREEMPTED',
  'BOOT_FAIL', 'DEADLINE', 'OUT_OF_MEMORY', 'COMPLETING', 'CONFIGURING', 'RESIZING', 'RESV_DEL_HOLD', 'REQUEUED',
  'REQUEUE_FED', 'REQUEUE_HOLD', 'REVOKED', 'SIGNALING', 'SPECIAL_EXIT', 'STAGE_OUT', 'STOPPED'];
const DEFAULT_STATES = new Set(['PENDING', 'RUNNING', 'SUSPENDED', 'COMPLETING', 'CONFIGURING', 'STAGE_OUT']);

export interface JobFilter {
  /** job ids, optionally with an array task */
  jobs?: { id: number; task?: number }[];
  users?: Set<number>;
  names?: Set<string>;
  partitions?: Set<string>;
  states?: Set<string>;
  accounts?: Set<string>;
  /** -w: jobs holding any of these nodes */
  nodes?: Set<string>;
}

/**
 * One row per job, except the still-pending tasks of an array, which share
 * their array's row (`42_[5-99%10]`), or get one row each with -r (or when
 * asked for by `-j 42_7`). Filtered as they are made: one pass, since it
 * runs cold over tens of thousands of jobs.
 */
export function rowsOf(jobs: Listed[], expandArrays: boolean, filter: JobFilter): Row[] {
  const wanted = filter.jobs;
  const rows: Row[] = [];
  const add = (row: Row) => {
    if (matches(row, filter)) rows.push(row);
  };
  for (const j of jobs) {
    const state = j.get('state');
    const tasks = j.get('tasks');
    if (tasks !== '') {
      const ranges = parseTasks(tasks);
      const asked = wanted?.filter((w) => w.id === j.id && w.task !== undefined && hasTask(ranges, w.task)).map((w) => w.task!);
      if (expandArrays || (asked && asked.length > 0)) {
        for (const task of asked && asked.length > 0 ? asked : taskIndices(ranges)) {
          add({ job: j, idText: `${j.id}_${task}`, arrayTaskText: String(task), state, task });
        }
      } else {
        const set = formatTasks(ranges, j.num('r.arrayThrottle'));
        add({ job: j, idText: `${j.id}_[${set}]`, arrayTaskText: set, state });
      }
      continue;
    }
    const task = j.get('r.arrayTaskId');
    const idText = task !== '' ? `${j.get('r.arrayJobId')}_${task}` : String(j.id);
    add({ job: j, idText, arrayTaskText: task !== '' ? task : 'N/A', state, task: task !== '' ? Number(task) : undefined });
  }
  return rows;
}

export function matches(row: Row, f: JobFilter): boolean {
  const j = row.job;
  if (f.states ? !f.states.has(row.state) : !DEFAULT_STATES.has(row.state)) return false;
  if (f.jobs) {
    const arrayJob = j.num('r.arrayJobId');
    if (!f.jobs.some((q) => (q.id === j.id || q.id === arrayJob) && (q.task === undefined || q.task === row.task))) return false;
  }
  if (f.users && !f.users.has(j.num('r.uid'))) return false;
  if (f.names && !f.names.has(j.get('r.name'))) return false;
  if (f.partitions && !j.get('r.partition').split(',').some((p) => f.partitions!.has(p))) return false;
  if (f.accounts && !f.accounts.has(j.get('r.account'))) return false;
  if (f.nodes) {
    const held = j.get('nodes');
    const list = held ? expandHostlist(held) : undefined;
    if (!list?.ok || !list.value.some((n) => f.nodes!.has(n))) return false;
  }
  return true;
}

function parseStates(text: string): Set<string> | string {
  const out = new Set<string>();
  for (const w of text.split(',')) {
    const up = w.toUpperCase();
    if (up === 'ALL') return new Set(STATE_NAMES);
    const full = STATE_NAMES.find((s) => s === up) ?? Object.entries(COMPACT_STATE).find(([, c]) => c === up)?.[0];
    if (!full) return w;
    out.add(full);
  }
  return out;
}

/** `-j 20` / `--jobs 20`: squeue takes the next word as the job list when it is not an option. */
function attachJobList(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if ((a === '-j' || a === '--jobs' || a === '--job') && next !== undefined && !next.startsWith('-')) {
      out.push(`--jobs=${next}`);
      i++;
    } else if ((a === '-s' || a === '--steps' || a === '--step') && next !== undefined && /^\d/.test(next)) {
      // `squeue -s 42.0`: the step list, as for -j
      out.push(`--steps=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

export async function squeue(argv: string[], io: IO, source: ListSource & JobSource): Promise<number> {
  const args = attachJobList(argv);
  const parsed = getopt(args, TABLE);
  if (!parsed.ok) {
    io.stderr(`squeue: ${parsed.message}\nTry "squeue --help" for more information\n`);
    return 1;
  }
  const opts = new Map<string, string | undefined>();
  const lists = new Map<string, string[]>();
  for (const o of parsed.options) {
    opts.set(o.id, o.value);
    if (o.value !== undefined) lists.set(o.id, [...(lists.get(o.id) ?? []), ...o.value.split(',').filter(Boolean)]);
  }
  if (opts.has('version')) {
    io.stdout('slurm 22.05.8\n');
    return 0;
  }
  if (opts.has('help') || opts.has('usage')) {
    io.stdout('Usage: squeue [-A account] [--clusters names] [-i seconds] [--job jobid] [-n name] [-o format] [-O fields] [-p partitions] [--qos qos] [--reservation reservation] [--sort fields] [--start] [--step step_id] [-t states] [-u user_name] [--usage] [-L licenses] [-w nodes] [--federation] [--local] [--sibling] [-ahjlrsv]\n');
    return 0;
  }
  if (parsed.operandIndex < args.length) {
    io.stderr(`squeue: error: Unrecognized option: ${args[parsed.operandIndex]}\nUsage: squeue [-A account] [--clusters names] [-i seconds] [--job jobid] [-n name] [-o format] [-O fields] [-p partitions] [--qos qos] [--reservation reservation] [--sort fields] [--start] [--step step_id] [-t states] [-u user_name] [--usage] [-L licenses] [-w nodes] [--federation] [--local] [--sibling] [-ahjlrsv]\n`);
    return 1;
  }

  const filter: JobFilter = {};
  if (lists.has('jobs')) {
    filter.jobs = [];
    for (const text of lists.get('jobs')!) {
      const m = /^(\d+)(?:_(\d+))?$/.exec(text);
      if (!m) {
        io.stderr(`squeue: error: Invalid job id: ${text}\n`);
        return 1;
      }
      filter.jobs.push({ id: Number(m[1]), task: m[2] === undefined ? undefined : Number(m[2]) });
    }
  }
  if (lists.has('states')) {
    const s = parseStates(lists.get('states')!.join(','));
    if (typeof s === 'string') {
      io.stderr(`squeue: error: Invalid job state specified: ${s}\nsqueue: error: Valid job states include: ${STATE_NAMES.join(',')}\n\n`);
      return 1;
    }
    filter.states = s;
  }
  let badUser: string | undefined;
  if (lists.has('user') || opts.has('me')) {
    filter.users = new Set();
    if (opts.has('me')) filter.users.add(io.uid ?? process.getuid?.() ?? 0);
    for (const u of lists.get('user') ?? []) {
      const id = lookupUser(u);
      if (id === undefined) badUser ??= u;
      else filter.users.add(id);
    }
  }
  if (lists.has('name')) filter.names = new Set(lists.get('name'));
  if (lists.has('partition')) filter.partitions = new Set(lists.get('partition'));
  if (lists.has('account')) filter.accounts = new Set(lists.get('account'));
  if (lists.has('nodelist')) {
    const nodes = new Set<string>();
    for (const expr of lists.get('nodelist')!) {
      const r = expandHostlist(expr);
      if (r.ok) r.value.forEach((n) => nodes.add(n));
    }
    filter.nodes = nodes;
  }

  if (opts.has('steps')) return listSteps(io, source, filter, lists.get('steps') ?? [], opts);

  let layout: Layout;
  if (opts.has('Format')) {
    if (opts.has('format')) {
      io.stderr('squeue: error: -O (--Format) is incompatible with -o (--format)\n');
      return 1;
    }
    layout = layoutFromFields(opts.get('Format') ?? '');
  } else {
    layout = layoutFromFormat(opts.get('format') ?? (opts.has('long') ? LONG_FORMAT : io.env.SQUEUE_FORMAT ?? DEFAULT_FORMAT));
  }
  for (const bad of layout.invalids) io.stderr(`squeue: error: Invalid job format specification: ${bad}\n`);

  const loaded = loadCluster(io.env);
  if (!loaded.ok) {
    io.stderr(`squeue: error: ${loaded.message}\n`);
    return 1;
  }
  if (opts.has('json')) {
    // 22.05 prints every job the controller knows, whatever the filters say
    const config = loaded.cluster.config;
    io.stdout(squeueJson(await source.load(loaded.cluster), {
      clusterName: config.clusterName,
      nodes: config.nodes,
      now: Math.floor(io.now().getTime() / 1000),
      gpuTres: /(^|,)gres\/gpu(,|$)/.test(config.settings.get('accountingstoragetres') ?? ''),
      withDbd: config.accountingStorageType === 'accounting_storage/slurmdbd',
    }));
    return 0;
  }
  const wantedIds = filter.jobs?.map((j) => j.id);
  const sort = parseSort(opts.get('sort') ?? 'P,t,-p');
  if (!sort.ok) {
    io.stderr(`squeue: error: Invalid sort specification: ${sort.letter}\n`);
    return 1;
  }
  const sortUses = sort.spec.keys.flatMap((k) => SORT_USES[k.letter] ?? []);
  const fields = [...new Set([...BASE_FIELDS, ...sortUses, ...(filter.nodes ? ['nodes'] : []), ...layout.columns.flatMap((c) => c.field.uses)])];
  const jobs = await source.list(loaded.cluster, fields, wantedIds);
  if (filter.jobs && filter.jobs.length === 1 && jobs.length === 0) {
    io.stderr('slurm_load_jobs error: Invalid job id specified\n');
    return 1;
  }
  const now = Math.floor(io.now().getTime() / 1000);
  const ctx = {
    gpuTres: /(^|,)gres\/gpu(,|$)/.test(loaded.cluster.config.settings.get('accountingstoragetres') ?? ''),
    noconvert: opts.has('noconvert'),
    withDbd: loaded.cluster.config.accountingStorageType === 'accounting_storage/slurmdbd',
  };
  const rows = sortRows(rowsOf(jobs, opts.has('array'), filter), sort.spec, now,
    filter.jobs?.length === 1);
  let out = '';
  if (badUser !== undefined) io.stderr(`squeue: error: Invalid user: ${badUser}\n`);
  if (opts.has('long')) out += `${ctime(io.now())}\n`;
  if (!opts.has('noheader')) out += `${headerLine(layout)}\n`;
  io.stdout(out);
  // in chunks: one string per line, all alive until the end, costs more GC than the formatting itself
  for (let i = 0; i < rows.length; i += 500) {
    let chunk = '';
    for (const r of rows.slice(i, i + 500)) chunk += `${rowLine(layout, r, now, ctx)}\n`;
    io.stdout(chunk);
  }
  return 0;
}

/** `squeue -s [steps]`: the running steps of the jobs the filters select. */
async function listSteps(io: IO, source: JobSource, filter: JobFilter, wanted: string[], opts: Map<string, string | undefined>): Promise<number> {
  const steps: { job: number; step?: string }[] = [];
  for (const text of wanted) {
    const m = /^(\d+)(?:\.(\d+|batch))?$/.exec(text);
    if (!m) {
      io.stderr(`squeue: error: Invalid job step id: ${text}\n`);
      return 1;
    }
    steps.push({ job: Number(m[1]), step: m[2] });
  }
  const loaded = loadCluster(io.env);
  if (!loaded.ok) {
    io.stderr(`squeue: error: ${loaded.message}\n`);
    return 1;
  }
  const ids = [...new Set([...(filter.jobs?.map((j) => j.id) ?? []), ...steps.map((s) => s.job)])];
  const jobs = (await source.load(loaded.cluster, ids.length ? ids : undefined)).filter((j) => {
    const r = j.record;
    if (filter.jobs && !filter.jobs.some((q) => q.id === r.jobId)) return false;
    if (filter.users && !filter.users.has(r.userId)) return false;
    if (filter.partitions && !r.partition.split(',').some((p) => filter.partitions!.has(p))) return false;
    if (filter.accounts && !filter.accounts.has(r.account ?? '')) return false;
    return true;
  });
  const records = await source.steps(loaded.cluster, jobs.map((j) => j.record.jobId));
  const views = jobs.sort((a, b) => a.record.jobId - b.record.jobId)
    .flatMap((j) => stepViews(j, records.get(j.record.jobId) ?? []))
    .filter((v) => steps.length === 0 || steps.some((s) => s.job === v.jobId && (s.step === undefined || s.step === String(v.step))))
    .filter((v) => !filter.names || filter.names.has(v.name));
  const format = opts.get('format') ?? (opts.has('long') ? STEP_LONG_FORMAT : STEP_FORMAT);
  const now = Math.floor(io.now().getTime() / 1000);
  const { lines, invalids } = squeueStepLines(views, format, now, opts.has('noheader'));
  for (const bad of invalids) io.stderr(`squeue: error: Invalid job step format specification: ${bad}\n`);
  if (opts.has('long')) io.stdout(`${ctime(io.now())}\n`);
  io.stdout(lines.map((l) => `${l}\n`).join(''));
  return 0;
}
