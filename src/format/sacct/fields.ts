/**
 * One registry of sacct fields (Slurm 22.05's `fields[]` of src/sacct/sacct.c,
 * same names, order and default widths; a negative width is left-justified)
 * and what each prints for an allocation row and for a step row (print.c).
 * Values we do not measure (memory and disk usage, energy) print empty.
 */
import type { JobLine } from './lines.js';
import type { AcctRow, Run, StepView } from './rows.js';
import {
  convertNum, cpuTimeText, dateText, durationText, exitText, highestExit, minutesText, tresText, UNIT_MEGA, UNIT_NONE, type Tres, type Units,
} from './values.js';
import { RUNNING_STATES } from '../../job/job-states.js';
import { paidBy, usd, type Paid } from '../../job/paid.js';

export interface PrintContext {
  now: number;
  cluster: string;
  units: Units;
}

export interface AcctField {
  name: string;
  /** default width; negative: left-justified */
  width: number;
  print: (r: AcctRow, c: PrintContext) => string;
}


/** Seconds the run has lasted (to now while it runs). */
export function runElapsed(r: Run, now: number): number {
  if (!r.start) return 0;
  if (r.end) return Math.max(0, r.end - r.start);
  return RUNNING_STATES.has(r.state) || r.state === 'CANCELLED' ? Math.max(0, now - r.start) : 0;
}

/** A step's end as sacct prints it: its own, else its job's. */
export const stepEnd = (s: StepView, r: Run): number => s.end || r.end;

export function stepElapsed(s: StepView, r: Run, now: number): number {
  if (!s.start) return 0;
  const end = stepEnd(s, r);
  return Math.max(0, (end || now) - s.start);
}

/** The allocation's state text: `CANCELLED by 0` when a user cancelled it. */
export const stateText = (r: Run): string => (r.cancelBy !== '' ? `${r.state} by ${r.cancelBy}` : r.state);

/** The job row's exit code: a job ended from outside shows 0:0 (its batch step has the signal). */
export function jobExit(r: Run): string {
  if (r.state === 'CANCELLED' || r.state === 'TIMEOUT' || r.state === 'REQUEUED' || r.state === 'PREEMPTED'
    || r.state === 'DEADLINE' || r.state === 'NODE_FAIL' || r.state === 'BOOT_FAIL' || RUNNING_STATES.has(r.state) || r.state === 'PENDING') return '0:0';
  return exitText(r.exit);
}

/** A step's state text: `CANCELLED by 0` when scancel N.S ended it. */
export const stepStateText = (s: StepView): string => (s.state === 'CANCELLED' && s.record?.cancelBy !== undefined ? `CANCELLED by ${s.record.cancelBy}` : s.state);

/**
 * The highest exit code of the job's srun steps (DerivedExitCode), as slurmdbd
 * has it: steps that outlived their cancelled job do not count.
 */
export const derivedExit = (r: Run): string => highestExit(r.steps.filter((s) => !s.afterJob).map((s) => s.exit));

/** Whether the run got an allocation. */
const ran = (r: Run) => r.nodes !== '';

const reqCpus = (j: JobLine) => j.num('r.minCpus');
const reqNodes = (j: JobLine) => j.num('r.nodes') || 1;
/** the node count of the request's TRES: slurmctld's minimum */
const tresNodes = (j: JobLine) => j.num('r.minNodes') || 1;
/** GPUs on `nodes` nodes: per node x nodes when asked per node, else the job's total */
const gpusOn = (j: JobLine, nodes: number) => (j.num('r.gpusPerNode') > 0 ? j.num('r.gpusPerNode') * nodes : j.num('r.gpus'));

/** Memory asked for in all, MB (the `mem` TRES of the request). */
export function reqMemMb(j: JobLine): number {
  const mb = j.num('r.mem');
  return j.get('r.memPer') === 'cpu' ? mb * reqCpus(j) : mb * tresNodes(j);
}

function allocMemMb(r: Run): number {
  const mb = r.job.num('r.mem');
  return r.job.get('r.memPer') === 'cpu' ? mb * r.cpus : mb * r.nnodes;
}

/** ReqTRES: what the job asked for (billing = CPUs). */
export function reqTres(j: JobLine): Tres[] {
  const cpus = reqCpus(j);
  const out: Tres[] = [{ name: 'billing', count: cpus }, { name: 'cpu', count: cpus }, { name: 'mem', count: reqMemMb(j) }, { name: 'node', count: tresNodes(j) }];
  const gpus = j.num('r.gpus');
  if (gpus > 0) out.push({ name: 'gres/gpu', count: gpus });
  return out;
}

