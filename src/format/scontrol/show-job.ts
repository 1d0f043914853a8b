/**
 * `scontrol show job` for one job record, byte for byte as Slurm 22.05 prints
 * it: a record is lines of `Key=Value` fields; every line ends with the line
 * separator ("\n   " or, with -o, a space) and the record with a newline
 * (plus a blank line in the multi-line form). Records in, text out.
 */
import { gpusOnNodes, tasksWhenRunning, type JobRecord, type Minutes } from '../../job/job.js';
import { compressHostlistExpression, formatDuration, formatIsoLocal, formatMemory, formatTimeLimit } from '../../job/values/index.js';
import { indexRanges } from '../../job/index-ranges.js';
import { jobGresOnNode, jobGresTotal } from '../../cluster/node-view.js';
import type { NodeConfig } from '../../cluster/slurm-conf.js';
import type { NodeAllocation } from '../../job/job-run.js';
import { isPendingState } from '../../job/job-states.js';
import { displayPattern } from '../../job/patterns.js';
import { INFINITE16 } from '../../job/job-size.js';

/** What the controller knows about a job beyond its request. */
export interface JobStatus {
  state: string;
  reason: string;
  /** displayed Dependency= text, null when none */
  dependency: string | null;
  priority: number;
  restarts: number;
  exitCode: string;
  /** scontrol -d: the highest exit code of the job's steps (a line of its own) */
  derivedExitCode?: string;
  /** epoch seconds */
  eligibleTime?: number;
  accrueTime?: number;
  startTime?: number;
  endTime?: number;
  lastSchedEval: number;
  /** seconds of run time so far */
  runTime: number;
  nodeList?: string;
  batchHost?: string;
  /** CPUs and nodes actually allocated (running or finished) */
  allocCpus?: number;
  allocNodes?: number;
  allocNode: string;
  allocSid: number;
  /** an array's master record: the index set still pending (`1-5%2`) */
  pendingArrayTasks?: string;
  /** a requeued job's SubmitTime (the requeue) */
  submitTime?: number;
  /** the cluster accounts GPUs as a TRES (AccountingStorageTRES has gres/gpu) */
  gpuTres?: boolean;
  /** scontrol -d of a job holding resources: its GPUs (JOB_GRES=) and what it holds on each node */
  details?: JobDetails;
}

/** What `scontrol -d show job` adds for a job with an allocation (Slurm sends it job_resrcs then). */
export interface JobDetails {
  /** `gpu:h100:2`; undefined: `(null)` */
  gres: string | undefined;
  /** in the allocation's node order */
  nodes: { node: string; cpuIds: string; memMb: number; gres: string }[];
}

/** A job's detail lines' data from its allocation and the nodes' GPU types. */
export function jobDetails(alloc: readonly NodeAllocation[], nodes: readonly NodeConfig[]): JobDetails {
  return {
    gres: jobGresTotal(nodes, alloc),
    nodes: alloc.map((a) => ({
      node: a.node,
      cpuIds: indexRanges([...(a.cores ?? Array.from({ length: a.cpus }, (_, i) => i))].sort((x, y) => x - y)),
      memMb: a.memMb,
      gres: jobGresOnNode(nodes.find((n) => n.name === a.node), a.gpus),
    })),
  };
}

/** `  Nodes=gpu[3-4] CPU_IDs=0 Mem=1024 GRES=...`: runs of nodes holding the same, one line each. */
function detailLines(d: JobDetails): string[] {
  const out: string[] = [];
  let run: { names: string[]; key: string } | undefined;
  const flush = () => {
    if (!run) return;
    const names = compressHostlistExpression(run.names.join(','));
    out.push(`  Nodes=${names.ok ? names.value : run.names.join(',')} ${run.key}`);
  };
  for (const n of d.nodes) {
    const key = `CPU_IDs=${n.cpuIds} Mem=${n.memMb} GRES=${n.gres}`;
    if (run?.key === key) run.names.push(n.node);
    else {
      flush();
      run = { names: [n.node], key };
    }
  }
  flush();
  return out;
}

