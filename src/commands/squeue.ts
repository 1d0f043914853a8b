/**
 * squeue: the jobs the controller knows (pending, running, and finished ones
 * for MinJobAge), filtered, sorted and printed in Slurm's formats.
 */
import { loadCluster } from '../cluster/load.js';
import { strtol, strtolRest } from '../options/kinds.js';
import { BASE_FIELDS, COMPACT_STATE, type Listed, type Row } from '../format/squeue/fields.js';
import { squeueJson } from '../format/squeue/json.js';
import { parseSort, SORT_USES, sortRows } from '../format/squeue/sort.js';
import { DEFAULT_FORMAT, headerLine, layoutFromFields, layoutFromFormat, LONG_FORMAT, rowLine, type Layout } from '../format/squeue/print.js';
import { formatTasks, hasTask, parseTasks, taskIndices } from '../job/array-tasks.js';
import { expandHostlist } from '../job/values/index.js';
import { squeueStepLines, STEP_FORMAT, STEP_LONG_FORMAT, stepViews } from '../format/steps.js';
import { ctime } from '../format/ctime.js';
import { lookupUser } from './users.js';
import type { IO } from './io.js';
import type { JobSource, ListSource } from './job-source.js';
import { ownJobsView } from './private-jobs.js';
import { parseSqueue, SQUEUE_USAGE, type SqueueParams } from './squeue-options.js';
import { SQUEUE_HELP } from './squeue-help.js';
import { SQUEUE_DEFAULT_STATES } from '../job/job-states.js';

const STATE_NAMES = ['PENDING', 'RUNNING', 'SUSPENDED', 'COMPLETED', 'CANCELLED', 'FAILED', 'TIMEOUT', 'NODE_FAIL', 'PREEMPTED',
  'BOOT_FAIL', 'DEADLINE', 'OUT_OF_MEMORY', 'COMPLETING', 'CONFIGURING', 'RESIZING', 'RESV_DEL_HOLD', 'REQUEUED',
  'REQUEUE_FED', 'REQUEUE_HOLD', 'REVOKED', 'SIGNALING', 'SPECIAL_EXIT', 'STAGE_OUT', 'STOPPED'];

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
  if (f.states ? !f.states.has(row.state) : !SQUEUE_DEFAULT_STATES.has(row.state)) return false;
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

/** squeue's `-j` list (_build_job_list): strtol's job id, `_` and an array index; a message for ids that are not positive. */
export function parseJobList(text: string): { id: number; task?: number }[] | string {
  const out: { id: number; task?: number }[] = [];
  for (const item of text.split(',').filter(Boolean)) {
    const [id, rest] = strtolRest(item);
    if (id <= 0) return `Invalid job id: ${item}`;
    out.push(rest.startsWith('_') ? { id, task: strtol(rest.slice(1)) } : { id });
  }
  return out;
}

/** squeue's `-s` list (_build_step_list): `job[_task].step` items, strtol's numbers. */
export function parseStepList(items: readonly string[]): { job: number; step: number }[] | string {
  const out: { job: number; step: number }[] = [];
  for (const item of items) {
    const [jobText, stepText] = item.split('.').filter(Boolean);
    if (jobText === undefined) break;
    if (stepText === undefined) return `Invalid job_step id: ${jobText}.??`;
    const job = strtol(jobText);
    const step = strtol(stepText);
    if (job <= 0 || step < 0) return `Invalid job_step id: ${jobText}.${stepText}`;
    out.push({ job, step });
  }
  return out;
}