/** AllocTRES: what the run got; nothing before it runs. */
export function allocTres(r: Run): Tres[] {
  if (!ran(r)) return [];
  const out: Tres[] = [{ name: 'billing', count: r.cpus }, { name: 'cpu', count: r.cpus }, { name: 'mem', count: allocMemMb(r) }, { name: 'node', count: r.nnodes }];
  const gpus = gpusOn(r.job, r.nnodes);
  if (gpus > 0) out.push({ name: 'gres/gpu', count: gpus });
  return out;
}

/** A step's AllocTRES: its CPUs, memory, nodes (and GPUs) out of the job's (no billing). */
export function stepTres(s: StepView, r: Run): Tres[] {
  const j = r.job;
  const mb = j.num('r.mem');
  const jobNodes = Math.max(1, r.nnodes);
  const out: Tres[] = [
    { name: 'cpu', count: s.cpus },
    { name: 'mem', count: j.get('r.memPer') === 'cpu' ? mb * s.cpus : mb * s.nnodes },
    { name: 'node', count: s.nnodes },
  ];
  const gpus = gpusOn(j, jobNodes);
  if (gpus > 0) out.push({ name: 'gres/gpu', count: Math.ceil(gpus / jobNodes) * s.nnodes });
  return out;
}

/** Timelimit: a job that never ran without a limit of its own has the partition's (`Partition_Limit`). */
function timelimit(r: Run, raw: boolean): string {
  const t = r.job.get('r.timeLimit');
  if (t === 'UNLIMITED' || t === '') return ran(r) || r.past ? 'UNLIMITED' : 'Partition_Limit';
  return raw ? t : minutesText(Number(t));
}

/** Reason: why a job waits; `None` once it ran (slurmdbd keeps the reason it had before starting). */
function reason(r: Run): string {
  if (r.past || ran(r)) return 'None';
  return r.job.get('reason') || 'None';
}

/** Reserved: how long it waited from eligible to start (or to its end, if it never started). */
function reserved(r: Run, now: number): number {
  if (!r.eligible) return 0;
  if (ran(r)) return Math.max(0, r.start - r.eligible);
  if (r.end) return Math.max(0, r.end - r.eligible);
  return Math.max(0, now - r.eligible);
}

/** Job rows print `job`, step rows `step` (undefined: empty). */
const f = (name: string, width: number, job: ((r: Run, c: PrintContext) => string) | undefined,
  step?: (s: StepView, r: Run, c: PrintContext) => string): AcctField => ({
  name,
  width,
  print: (row, c) => (row.step ? (step ? step(row.step, row.run, c) : '') : job ? job(row.run, c) : ''),
});
const jobText = (field: string) => (r: Run) => r.job.get(field);
const empty = () => '';
const zeroCpu = () => cpuTimeText(0, 0);
const stepCpus = (s: StepView) => String(s.cpus);
const jobCpus = (r: Run) => String(ran(r) ? r.cpus : reqCpus(r.job));
const unknownFreq = () => 'Unknown';

