/**
 * The job request: every sbatch option's value after the command line, the
 * `SBATCH_*` variables and the `#SBATCH` lines have been applied. Fields are
 * typed values, except where real Slurm only validates at the controller
 * (array, dependency, partition...): those stay text until the job spec is built.
 */
export type NodeCount = { min: number; max: number };

export interface JobRequest {
  account?: string;
  acctgFreq?: string;
  array?: string;
  batch?: string;
  bb?: string;
  bbf?: string;
  /** epoch seconds */
  begin?: number;
  chdir?: string;
  clusterConstraint?: string;
  clusters?: string;
  comment?: string;
  constraint?: string;
  container?: string;
  context?: string;
  contiguous?: boolean;
  coreSpec?: number;
  coresPerSocket?: number;
  cpuFreq?: string;
  cpusPerGpu?: number;
  cpusPerTask?: number;
  /** epoch seconds */
  deadline?: number;
  /** minutes */
  delayBoot?: number;
  dependency?: string;
  distribution?: string;
  error?: string;
  exclude?: string;
  exclusive?: 'exclusive' | 'user' | 'mcs';
  export?: string;
  exportFile?: string;
  /** `-B` was given: sbatch then derives a task count from sockets x cores x threads */
  extraNodeInfo?: boolean;
  getUserEnv?: string;
  gid?: string;
  gpuBind?: string;
  gpuFreq?: string;
  gpus?: string;
  gpusPerNode?: string;
  gpusPerSocket?: string;
  gpusPerTask?: string;
  gres?: string;
  gresFlags?: string;
  help?: boolean;
  hint?: string;
  hold?: boolean;
  ignorePbs?: boolean;
  input?: string;
  jobName?: string;
  killOnInvalidDep?: boolean;
  licenses?: string;
  mailType?: string;
  mailUser?: string;
  mcsLabel?: string;
  /** MB per node */
  mem?: number;
  memBind?: string;
  /** MB */
  memPerCpu?: number;
  /** MB */
  memPerGpu?: number;
  mincpus?: number;
  network?: string;
  nice?: number;
  noKill?: boolean;
  nodefile?: string;
  nodelist?: string;
  nodes?: NodeCount;
  ntasks?: number;
  ntasksPerCore?: number;
  ntasksPerGpu?: number;
  ntasksPerNode?: number;
  ntasksPerSocket?: number;
  ntasksPerTres?: number;
  openMode?: 'append' | 'truncate';
  output?: string;
  overcommit?: boolean;
  oversubscribe?: boolean;
  parsable?: boolean;
  partition?: string;
  power?: string;
  prefer?: string;
  priority?: number | 'TOP';
  profile?: string;
  propagate?: string;
  qos?: string;
  quiet?: boolean;
  reboot?: boolean;
  requeue?: boolean;
  reservation?: string;
  signal?: string;
  socketsPerNode?: number;
  spreadJob?: boolean;
  switches?: string;
  testOnly?: boolean;
  threadSpec?: number;
  threadsPerCore?: number;
  /** minutes, or unlimited */
  time?: number | 'UNLIMITED';
  timeMin?: number | 'UNLIMITED';
  /** MB */
  tmp?: number;
  uid?: string;
  usage?: boolean;
  useMinNodes?: boolean;
  verbose?: number;
  version?: boolean;
  wait?: boolean;
  waitAllNodes?: 0 | 1;
  wckey?: string;
  wrap?: string;

  // ---- srun's own (step) options
  accelBind?: string;
  bcast?: string;
  bcastExclude?: string;
  compress?: string;
  cpuBind?: string;
  ctrlCommIfhn?: string;
  disableStatus?: boolean;
  epilog?: string;
  /** srun --exact: the step uses only what it asks for */
  exact?: boolean;
  hetGroup?: string;
  immediate?: string;
  /** srun --jobid: the allocation to run in */
  jobid?: string;
  /** srun -K: 1 kills the step when a task exits non-zero */
  killOnBadExit?: number;
  label?: boolean;
  /** srun -W: seconds to wait after the first task ends */
  maxWait?: number;
  mpi?: string;
  mpiCombine?: string;
  multiProg?: boolean;
  noAllocate?: boolean;
  overlap?: boolean;
  preserveEnv?: boolean;
  prolog?: string;
  pty?: boolean;
  quitOnInterrupt?: boolean;
  relative?: number;
  resvPorts?: string;
  sendLibs?: string;
  slurmdDebug?: string;
  taskEpilog?: string;
  taskProlog?: string;
  threads?: number;
  unbuffered?: boolean;
  whole?: boolean;