export async function squeue(argv: string[], io: IO, all: ListSource & JobSource): Promise<number> {
  const uid = io.uid ?? process.getuid?.() ?? 0;
  // PrivateData=jobs: the caller's own jobs only
  const source = ownJobsView(all, uid);
  const parsed = parseSqueue(argv, io.env, uid, lookupUser);
  if (parsed.kind === 'help' || parsed.kind === 'usage') {
    io.stdout(parsed.kind === 'help' ? SQUEUE_HELP : SQUEUE_USAGE);
    return 0;
  }
  if (parsed.kind === 'print') {
    if (parsed.stdout) io.stdout(parsed.stdout);
    if (parsed.stderr) io.stderr(parsed.stderr);
    return parsed.exit;
  }
  const p = parsed.params;
  if (parsed.warnings) io.stderr(parsed.warnings);
  const items = (text: string | undefined) => text?.split(',').filter(Boolean);

  const filter: JobFilter = {};
  if (p.jobs !== undefined) {
    const jobs = parseJobList(p.jobs);
    if (typeof jobs === 'string') {
      io.stderr(`squeue: error: ${jobs}\n`);
      return 1;
    }
    filter.jobs = jobs;
  }
  if (p.states !== undefined) {
    const s = parseStates(p.states);
    if (typeof s === 'string') {
      io.stderr(`squeue: error: Invalid job state specified: ${s}\nsqueue: error: Valid job states include: ${STATE_NAMES.join(',')}\n\n`);
      return 1;
    }
    filter.states = s;
  }
  if (p.users !== undefined) {
    filter.users = new Set();
    for (const u of items(p.users)!) {
      const id = lookupUser(u);
      if (id !== undefined) filter.users.add(id);
    }
  }
  if (p.names !== undefined) filter.names = new Set(items(p.names));
  if (p.partitions !== undefined) filter.partitions = new Set(items(p.partitions));
  if (p.accounts !== undefined) filter.accounts = new Set(items(p.accounts));
  if (p.nodelist !== undefined) {
    const nodes = new Set<string>();
    const r = expandHostlist(p.nodelist);
    if (r.ok) r.value.forEach((n) => nodes.add(n));
    filter.nodes = nodes;
  }

  if (p.stepFlag) return listSteps(io, source, filter, items(p.steps) ?? [], p);

  let layout: Layout;
  if (p.formatLong !== undefined) layout = layoutFromFields(p.formatLong);
  else layout = layoutFromFormat(p.format ?? (p.long ? LONG_FORMAT : io.env.SQUEUE_FORMAT ?? DEFAULT_FORMAT));
  for (const bad of layout.invalids) io.stderr(`squeue: error: Invalid job format specification: ${bad}\n`);

  const loaded = loadCluster(io.env);
  if (!loaded.ok) {
    io.stderr(`squeue: error: ${loaded.message}\n`);
    return 1;
  }
  if (p.json) {
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
  const sort = parseSort(p.sort ?? 'P,t,-p');
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
    noconvert: p.noConvert,
    withDbd: loaded.cluster.config.accountingStorageType === 'accounting_storage/slurmdbd',
  };
  const rows = sortRows(rowsOf(jobs, p.array, filter), sort.spec, now,
    filter.jobs?.length === 1);
  let out = '';
  // squeue dates its report when it has a header and is long, verbose or iterating
  if (!p.noHeader && (p.long || p.verbose > 0 || p.iterate > 0)) out += `${ctime(io.now())}\n`;
  if (!p.noHeader) out += `${headerLine(layout)}\n`;
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
async function listSteps(io: IO, source: JobSource, filter: JobFilter, wanted: string[], p: SqueueParams): Promise<number> {
  const steps = parseStepList(wanted);
  if (typeof steps === 'string') {
    io.stderr(`squeue: error: ${steps}\n`);
    return 1;
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
    .filter((v) => steps.length === 0 || steps.some((s) => s.job === v.jobId && s.step === (v.step === 'batch' ? -1 : Number(v.step))))
    .filter((v) => !filter.names || filter.names.has(v.name));
  const format = p.format ?? (p.long ? STEP_LONG_FORMAT : STEP_FORMAT);
  const now = Math.floor(io.now().getTime() / 1000);
  const { lines, invalids } = squeueStepLines(views, format, now, p.noHeader);
  for (const bad of invalids) io.stderr(`squeue: error: Invalid job step format specification: ${bad}\n`);
  if (!p.noHeader && (p.long || p.verbose > 0 || p.iterate > 0)) io.stdout(`${ctime(io.now())}\n`);
  io.stdout(lines.map((l) => `${l}\n`).join(''));
  return 0;
}