export const FIELDS: readonly AcctField[] = [
  f('Account', 10, jobText('r.account'), (_s, r) => r.job.get('r.account')),
  f('AdminComment', 15, empty),
  f('AllocCPUS', 10, jobCpus, stepCpus),
  f('AllocNodes', 10, (r, c) => convertNum(ran(r) ? r.nnodes : 0, UNIT_NONE, c.units), (s, _r, c) => convertNum(s.nnodes, UNIT_NONE, c.units)),
  f('AllocTRES', 10, (r, c) => tresText(allocTres(r), c.units), (s, r, c) => tresText(stepTres(s, r), c.units)),
  f('AssocID', 7, () => '0', () => '0'),
  f('AveCPU', 10, empty),
  f('AveCPUFreq', 10, empty),
  f('AveDiskRead', 14, empty),
  f('AveDiskWrite', 14, empty),
  f('AvePages', 10, empty),
  f('AveRSS', 10, empty),
  f('AveVMSize', 10, empty),
  f('BlockID', 16, empty),
  f('Cluster', 10, (_r, c) => c.cluster, (_s, _r, c) => c.cluster),
  // the job's derived exit string (sjobexitmsg), not --comment
  f('Comment', 14, empty),
  f('Constraints', 19, jobText('r.features')),
  f('ConsumedEnergy', 14, () => '0', () => '0'),
  f('ConsumedEnergyRaw', 17, () => '0', () => '0'),
  f('Container', 19, empty),
  f('CPUTime', 10, (r, c) => durationText(runElapsed(r, c.now) * Number(jobCpus(r))), (s, r, c) => durationText(stepElapsed(s, r, c.now) * s.cpus)),
  f('CPUTimeRAW', 10, (r, c) => String(runElapsed(r, c.now) * Number(jobCpus(r))), (s, r, c) => String(stepElapsed(s, r, c.now) * s.cpus)),
  f('DBIndex', -21, (r) => String(r.id), (_s, r) => String(r.id)),
  f('DerivedExitCode', 15, derivedExit),
  f('Elapsed', 10, (r, c) => durationText(runElapsed(r, c.now)), (s, r, c) => durationText(stepElapsed(s, r, c.now))),
  f('ElapsedRaw', 10, (r, c) => String(runElapsed(r, c.now)), (s, r, c) => String(stepElapsed(s, r, c.now))),
  f('Eligible', 19, (r) => dateText(r.eligible), (s) => dateText(s.start)),
  f('End', 19, (r) => dateText(r.end), (s, r) => dateText(stepEnd(s, r))),
  f('ExitCode', 8, jobExit, (s) => exitText(s.exit)),
  f('Flags', 19, (r) => (ran(r) ? 'SchedMain' : '')),
  f('GID', 6, jobText('r.gid')),
  // print.c asks gid_to_string() for a step's group, which has none: NO_VAL is nobody
  f('Group', 9, jobText('r.group'), () => 'nobody'),
  f('JobID', -12, (r) => r.idText, (s, r) => `${r.idText}.${s.id}`),
  f('JobIDRaw', -12, (r) => String(r.id), (s, r) => `${r.id}.${s.id}`),
  f('JobName', 10, jobText('r.name'), (s) => s.name),
  f('Layout', 9, undefined, (s) => (s.id === 'batch' ? 'Unknown' : 'Cyclic')),
  f('MaxDiskRead', 12, empty),
  f('MaxDiskReadNode', 15, empty),
  f('MaxDiskReadTask', 15, empty),
  f('MaxDiskWrite', 12, empty),
  f('MaxDiskWriteNode', 16, empty),
  f('MaxDiskWriteTask', 16, empty),
  f('MaxPages', 8, empty),
  f('MaxPagesNode', 12, empty),
  f('MaxPagesTask', 14, empty),
  f('MaxRSS', 10, empty),
  f('MaxRSSNode', 10, empty),
  f('MaxRSSTask', 10, empty),
  f('MaxVMSize', 10, empty),
  f('MaxVMSizeNode', 14, empty),
  f('MaxVMSizeTask', 14, empty),
  f('McsLabel', 12, empty),
  f('MinCPU', 10, empty),
  f('MinCPUNode', 10, empty),
  f('MinCPUTask', 10, empty),
  f('NCPUS', 10, jobCpus, stepCpus),
  f('NNodes', 8, (r) => String(ran(r) ? r.nnodes : tresNodes(r.job)), (s) => String(s.nnodes)),
  f('NodeList', 15, (r) => r.nodes || 'None assigned', (s) => s.nodes),
  f('NTasks', 8, undefined, (s) => String(s.ntasks)),
  f('Partition', 10, jobText('r.partition')),
  f('Priority', 10, jobText('priority')),
  // a QOS the job has no association for (kept empty) is Unknown to slurmdbd
  f('QOS', 10, (r) => r.job.get('r.qos') || 'Unknown'),
  f('QOSRAW', 6, (r) => (r.job.get('r.qos') === 'normal' ? '1' : '')),
  f('Reason', 22, reason),
  f('ReqCPUFreq', 10, unknownFreq, unknownFreq),
  f('ReqCPUFreqGov', 13, unknownFreq, unknownFreq),
  f('ReqCPUFreqMax', 13, unknownFreq, unknownFreq),
  f('ReqCPUFreqMin', 13, unknownFreq, unknownFreq),
  f('ReqCPUS', 8, (r) => String(reqCpus(r.job)), stepCpus),
  f('ReqMem', 10, (r, c) => convertNum(reqMemMb(r.job), UNIT_MEGA, c.units)),
  f('ReqNodes', 8, (r, c) => convertNum(reqNodes(r.job), UNIT_NONE, c.units), (s, _r, c) => convertNum(s.nnodes, UNIT_NONE, c.units)),
  f('ReqTRES', 10, (r, c) => tresText(reqTres(r.job), c.units)),
  f('Reservation', 20, jobText('r.reservation')),
  f('ReservationId', 8, empty),
  f('Reserved', 10, (r, c) => durationText(reserved(r, c.now))),
  f('ResvCPU', 10, (r, c) => durationText(reserved(r, c.now) * reqCpus(r.job))),
  f('ResvCPURAW', 10, (r, c) => String(reserved(r, c.now) * reqCpus(r.job))),
  f('Start', 19, (r) => dateText(r.start), (s) => dateText(s.start)),
  f('State', 10, stateText, stepStateText),
  f('Submit', 19, (r) => dateText(r.submit), (s) => dateText(s.start)),
  f('SubmitLine', 20, empty),
  f('Suspended', 10, () => '00:00:00', () => '00:00:00'),
  f('SystemComment', 15, empty),
  f('SystemCPU', 10, zeroCpu, zeroCpu),
  f('Timelimit', 10, (r) => timelimit(r, false)),
  f('TimelimitRaw', 10, (r) => timelimit(r, true)),
  f('TotalCPU', 10, zeroCpu, zeroCpu),
  f('TRESUsageInAve', 14, empty),
  f('TRESUsageInMax', 14, empty),
  f('TRESUsageInMaxNode', 18, empty),
  f('TRESUsageInMaxTask', 18, empty),
  f('TRESUsageInMin', 14, empty),
  f('TRESUsageInMinNode', 18, empty),
  f('TRESUsageInMinTask', 18, empty),
  f('TRESUsageInTot', 14, empty),
  f('TRESUsageOutAve', 15, empty),
  f('TRESUsageOutMax', 15, empty),
  f('TRESUsageOutMaxNode', 19, empty),
  f('TRESUsageOutMaxTask', 19, empty),
  f('TRESUsageOutMin', 15, empty),
  f('TRESUsageOutMinNode', 19, empty),
  f('TRESUsageOutMinTask', 19, empty),
  f('TRESUsageOutTot', 15, empty),
  f('UID', 6, jobText('r.uid')),
  f('User', 9, jobText('r.user')),
  f('UserCPU', 10, zeroCpu, zeroCpu),
  f('WCKey', 10, jobText('r.wckey')),
  f('WCKeyID', 10, () => '0'),
  f('WorkDir', 20, jobText('r.workDir')),
];