const NULL = '(null)';
const orNull = (v: string | undefined) => (v === undefined || v === '' ? NULL : v);
const time = (t: number | undefined) => (t === undefined || t === 0 ? 'Unknown' : formatIsoLocal(t));
/** a per-node or per-core count; unset (or INFINITE16) is `*` */
const star = (n: number | undefined) => (n === undefined || n === INFINITE16 ? '*' : String(n));
const limit = (m: Minutes | undefined) => (m === undefined ? 'N/A' : formatTimeLimit(m));

export function showJob(job: JobRecord, st: JobStatus, oneLiner: boolean): string {
  const lines: string[][] = [];
  const first = [`JobId=${job.jobId}`];
  if (job.arrayJobId !== undefined) {
    first.push(`ArrayJobId=${job.arrayJobId}`);
    if (job.arrayTaskId !== undefined) first.push(`ArrayTaskId=${job.arrayTaskId}`);
    else if (st.pendingArrayTasks !== undefined) first.push(`ArrayTaskId=${st.pendingArrayTasks}`);
    // the array's own record shows its throttle (also seen as one of its pending tasks)
    if ((job.arrayTaskId === undefined || st.pendingArrayTasks !== undefined) && job.arrayThrottle) first.push(`ArrayTaskThrottle=${job.arrayThrottle}`);
  }
  first.push(`JobName=${job.name}`);
  lines.push(first);
  lines.push([`UserId=${job.userName}(${job.userId})`, `GroupId=${job.groupName}(${job.groupId})`, 'MCS_label=N/A']);
  lines.push([`Priority=${st.priority}`, `Nice=${job.nice}`, `Account=${orNull(job.account)}`, `QOS=${job.qos ?? NULL}`]);
  // a reason given as text (`job requeued in held state`) has its blanks made underscores, for parsers
  lines.push([`JobState=${st.state}`, `Reason=${st.reason.replace(/\s/g, '_')}`, `Dependency=${st.dependency ?? NULL}`]);
  lines.push([`Requeue=${job.requeue ? 1 : 0}`, `Restarts=${st.restarts}`, `BatchFlag=${job.interactive ? 0 : 1}`, 'Reboot=0', `ExitCode=${st.exitCode}`]);
  if (st.derivedExitCode !== undefined) lines.push([`DerivedExitCode=${st.derivedExitCode}`]);
  lines.push([`RunTime=${formatDuration(st.runTime)}`, `TimeLimit=${limit(job.timeLimit)}`, `TimeMin=${limit(job.timeMin)}`]);
  lines.push([`SubmitTime=${formatIsoLocal(st.submitTime ?? job.submitTime)}`, `EligibleTime=${time(st.eligibleTime)}`]);
  lines.push([`AccrueTime=${time(st.accrueTime)}`]);
  lines.push([`StartTime=${time(st.startTime)}`, `EndTime=${time(st.endTime)}`, `Deadline=${job.deadline ? formatIsoLocal(job.deadline) : 'N/A'}`]);
  lines.push(['SuspendTime=None', 'SecsPreSuspend=0', `LastSchedEval=${formatIsoLocal(st.lastSchedEval)}`, 'Scheduler=Main']);
  lines.push([`Partition=${job.partition}`, `AllocNode:Sid=${st.allocNode}:${st.allocSid}`]);
  lines.push([`ReqNodeList=${orNull(job.reqNodes)}`, `ExcNodeList=${orNull(job.excNodes)}`]);
  lines.push([`NodeList=${st.nodeList ?? ''}`]);
  if (st.batchHost) lines.push([`BatchHost=${st.batchHost}`]);

  const pending = isPendingState(st.state);
  // scontrol shows no more than the maximum (squeue shows the guess as it is); once a job has run,
  // slurmctld no longer shows its node count range (a requeued job)
  const numNodes = pending
    ? `${job.maxNodes && st.restarts === 0 ? `${Math.min(job.nodeCountGuess, job.maxNodes)}-${job.maxNodes}` : job.nodeCountGuess}`
    : `${st.allocNodes ?? job.minNodes}`;
  const numCpus = pending ? job.minCpus : st.allocCpus ?? job.minCpus;
  // a job that ended without ever running (cancelled while pending) has no task count
  const neverRan = !pending && st.allocNodes === undefined;
  lines.push([`NumNodes=${numNodes}`, `NumCPUs=${numCpus}`, `NumTasks=${neverRan ? 'N/A' : pending ? job.numTasks : tasksWhenRunning(job, st.allocNodes ?? job.minNodes) ?? st.allocNodes ?? job.minNodes}`, `CPUs/Task=${job.cpusPerTask}`, `ReqB:S:C:T=0:0:${star(job.mc?.cores)}:${star(job.mc?.threads)}`]);
  lines.push([`TRES=${tresString(job, numCpus, pending ? job.minNodes : st.allocNodes ?? job.minNodes, st.gpuTres)}`]);
  lines.push([`Socks/Node=${star(job.mc?.sockets)}`, `NtasksPerN:B:S:C=${job.ntasksPerNode ?? 0}:0:${star(job.mc?.ntasksPerSocket)}:${star(job.mc?.ntasksPerCore)}`, 'CoreSpec=*']);
  if (st.details) {
    lines.push([`JOB_GRES=${st.details.gres ?? NULL}`]);
    for (const l of detailLines(st.details)) lines.push([l]);
  }
  const mem = job.memory.per === 'node' ? `MinMemoryNode=${formatMemory(job.memory.mb)}` : `MinMemoryCPU=${formatMemory(job.memory.mb)}`;
  lines.push([`MinCPUsNode=${job.pnMinCpus}`, mem, `MinTmpDiskNode=${job.tmpDisk ? formatMemory(job.tmpDisk) : '0'}`]);
  // `-C ''` is kept as an empty expression
  lines.push([`Features=${job.features ?? NULL}`, 'DelayBoot=00:00:00']);
  if (job.prefer) lines.push([`Prefer=${job.prefer}`]);
  if (job.reservation) lines.push([`Reservation=${job.reservation}`]);
  lines.push([`OverSubscribe=${job.oversubscribe}`, `Contiguous=${job.contiguous ? 1 : 0}`, `Licenses=${orNull(job.licenses)}`, `Network=${orNull(job.network)}`]);
  lines.push([`Command=${job.command ?? NULL}`]);
  lines.push([`WorkDir=${job.workDir}`]);
  // scontrol prints the comment with a trailing space
  if (job.comment) lines.push([`Comment=${job.comment} `]);
  lines.push([`StdErr=${displayPattern(job.stderr, job)}`]);
  lines.push([`StdIn=${displayPattern(job.stdin, job)}`]);
  lines.push([`StdOut=${displayPattern(job.stdout, job)}`]);
  lines.push(['Power=']);
  // sic: Slurm's own spelling
  if (job.killOnInvalidDep) lines.push(['KillOInInvalidDependent=Yes']);
  if (job.cpusPerTres) lines.push([`CpusPerTres=${job.cpusPerTres}`]);
  if (job.memPerTres) lines.push([`MemPerTres=${job.memPerTres}`]);
  if (job.tresPerJob) lines.push([`TresPerJob=${job.tresPerJob}`]);
  if (job.tresPerNode) lines.push([`TresPerNode=${job.tresPerNode}`]);
  if (job.tresPerSocket) lines.push([`TresPerSocket=${job.tresPerSocket}`]);
  if (job.tresPerTask) lines.push([`TresPerTask=${job.tresPerTask}`]);
  if (job.mailUser) lines.push([`MailUser=${job.mailUser}`, `MailType=${job.mailType ?? 'NONE'}`]);

  const sep = oneLiner ? ' ' : '\n   ';
  return lines.map((l) => l.join(' ') + sep).join('') + (oneLiner ? '\n' : '\n\n');
}

/** `TRES=cpu=4,mem=4G,node=1,billing=4`: memory is per node x nodes, or per CPU x CPUs, or per GPU x GPUs. */
export function tresString(job: JobRecord, cpus: number, nodes: number, gpuTres = false): string {
  const gpus = gpusOnNodes(job, nodes);
  let mem: number;
  if (job.memPerGpu !== undefined) mem = job.memPerGpu * Math.max(gpus, 1);
  else if (job.memory.per === 'node') mem = (job.memory.mb || job.nodeMemory) * nodes;
  else mem = job.memory.mb * cpus;
  return `cpu=${cpus},mem=${formatMemory(mem)},node=${nodes},billing=${cpus}${gpuTres && gpus > 0 ? `,gres/gpu=${gpus}` : ''}`;
}
