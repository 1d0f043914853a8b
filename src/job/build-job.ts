/**
 * From resolved options to the job record, doing what sbatch and slurmctld do
 * with a request before the job is queued: defaults, the task/CPU/memory
 * arithmetic, GPU requests, file name patterns, and the checks that make
 * slurmctld refuse a submission (`Batch job submission failed: ...`, exit 1).
 * Pure: the caller supplies the cluster, the user and the clock.
 */
import type { ClusterConfig, PartitionConfig } from '../cluster/slurm-conf.js';
import { uniformRequest, type JobRequest } from '../options/request.js';
import type { OptionState } from '../options/resolve.js';
import type { BatchScript } from '../script/read.js';
import type { JobRecord, MemoryRequest } from './job.js';
import { planGpus } from './gres.js';
import { checkControllerLimits, checkFits, checkGpuOptions, submissionFailed } from './job-checks.js';
import { jobSize, packedNodeCount } from './job-size.js';
import { constraintText, demandOf, demandSatisfiable } from './constraint.js';
import { idleNodeCount } from '../controller/scheduler.js';
import {
  arrayMax, compressHostlistSorted, expandHostlist, parseArray, parseDependency, validateArray,
} from './values/index.js';

export interface SubmitContext {
  jobId: number;
  /** epoch seconds */
  now: number;
  cwd: string;
  userId: number;
  userName: string;
  groupId: number;
  groupName: string;
  submitHost: string;
  allocSid?: number;
}

export interface Submission {
  request: JobRequest;
  state: ReadonlyMap<string, OptionState>;
  script: BatchScript;
}

export type BuildResult = { ok: true; job: JobRecord } | { ok: false; messages: string[] };

const refuse = (...messages: string[]): BuildResult => ({ ok: false, messages });
const failed = submissionFailed;

/** The options that change nothing here but are kept in the record. */
const KEPT: (keyof JobRequest)[] = [
  'acctgFreq', 'batch', 'bb', 'bbf', 'clusterConstraint', 'clusters', 'container', 'context', 'coreSpec',
  'coresPerSocket', 'cpuFreq', 'delayBoot', 'distribution', 'exportFile', 'getUserEnv', 'gid', 'gpuBind', 'gpuFreq',
  'gresFlags', 'hint', 'mcsLabel', 'memBind', 'noKill', 'ntasksPerCore', 'ntasksPerGpu', 'ntasksPerSocket',
  'ntasksPerTres', 'power', 'profile', 'propagate', 'reboot', 'socketsPerNode', 'spreadJob', 'switches',
  'threadSpec', 'threadsPerCore', 'uid', 'useMinNodes', 'waitAllNodes', 'overcommit',
];