  // ---- salloc's own options
  /** --bell / --no-bell (unset: ring only after a wait) */
  bell?: boolean;
  /** -K/--kill-command: the signal for the command when the allocation is revoked */
  killCommand?: number;
  noShell?: boolean;
  /** --x11[=first|last|all|batch] */
  x11?: string;
}

export type RequestField = keyof JobRequest;

/**
 * A request with every field present and unset. Copying a request onto a clone of this (uniformRequest)
 * gives every request the same hidden class: requests built option by option have as many shapes as
 * there are orders of options, and code that reads many fields of such objects (the job spec builder)
 * pays a runtime lookup per read. The type makes the compiler check that no field is missing.
 */
const UNSET: { [K in RequestField]-?: undefined } = {
  account: undefined, acctgFreq: undefined, array: undefined, batch: undefined, bb: undefined, bbf: undefined,
  begin: undefined, chdir: undefined, clusterConstraint: undefined, clusters: undefined, comment: undefined,
  constraint: undefined, container: undefined, context: undefined, contiguous: undefined, coreSpec: undefined,
  coresPerSocket: undefined, cpuFreq: undefined, cpusPerGpu: undefined, cpusPerTask: undefined,
  deadline: undefined, delayBoot: undefined, dependency: undefined, distribution: undefined, error: undefined,
  exclude: undefined, exclusive: undefined, export: undefined, exportFile: undefined, extraNodeInfo: undefined, getUserEnv: undefined,
  gid: undefined, gpuBind: undefined, gpuFreq: undefined, gpus: undefined, gpusPerNode: undefined,
  gpusPerSocket: undefined, gpusPerTask: undefined, gres: undefined, gresFlags: undefined, help: undefined,
  hint: undefined, hold: undefined, ignorePbs: undefined, input: undefined, jobName: undefined,
  killOnInvalidDep: undefined, licenses: undefined, mailType: undefined, mailUser: undefined,
  mcsLabel: undefined, mem: undefined, memBind: undefined, memPerCpu: undefined, memPerGpu: undefined,
  mincpus: undefined, network: undefined, nice: undefined, noKill: undefined, nodefile: undefined,
  nodelist: undefined, nodes: undefined, ntasks: undefined, ntasksPerCore: undefined, ntasksPerGpu: undefined,
  ntasksPerNode: undefined, ntasksPerSocket: undefined, ntasksPerTres: undefined, openMode: undefined,
  output: undefined, overcommit: undefined, oversubscribe: undefined, parsable: undefined,
  partition: undefined, power: undefined, prefer: undefined, priority: undefined, profile: undefined,
  propagate: undefined, qos: undefined, quiet: undefined, reboot: undefined, requeue: undefined,
  reservation: undefined, signal: undefined, socketsPerNode: undefined, spreadJob: undefined,
  switches: undefined, testOnly: undefined, threadSpec: undefined, threadsPerCore: undefined, time: undefined,
  timeMin: undefined, tmp: undefined, uid: undefined, usage: undefined, useMinNodes: undefined,
  verbose: undefined, version: undefined, wait: undefined, waitAllNodes: undefined, wckey: undefined,
  wrap: undefined,
  accelBind: undefined, bcast: undefined, bcastExclude: undefined, compress: undefined, cpuBind: undefined,
  ctrlCommIfhn: undefined, disableStatus: undefined, epilog: undefined, exact: undefined, hetGroup: undefined,
  immediate: undefined, jobid: undefined, killOnBadExit: undefined, label: undefined, maxWait: undefined,
  mpi: undefined, mpiCombine: undefined, multiProg: undefined, noAllocate: undefined, overlap: undefined,
  preserveEnv: undefined, prolog: undefined, pty: undefined, quitOnInterrupt: undefined, relative: undefined,
  resvPorts: undefined, sendLibs: undefined, slurmdDebug: undefined, taskEpilog: undefined, taskProlog: undefined,
  threads: undefined, unbuffered: undefined, whole: undefined,
  bell: undefined, killCommand: undefined, noShell: undefined, x11: undefined,
};

/** The same request, as an object of the one shape every such copy has (only reads are faster). */
export function uniformRequest(req: Readonly<JobRequest>): JobRequest {
  const out: Record<string, unknown> = { ...UNSET };
  // for-in rather than Object.keys: V8 reads the values through the object's enum cache, without a lookup
  for (const k in req) out[k] = req[k as RequestField];
  return out as JobRequest;
}