/**
 * The field a `-o` name means: sacct takes the first field whose name starts
 * with it, ignoring case (`jobid` is JobID, `JobIdRaw` JobIDRaw, `nodel` NodeList).
 */
export function fieldByName(name: string): AcctField | undefined {
  const lower = name.toLowerCase();
  return FIELDS.find((x) => x.name.toLowerCase().startsWith(lower)) ?? EXTRA_FIELDS.find((x) => x.name.toLowerCase().startsWith(lower));
}

/**
 * What a run paid on Mithril, from the job's `money` (run number -> [cents per
 * instance-hour, cents]): a past run its own, the current row the runs no
 * past row shows. Undefined for a job that paid nothing.
 */
function paid(r: Run): Paid | undefined {
  if (r.past) return paidBy(r.job.get('money'), (run) => run === r.run);
  const shown = new Set((JSON.parse(r.job.get('history') || '[]') as { run: number }[]).map((p) => p.run));
  return paidBy(r.job.get('money'), (run) => !shown.has(run));
}

/**
 * Ours, not Slurm's: a format list may ask for them (`-o JobID,State,FlowCost`);
 * `--helpformat`, `--long` and plain sacct leave them out, so clients that parse
 * Slurm's columns see Slurm's. USD, for the allocation's row.
 */
export const EXTRA_FIELDS: readonly AcctField[] = [
  f('FlowCost', 10, (r) => { const p = paid(r); return p ? usd(p.costCents) : ''; }),
  f('FlowPricePerHour', 16, (r) => { const p = paid(r); return p ? usd(p.priceCents) : ''; }),
];

export const DEFAULT_FIELDS = 'jobid,jobname,partition,account,alloccpus,state,exitcode';
export const BRIEF_FIELDS = 'jobid,state,exitcode';
export const LONG_FIELDS = 'jobid,jobidraw,jobname,partition,maxvmsize,maxvmsizenode,maxvmsizetask,avevmsize,maxrss,maxrssnode,'
  + 'maxrsstask,averss,maxpages,maxpagesnode,maxpagestask,avepages,mincpu,mincpunode,mincputask,avecpu,ntasks,alloccpus,elapsed,'
  + 'state,exitcode,avecpufreq,reqcpufreqmin,reqcpufreqmax,reqcpufreqgov,reqmem,consumedenergy,maxdiskread,maxdiskreadnode,'
  + 'maxdiskreadtask,avediskread,maxdiskwrite,maxdiskwritenode,maxdiskwritetask,avediskwrite,reqtres,alloctres,tresusageinave,'
  + 'tresusageinmax,tresusageinmaxn,tresusageinmaxt,tresusageinmin,tresusageinminn,tresusageinmint,tresusageintot,'
  + 'tresusageoutmax,tresusageoutmaxn,tresusageoutmaxt,tresusageoutave,tresusageouttot';

/** `--helpformat`: the names, four to a line, each padded to 19 (_help_fields_msg). */
export function helpFormat(): string {
  let out = '';
  FIELDS.forEach((x, i) => {
    if (i & 3) out += ' ';
    else if (i) out += '\n';
    out += x.name.padEnd(19);
  });
  return `${out}\n`;
}
