/**
 * `sacct --json` as Slurm 22.05 prints it (openapi/dbv0.0.38 through its own
 * JSON writer): every job with its steps, the keys and their order as
 * recorded from real Slurm, 2-space indentation, `/` escaped, empty arrays on
 * two lines and no newline at the end.
 */
import { expandHostlist } from '../../job/values/index.js';
import { allocTres, derivedExit, jobExit, reqTres, runElapsed, stepTres } from './fields.js';
import { batchStep, srunStep, type Run, type StepView } from './rows.js';
import { exitParts, SIGNAL_NAMES, type Tres } from './values.js';

export interface JsonContext {
  now: number;
  cluster: string;
  /** a uid's user name (kill_request_user) */
  userName: (uid: number) => string;
  /** -X: no steps */
  allocations: boolean;
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

function quote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    const c = s.charCodeAt(i);
    if (ch === '"' || ch === '\\' || ch === '/') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Slurm's JSON layout. */
export function writeJson(v: Json, indent = ''): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (v.length === 0) return `[\n${indent}]`;
    return `[\n${v.map((x) => inner + writeJson(x, inner)).join(',\n')}\n${indent}]`;
  }
  const keys = Object.keys(v);
  if (keys.length === 0) return `{\n${indent}}`;
  return `{\n${keys.map((k) => `${inner}${quote(k)}: ${writeJson(v[k]!, inner)}`).join(',\n')}\n${indent}}`;
}

/**
 * An exit code as dbv0.0.38 shows it. Real 22.05 prints a plain non-zero exit
 * status (a FAILED job's `3:0`) as SUCCESS with return code 0 (see the golden
 * recordings); only a signal changes it.
 */
function exitJson(stored: string): Json {
  const { signal } = exitParts(stored);
  if (signal > 0) return { status: 'SIGNALED', return_code: null, signal: { signal_id: signal, name: SIGNAL_NAMES[signal] ?? '' } };
  return { status: 'SUCCESS', return_code: 0 };
}

const TRES_IDS: Record<string, number> = { cpu: 1, mem: 2, energy: 3, node: 4, billing: 5, 'gres/gpu': 1001 };

function tresJson(list: readonly Tres[], energy: boolean): Json[] {
  const items: { id: number; json: Json }[] = list.map((t) => {
    const slash = t.name.indexOf('/');
    return {
      id: TRES_IDS[t.name] ?? 1000,
      json: { type: slash < 0 ? t.name : t.name.slice(0, slash), name: slash < 0 ? null : t.name.slice(slash + 1), id: TRES_IDS[t.name] ?? 1000, count: t.count },
    };
  });
  if (energy) items.push({ id: 3, json: { type: 'energy', name: null, id: 3, count: null } });
  return items.sort((a, b) => a.id - b.id).map((i) => i.json);
}

const cpuTime = (): Json => ({ seconds: 0, microseconds: 0 });
const zeroEnergy = (): Json[] => [{ type: 'energy', name: null, id: 3, count: 0 }];

function stepJson(s: StepView, r: Run, c: JsonContext): Json {
  const running = s.state === 'RUNNING' || s.state === 'PENDING';
  const usage = (): Json => ({ max: [], min: [], average: running ? [] : zeroEnergy(), total: running ? [] : zeroEnergy() });
  const batch = s.id === 'batch';
  const list = s.nodes ? expandHostlist(s.nodes) : undefined;
  return {
    nodes: { list: list?.ok ? list.value : [], count: s.nnodes, range: s.nodes },
    tres: { requested: usage(), consumed: usage(), allocated: tresJson(stepTres(s, r), false) },
    time: {
      elapsed: s.start ? Math.max(0, (s.end || c.now) - s.start) : 0, end: s.end, start: s.start, suspended: 0,
      system: cpuTime(), total: cpuTime(), user: cpuTime(),
    },
    exit_code: exitJson(s.exit),
    tasks: { count: s.ntasks },
    pid: null,
    CPU: batch ? { requested_frequency: { min: 0, max: 0 }, governor: [] }
      : { requested_frequency: { min: null, max: null }, governor: ['Conservative', 'Performance', 'PowerSave', 'OnDemand', 'UserSpace'] },
    kill_request_user: null,
    state: s.state,
    statistics: { CPU: { actual_frequency: 0 }, energy: { consumed: 0 } },
    step: { job_id: r.id, het: { component: null }, id: batch ? 'batch' : Number(s.id), name: s.name },
    task: { distribution: batch ? 'Unknown' : 'Cyclic' },
  };
}

