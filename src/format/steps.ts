/**
 * A running job's steps as `squeue -s` and `scontrol show step` show them
 * (fixtures/oracle/srun/squeue-steps): the srun steps still running (`42.0`,
 * `42.1`) and, for a batch job, its batch step (`42.batch`: the batch
 * host, one task, no CPUs of its own in scontrol). Records in, text out.
 */
import type { StepRecord, StoredJob } from '../job/job-run.js';
import { fit, parseFormat } from './columns.js';
import { formatIsoLocal, formatMemory, formatSqueueDuration } from '../job/values/index.js';

export interface StepView {
  jobId: number;
  /** 'batch' for the batch step */
  step: number | 'batch';
  name: string;
  partition: string;
  userId: number;
  userName: string;
  start: number;
  nodes: string;
  nnodes: number;
  cpus: number;
  tasks: number;
  memMb: number;
  /** `Cyclic`/`Block`... (srun steps) */
  dist?: string;
  srun?: { host: string; pid: number };
}

/** Slurm's SLURM_BATCH_SCRIPT step id: the batch step sorts after the others. */
const BATCH = 0xfffffffb;
export const stepOrder = (v: StepView) => (v.step === 'batch' ? BATCH : v.step);
export const stepIdText = (v: StepView) => `${v.jobId}.${v.step}`;

/** The steps of one job that squeue and scontrol show: running srun steps, then the batch step. */
export function stepViews(job: StoredJob, steps: readonly StepRecord[]): StepView[] {
  if (job.state !== 'RUNNING' && job.state !== 'COMPLETING') return [];
  const r = job.record;
  const base = { jobId: r.jobId, partition: r.partition.split(',')[0]!, userId: r.userId, userName: r.userName };
  const out: StepView[] = steps.filter((s) => s.end === 0 && s.state === 'RUNNING').map((s) => ({
    ...base, step: s.id, name: s.name, start: s.start, nodes: s.nodes, nnodes: s.nnodes, cpus: s.cpus, tasks: s.ntasks,
    memMb: (s.claims ?? []).reduce((sum, c) => sum + c.memMb, 0), dist: distName(s.dist ?? (s.ntasks > s.nnodes ? 'block' : 'cyclic')), srun: s.srun,
  }));
  out.sort((a, b) => stepOrder(a) - stepOrder(b));
  if (!r.interactive && job.alloc.length > 0) {
    out.push({ ...base, step: 'batch', name: 'batch', start: job.start, nodes: job.alloc[0]!.node, nnodes: 1, cpus: 0, tasks: 1, memMb: 0 });
  }
  return out;
}

/** `cyclic:block` → `Cyclic` as scontrol names the first level. */
function distName(d: string): string {
  const first = d.split(/[:,]/)[0]!.toLowerCase();
  return first.charAt(0).toUpperCase() + first.slice(1);
}

// ---- squeue -s

const STEP_FIELDS: Record<string, { header: string; print: (v: StepView, now: number) => string }> = {
  A: { header: 'TASKS', print: (v) => String(v.tasks) },
  i: { header: 'STEPID', print: stepIdText },
  j: { header: 'NAME', print: (v) => v.name },
  l: { header: 'TIME_LIMIT', print: () => 'UNLIMITED' },
  M: { header: 'TIME', print: (v, now) => formatSqueueDuration(Math.max(0, now - v.start)) },
  N: { header: 'NODELIST', print: (v) => v.nodes },
  P: { header: 'PARTITION', print: (v) => v.partition },
  S: { header: 'START_TIME', print: (v) => formatIsoLocal(v.start) },
  u: { header: 'USER', print: (v) => v.userName },
  U: { header: 'UID', print: (v) => String(v.userId) },
};

export const STEP_FORMAT = '%.15i %.8j %.9P %.8u %.9M %N';
export const STEP_LONG_FORMAT = '%.15i %.8j %.9P %.8u %.9l %.9M %N';

const isStepCode = (c: string): c is string => c in STEP_FIELDS;

/** `squeue -s` lines: the header unless `noheader`, then one line per step. */
export function squeueStepLines(views: readonly StepView[], format: string, now: number, noheader: boolean): { lines: string[]; invalids: string[] } {
  const p = parseFormat(format, isStepCode);
  const line = (cell: (code: string) => string) => p.prefix + p.fields.map((f) => fit(cell(f.code), f.width, f.right) + f.suffix).join('');
  const lines = noheader ? [] : [line((c) => STEP_FIELDS[c]!.header)];
  for (const v of views) lines.push(line((c) => STEP_FIELDS[c]!.print(v, now)));
  return { lines, invalids: p.invalids };
}

// ---- scontrol show step

/** One step as `scontrol show step` prints it; `oneLiner`: -o. */
export function showStep(v: StepView, oneLiner: boolean): string {
  const batch = v.step === 'batch';
  const tres = batch ? '(null)' : `cpu=${v.cpus}${v.memMb > 0 ? `,mem=${formatMemory(v.memMb)}` : ''},node=${v.nnodes}`;
  const lines = [
    [`StepId=${stepIdText(v)}`, `UserId=${v.userId}`, `StartTime=${formatIsoLocal(v.start)}`, 'TimeLimit=UNLIMITED'],
    ['State=RUNNING', `Partition=${v.partition}`, `NodeList=${v.nodes}`],
    [`Nodes=${v.nnodes}`, `CPUs=${v.cpus}`, `Tasks=${v.tasks}`, `Name=${v.name}`, 'Network=(null)'],
    [`TRES=${tres}`],
    ['ResvPorts=(null)'],
    ['CPUFreqReq=Default', ...(v.dist ? [`Dist=${v.dist}`] : [])],
    [`SrunHost:Pid=${v.srun ? `${v.srun.host}:${v.srun.pid}` : '(null):0'}`],
  ];
  return oneLiner ? `${lines.map((l) => l.join(' ')).join(' ')}\n` : `${lines.map((l) => l.join(' ')).join('\n   ')}\n\n`;
}