export function buildJob(sub: Submission, cluster: ClusterConfig, ctx: SubmitContext): BuildResult {
  const req = uniformRequest(sub.request);
  const gpuProblem = checkGpuOptions(req, req.ntasks !== undefined || (req.ntasksPerNode !== undefined && req.nodes !== undefined));
  if (gpuProblem) return refuse(...gpuProblem);

  // ---- partition
  let partitions: PartitionConfig[];
  if (req.partition !== undefined && req.partition !== '') {
    partitions = [];
    for (const name of req.partition.split(',')) {
      const p = cluster.partitions.find((x) => x.name === name);
      if (!p) return refuse(`invalid partition specified: ${name}`, failed('Invalid partition name specified'));
      partitions.push(p);
    }
  } else {
    const p = cluster.partitions.find((x) => x.isDefault);
    if (!p) return refuse(failed('No partition specified or system default partition'));
    partitions = [p];
  }
  const partition = partitions[0]!;
  const partitionNodes = cluster.nodes.filter((n) => partition.nodes.includes(n.name));
  const nodeCpus = Math.max(1, ...partitionNodes.map((n) => n.cpus));
  const nodeMemory = Math.max(0, ...partitionNodes.map((n) => n.realMemory));
  const nodelistNames = hostNames(req.nodelist);
  const excludeNames = hostNames(req.exclude);
  const limitProblem = checkControllerLimits(req, cluster, [nodelistNames, excludeNames], ctx.now, partition.defaultTime);
  if (limitProblem) return refuse(limitProblem);

  // ---- array
  let arraySpec: string | undefined;
  let arrayThrottle: number | undefined;
  if (req.array !== undefined) {
    const parsed = parseArray(req.array);
    if (!parsed.ok || !validateArray(parsed.value, cluster.maxArraySize).ok) return refuse(failed('Invalid job array specification'));
    // `--array=` (no index at all) leaves an ordinary job
    if (parsed.value.ranges.length > 0) {
      arraySpec = req.array;
      arrayThrottle = parsed.value.throttle;
      if (arrayMax(parsed.value) >= cluster.maxArraySize) return refuse(failed('Invalid job array specification'));
    }
  }

  // ---- dependency
  if (req.dependency !== undefined && req.dependency !== '') {
    const dep = parseDependency(req.dependency, { maxArraySize: cluster.maxArraySize });
    if (!dep.ok) return refuse(failed(dep.error.message));
  }

  // ---- tasks, nodes, CPUs (sbatch's arithmetic, then slurmctld's adjustments)
  const ntpn = req.ntasksPerNode;
  const planned = planGpus(req, (cluster.settings.get('grestypes') ?? 'gpu').split(','));
  if (!planned.ok) return refuse(planned.problem.controller ? failed(planned.problem.message) : planned.problem.message);
  const gpus = planned.plan;
  let cpusPerTask = req.cpusPerTask ?? 1;
  const cpusSet = req.cpusPerTask !== undefined;
  const reqNodes = nodeListShown(nodelistNames);
  const size = jobSize({ req, cpusPerTask, cpusSet, nodelistCount: reqNodes?.count });
  const { nodesSet, ntasksSet, ntasks, mc } = size;
  let { minNodes, maxNodes } = size;
  if (!nodesSet && gpus.perJob > 0 && gpus.perNode > 0) {
    // slurmctld derives the node count from --gpus / --gpus-per-node
    minNodes = maxNodes = Math.ceil(gpus.perJob / gpus.perNode);
  }
  const minCpus = Math.max(size.minCpus, minNodes);
  const numTasks = size.numTasks || minNodes;
  if (!cpusSet && req.cpusPerGpu !== undefined && gpus.perTask > 0) cpusPerTask = req.cpusPerGpu * gpus.perTask;
  let pnMinCpus = req.mincpus ?? (cpusSet ? cpusPerTask : 0);
  if (ntpn !== undefined && !req.overcommit && size.numTasks > 1) pnMinCpus = Math.max(pnMinCpus, ntpn * cpusPerTask);
  pnMinCpus = Math.max(pnMinCpus, cpusPerTask);

  const shape = { cpus: nodeCpus, cores: Math.max(1, ...partitionNodes.map((n) => n.sockets * n.coresPerSocket)) };
  const nodeCountGuess = packedNodeCount({ minNodes, numTasks: size.numTasks, cpusPerTask, ntasksPerNode: ntpn, mc }, shape);

  // ---- memory
  let memory: MemoryRequest;
  if (req.mem !== undefined) memory = { per: 'node', mb: req.mem };
  else if (req.memPerCpu !== undefined) memory = { per: 'cpu', mb: req.memPerCpu };
  else if (cluster.defMemPerCPU !== undefined) memory = { per: 'cpu', mb: cluster.defMemPerCPU };
  else memory = { per: 'node', mb: cluster.defMemPerNode ?? 0 };
  if (!req.hold || req.testOnly) {
    const memPerNodeMb = memory.per === 'node' ? memory.mb : memory.mb * pnMinCpus;
    const misfit = checkFits({ memPerNodeMb, gpusPerNode: gpus.perNode, gpuType: gpus.type }, partitionNodes);
    if (misfit) return refuse(...misfit);
    const demand = demandOf(req.constraint);
    const excluded = new Set(excludeNames || []);
    // the constraint must be met in one of the partitions
    const usable = (p: PartitionConfig) => cluster.nodes.filter((n) => p.nodes.includes(n.name) && !excluded.has(n.name));
    if (demand && !partitions.some((p) => demandSatisfiable(demand, usable(p)))) {
      return refuse(failed('Requested node configuration is not available'));
    }
    // slurmctld names first the partition its test at submit chose: the first that can serve
    const serving = demand && partitions.find((p) => demandSatisfiable(demand, usable(p)));
    if (serving && serving !== partitions[0]) partitions = [serving, ...partitions.filter((p) => p !== serving)];
    // one partition too small only waits (PartitionConfig); a list none of which can hold the job is refused
    if (partitions.length > 1 && partitions.every((p) => p.nodes.length < minNodes)) {
      return refuse(failed('Requested node configuration is not available'));
    }
  }

  // ---- time
  const timeLimit = req.time ?? partition.defaultTime ?? partition.maxTime;
  let timeMin = req.timeMin;
  if (req.deadline !== undefined && timeMin === undefined && timeLimit === 'UNLIMITED') timeMin = 1;

  // ---- files
  const workDir = req.chdir === undefined ? ctx.cwd : underDir(ctx.cwd, req.chdir);
  const isArray = arraySpec !== undefined;
  const withDbd = cluster.accountingStorageType === 'accounting_storage/slurmdbd';
  const defaultOut = isArray ? 'slurm-%A_%a.out' : 'slurm-%j.out';
  const stdout = filePath(req.output ?? defaultOut, workDir);
  const stderr = req.error === undefined ? stdout : filePath(req.error, workDir);
  const stdin = filePath(req.input ?? '/dev/null', workDir);

  // ---- the record
  const kept = keptFields(sub.request);

  const mailType = req.mailType === undefined ? undefined : mailTypeDisplay(req.mailType);
  const job: JobRecord = {
    jobId: ctx.jobId,
    // unset (undefined) for an ordinary job, like the other optional fields: a spread here would make V8
    // build the ~80 fields after it one by one, at several microseconds per record
    arrayJobId: isArray ? ctx.jobId : undefined,
    arraySpec,
    arrayThrottle,
    name: req.jobName ?? sub.script.defaultJobName,
    userId: ctx.userId,
    userName: ctx.userName,
    groupId: ctx.groupId,
    groupName: ctx.groupName,
    // With slurmdbd, a job belongs to its user's association: the account named after the user
    // (as slurmdbd sets root up) and QOS normal. Without AccountingStorageEnforce an account or QOS
    // it has no association for is not refused: the account becomes the user's, the QOS none
    // (shown empty). Without accounting storage slurmctld keeps no QOS, and the account as given.
    account: withDbd ? ctx.userName : req.account?.toLowerCase(),
    qos: withDbd ? (req.qos === undefined || req.qos.toLowerCase() === 'normal' ? 'normal' : '')
      : cluster.accountingStorageType === 'accounting_storage/none' ? undefined : req.qos,
    partition: req.partition === undefined ? partition.name : partitions.map((p) => p.name).join(','),
    submitHost: ctx.submitHost,
    allocSid: ctx.allocSid,
    submitDir: ctx.cwd,
    submitTime: ctx.now,
    beginTime: req.begin,
    deadline: req.deadline,
    timeLimit,
    timeMin,
    nice: req.nice ?? 0,
    priority: typeof req.priority === 'number' ? req.priority : undefined,
    held: req.hold === true,
    requeue: req.requeue ?? true,
    dependency: req.dependency === '' ? undefined : req.dependency,
    killOnInvalidDep: req.killOnInvalidDep ?? false,
    nodesSet,
    minNodes,
    maxNodes,
    nodeCountGuess,
    ntasksSet,
    numTasks,
    cpusSet,
    cpusPerTask,
    ntasksPerNode: ntpn,
    minCpus,
    pnMinCpus,
    memory,
    nodeMemory,
    memPerGpu: req.memPerGpu,
    tmpDisk: req.tmp ?? 0,
    tresPerNode: gpus.tresPerNode,
    tresPerJob: gpus.tresPerJob,
    tresPerTask: gpus.tresPerTask,
    tresPerSocket: gpus.tresPerSocket,
    cpusPerTres: req.cpusPerGpu !== undefined ? `gres:gpu:${req.cpusPerGpu}` : undefined,
    memPerTres: req.memPerGpu !== undefined ? `gres:gpu:${req.memPerGpu}` : undefined,
    gpusPerNode: gpus.perNode,
    gpusTotal: gpus.perJob || gpus.perNode * minNodes || gpus.perTask * numTasks,
    gpuType: gpus.type,
    gpuOptions: { gpus: req.gpus, perNode: req.gpusPerNode, perTask: req.gpusPerTask, perSocket: req.gpusPerSocket },
    features: req.constraint === undefined ? undefined : constraintText(req.constraint),
    prefer: req.prefer,
    reqNodes: reqNodes?.shown ?? req.nodelist,
    excNodes: nodeListShown(excludeNames)?.shown ?? req.exclude,
    mc,
    oversubscribe: req.exclusive === 'user' ? 'USER' : req.exclusive === 'mcs' ? 'MCS' : req.exclusive ? 'NO' : req.oversubscribe ? 'YES' : 'OK',
    contiguous: req.contiguous === true,
    licenses: req.licenses,
    network: req.network,
    reservation: req.reservation,
    wckey: req.wckey,
    comment: req.comment,
    // scontrol shows MailUser only when there are mail types
    mailUser: mailType === undefined ? undefined : req.mailUser ?? ctx.userName,
    mailType,
    scriptPath: sub.script.path,
    command: commandOf(sub.script, sub.state.get('chdir')?.source.from === 'command-line'),
    scriptArgs: sub.script.args,
    workDir,
    stdout,
    stderr,
    stdin,
    outputGiven: req.output !== undefined,
    errorGiven: req.error !== undefined,
    openMode: req.openMode,
    signal: req.signal,
    export: req.export,
    kept,
  };
  if (!job.held) {
    // slurmctld sizes a job it could not start at once on idle nodes (node_cnt_wag)
    const sized = idleNodeCount(job, cluster);
    if (sized !== undefined) job.nodeCountGuess = sized;
  }
  return { ok: true, job };
}

