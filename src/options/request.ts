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
}

export type RequestField = keyof JobRequest;