function jobJson(r: Run, steps: StepView[], c: JsonContext): Json {
  const j = r.job;
  const ran = r.nodes !== '';
  const limit = j.get('r.timeLimit');
  const arrayJob = j.get('r.arrayJobId');
  const task = j.get('r.arrayTaskId');
  const tasks = j.get('tasks');
  const account = j.get('r.account');
  const user = j.get('r.user');
  return {
    account,
    comment: { administrator: null, job: null, system: null },
    allocation_nodes: ran ? r.nnodes : 0,
    array: {
      job_id: arrayJob !== '' ? Number(arrayJob) : 0,
      limits: { max: { running: { tasks: j.num('r.arrayThrottle') } } },
      task: tasks !== '' ? r.idText.slice(r.idText.indexOf('[') + 1, -1) : null,
      task_id: task !== '' ? Number(task) : null,
    },
    association: { account, cluster: c.cluster, partition: null, user },
    cluster: c.cluster,
    constraints: j.get('r.features'),
    container: null,
    derived_exit_code: exitJson(derivedExit(r)),
    time: {
      elapsed: runElapsed(r, c.now), eligible: r.eligible, end: r.end, start: r.start, submission: r.submit, suspended: 0,
      system: cpuTime(), limit: limit === 'UNLIMITED' || limit === '' ? null : Number(limit), total: cpuTime(), user: cpuTime(),
    },
    exit_code: exitJson(jobExit(r)),
    flags: ran ? ['CLEAR_SCHEDULING', 'STARTED_ON_SCHEDULE'] : ['CLEAR_SCHEDULING'],
    group: j.get('r.group'),
    het: { job_id: 0, job_offset: null },
    job_id: r.id,
    name: j.get('r.name'),
    mcs: { label: '' },
    nodes: r.nodes || 'None assigned',
    partition: j.get('r.partition'),
    priority: j.num('priority'),
    qos: j.get('r.qos'),
    required: { CPUs: j.num('r.minCpus'), memory: j.num('r.mem') },
    kill_request_user: r.cancelBy !== '' ? c.userName(Number(r.cancelBy)) : null,
    reservation: { id: 0, name: 0 },
    state: { current: r.state, reason: ran || r.past ? 'None' : j.get('reason') || 'None' },
    steps: steps.map((s) => stepJson(s, r, c)),
    // slurmctld has no energy count for a job none of whose srun steps reported one
    tres: { allocated: tresJson(allocTres(r), ran && r.steps.length === 0), requested: tresJson(reqTres(j), false) },
    user,
    wckey: { wckey: j.get('r.wckey'), flags: [] },
    working_directory: j.get('r.workDir'),
  };
}

/** The whole `--json` document for these runs. */
export function jsonText(runs: readonly Run[], c: JsonContext): string {
  const jobs = runs.map((r) => {
    const steps: StepView[] = [];
    if (!c.allocations) {
      if (r.batch) steps.push(batchStep(r));
      for (const s of r.steps) steps.push(srunStep(s));
    }
    return jobJson(r, steps, c);
  });
  return writeJson({
    meta: {
      plugin: { type: 'openapi/dbv0.0.38', name: 'Slurm OpenAPI DB v0.0.38' },
      Slurm: { version: { major: 22, micro: 8, minor: 5 }, release: '22.05.8' },
    },
    errors: [],
    jobs,
  });
}