/** A file option's path: `none` (any case) is /dev/null, a relative path is under the job's working directory. */
function filePath(pattern: string, workDir: string): string {
  if (pattern.toLowerCase() === 'none') return '/dev/null';
  return underDir(workDir, pattern);
}

/** sbatch joins a relative path to the directory as typed: `./x` and `../l/x` are not folded (`/wd/./x`). */
function underDir(dir: string, path: string): string {
  return path.startsWith('/') ? path : `${dir}/${path}`;
}

const KEPT_RANK: ReadonlyMap<string, number> = new Map(KEPT.map((k, i) => [k, i]));

/**
 * The KEPT fields the request sets, as text, in KEPT's order. A request sets a few fields: going through
 * them is cheaper than looking up all forty KEPT names, which are mostly absent.
 */
function keptFields(req: JobRequest): Record<string, string> {
  const present: (keyof JobRequest)[] = [];
  for (const k in req) {
    const field = k as keyof JobRequest;
    if (KEPT_RANK.has(field) && req[field] !== undefined) present.push(field);
  }
  present.sort((a, b) => KEPT_RANK.get(a)! - KEPT_RANK.get(b)!);
  const kept: Record<string, string> = {};
  for (const k of present) kept[k] = String(req[k]);
  return kept;
}

/** The names of a -w/-x host list: undefined when not given or a file (it has a `/`), false when not a host list. */
function hostNames(list: string | undefined): string[] | false | undefined {
  if (list === undefined || list.includes('/')) return undefined;
  const names = expandHostlist(list);
  return names.ok ? names.value : false;
}

