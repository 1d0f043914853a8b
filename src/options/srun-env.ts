/**
 * srun's input variables (Slurm 22.05 src/srun/libsrun/opt.c `env_vars[]`):
 * each sets one option of the shared table, in this order, below the command
 * line. Inside a batch job most of them come from the job's own environment,
 * which is how a plain `srun` inherits the allocation's layout (SLURM_NTASKS,
 * SLURM_NNODES, SLURM_NTASKS_PER_NODE, SLURM_MEM_PER_CPU...).
 */
import { envTableOf, type EnvTable } from './resolve.js';

/** variable -> option key; the order is Slurm's (SLURM_NPROCS before SLURM_NTASKS, so the latter wins). */
const SRUN_ENV_VARIABLES: readonly [string, string][] = [
  ['SLURM_ACCOUNT', 'account'],
  ['SLURM_ACCTG_FREQ', 'acctg-freq'],
  ['SLURM_BCAST', 'bcast'],
  ['SLURM_BURST_BUFFER', 'bb'],
  ['SLURM_CLUSTERS', 'clusters'],
  ['SLURM_CLUSTER_CONSTRAINT', 'cluster-constraint'],
  ['SLURM_COMPRESS', 'compress'],
  ['SLURM_CONSTRAINT', 'constraint'],
  ['SLURM_CORE_SPEC', 'core-spec'],
  // 22.05 reads SRUN_CPUS_PER_TASK, not the job's SLURM_CPUS_PER_TASK (23.11 reads that again)
  ['SRUN_CPUS_PER_TASK', 'cpus-per-task'],
  ['SLURM_CPU_BIND', 'cpu-bind'],
  ['SLURM_CPU_FREQ_REQ', 'cpu-freq'],
  ['SLURM_CPUS_PER_GPU', 'cpus-per-gpu'],
  ['SLURM_DELAY_BOOT', 'delay-boot'],
  ['SLURM_DEPENDENCY', 'dependency'],
  ['SLURM_DISABLE_STATUS', 'disable-status'],
  ['SLURM_DISTRIBUTION', 'distribution'],
  ['SLURM_EPILOG', 'epilog'],
  ['SLURM_EXACT', 'exact'],
  ['SLURM_EXCLUSIVE', 'exclusive'],
  ['SLURM_EXPORT_ENV', 'export'],
  ['SRUN_EXPORT_ENV', 'export'],
  ['SLURM_GPUS', 'gpus'],
  ['SLURM_GPU_BIND', 'gpu-bind'],
  ['SLURM_GPU_FREQ', 'gpu-freq'],
  ['SLURM_GPUS_PER_NODE', 'gpus-per-node'],
  ['SLURM_GPUS_PER_SOCKET', 'gpus-per-socket'],
  ['SLURM_GPUS_PER_TASK', 'gpus-per-task'],
  ['SLURM_GRES', 'gres'],
  ['SLURM_GRES_FLAGS', 'gres-flags'],
  ['SLURM_HINT', 'hint'],
  ['SLURM_JOB_ID', 'jobid'],
  // ignored inside an allocation (the caller drops it there): steps are not named after the job
  ['SLURM_JOB_NAME', 'job-name'],
  ['SLURM_JOB_NUM_NODES', 'nodes'],
  ['SLURM_NNODES', 'nodes'],
  ['SLURM_KILL_BAD_EXIT', 'kill-on-bad-exit'],
  ['SLURM_LABELIO', 'label'],
  ['SLURM_MEM_BIND', 'mem-bind'],
  ['SLURM_MEM_PER_CPU', 'mem-per-cpu'],
  ['SLURM_MEM_PER_GPU', 'mem-per-gpu'],
  ['SLURM_MEM_PER_NODE', 'mem'],
  ['SLURM_MPI_TYPE', 'mpi'],
  ['SLURM_NETWORK', 'network'],
  ['SLURM_NO_KILL', 'no-kill'],
  ['SLURM_NPROCS', 'ntasks'],
  ['SLURM_NTASKS', 'ntasks'],
  ['SLURM_NTASKS_PER_NODE', 'ntasks-per-node'],
  ['SLURM_NTASKS_PER_GPU', 'ntasks-per-gpu'],
  ['SLURM_NTASKS_PER_TRES', 'ntasks-per-tres'],
  ['SLURM_OPEN_MODE', 'open-mode'],
  ['SLURM_OVERCOMMIT', 'overcommit'],
  ['SLURM_OVERLAP', 'overlap'],
  ['SLURM_PARTITION', 'partition'],
  ['SLURM_POWER', 'power'],
  ['SLURM_PROFILE', 'profile'],
  ['SLURM_PROLOG', 'prolog'],
  ['SLURM_QOS', 'qos'],
  ['SLURM_REMOTE_CWD', 'chdir'],
  ['SLURM_REQ_SWITCH', 'switches'],
  ['SLURM_RESERVATION', 'reservation'],
  ['SLURM_RESV_PORTS', 'resv-ports'],
  ['SLURM_SIGNAL', 'signal'],
  ['SLURM_SPREAD_JOB', 'spread-job'],
  ['SLURM_SRUN_MULTI', 'multi-prog'],
  ['SLURM_STDERRMODE', 'error'],
  ['SLURM_STDINMODE', 'input'],
  ['SLURM_STDOUTMODE', 'output'],
  ['SLURM_TASK_EPILOG', 'task-epilog'],
  ['SLURM_TASK_PROLOG', 'task-prolog'],
  ['SLURM_THREAD_SPEC', 'thread-spec'],
  ['SLURM_THREADS', 'threads'],
  ['SLURM_THREADS_PER_CORE', 'threads-per-core'],
  ['SLURM_TIMELIMIT', 'time'],
  ['SLURM_UNBUFFEREDIO', 'unbuffered'],
  ['SLURM_USE_MIN_NODES', 'use-min-nodes'],
  ['SLURM_WAIT', 'wait-srun'],
  ['SLURM_WCKEY', 'wckey'],
  ['SLURM_WORKING_DIR', 'chdir'],
];

let table: EnvTable | undefined;

export function srunEnvTable(): EnvTable {
  table ??= envTableOf(SRUN_ENV_VARIABLES);
  return table;
}