/**
 * A -w/-x host list as slurmctld keeps it: sorted, without duplicates, compressed (`gpu2,gpu1` is
 * `gpu[1-2]`). A list with a `/` names a file and is left alone.
 */
function nodeListShown(names: string[] | false | undefined): { shown: string; count: number } | undefined {
  if (!names || names.length === 0) return undefined;
  const unique = [...new Set(names)];
  return { shown: compressHostlistSorted(unique), count: unique.length };
}

/**
 * Command= is the script path plus its arguments. sbatch looks a bare name up
 * (in the working directory: the absolute path), but keeps a path that starts
 * with `.` or `/` as given, and a name it cannot find under --chdir as given.
 */
function commandOf(script: BatchScript, chdirGiven: boolean): string | null {
  if (script.path === null) return null;
  const given = script.givenPath;
  const path = given !== undefined && (chdirGiven || given.startsWith('.')) ? given : script.path;
  return [path, ...script.args].join(' ');
}

const MAIL_ORDER = ['ARRAY_TASKS', 'INVALID_DEPEND', 'BEGIN', 'END', 'FAIL', 'REQUEUE', 'STAGE_OUT', 'TIME_LIMIT',
  'TIME_LIMIT_90', 'TIME_LIMIT_80', 'TIME_LIMIT_50'];

/** scontrol prints mail types as flags in a fixed order; ALL expands. */
function mailTypeDisplay(text: string): string {
  const set = new Set<string>();
  for (const w of text.split(',').map((x) => x.toUpperCase())) {
    if (w === 'NONE') set.clear();
    else if (w === 'ALL') ['BEGIN', 'END', 'FAIL', 'REQUEUE', 'STAGE_OUT', 'INVALID_DEPEND'].forEach((x) => set.add(x));
    else set.add(w);
  }
  const out = MAIL_ORDER.filter((w) => set.has(w));
  return out.length ? out.join(',') : 'NONE';
}
