/**
 * salloc's input variables (Slurm 22.05 src/salloc/opt.c `env_vars[]`): each
 * sets one option of the shared table, in this order, below the command line.
 * SALLOC_WAIT4SWITCH has no option of ours (it is the wait of --switches).
 */
import { envTableOf, type EnvTable } from './resolve.js';

/** variable -> option key, in Slurm's order. */
const SALLOC_ENV_VARIABLES: readonly [string, string][] = [
  ['SALLOC_ACCOUNT', 'account'],
  ['SALLOC_ACCTG_FREQ', 'acctg-freq'],
  ['SALLOC_BELL', 'bell'],
  ['SALLOC_BURST_BUFFER', 'bb'],
  ['SALLOC_CLUSTER_CONSTRAINT', 'cluster-constraint'],
  ['SALLOC_CLUSTERS', 'clusters'],
  ['SLURM_CLUSTERS', 'clusters'],
  ['SALLOC_CONTAINER', 'container'],
  ['SALLOC_CONSTRAINT', 'constraint'],
  ['SALLOC_CORE_SPEC', 'core-spec'],
  ['SALLOC_CPU_FREQ_REQ', 'cpu-freq'],
  ['SALLOC_CPUS_PER_GPU', 'cpus-per-gpu'],
  ['SALLOC_DEBUG', 'verbose'],
  ['SALLOC_DELAY_BOOT', 'delay-boot'],
  ['SALLOC_EXCLUSIVE', 'exclusive'],
  ['SALLOC_GPUS', 'gpus'],
  ['SALLOC_GPU_BIND', 'gpu-bind'],
  ['SALLOC_GPU_FREQ', 'gpu-freq'],
  ['SALLOC_GPUS_PER_NODE', 'gpus-per-node'],
  ['SALLOC_GPUS_PER_SOCKET', 'gpus-per-socket'],
  ['SALLOC_GPUS_PER_TASK', 'gpus-per-task'],
  ['SALLOC_GRES', 'gres'],
  ['SALLOC_GRES_FLAGS', 'gres-flags'],
  ['SALLOC_IMMEDIATE', 'immediate'],
  ['SALLOC_HINT', 'hint'],
  ['SLURM_HINT', 'hint'],
  ['SALLOC_KILL_CMD', 'kill-command'],
  ['SALLOC_MEM_BIND', 'mem-bind'],
  ['SALLOC_MEM_PER_CPU', 'mem-per-cpu'],
  ['SALLOC_MEM_PER_GPU', 'mem-per-gpu'],
  ['SALLOC_MEM_PER_NODE', 'mem'],
  ['SALLOC_NETWORK', 'network'],
  ['SALLOC_NO_BELL', 'no-bell'],
  ['SALLOC_NO_KILL', 'no-kill'],
  ['SALLOC_OVERCOMMIT', 'overcommit'],
  ['SALLOC_PARTITION', 'partition'],
  ['SALLOC_POWER', 'power'],
  ['SALLOC_PROFILE', 'profile'],
  ['SALLOC_QOS', 'qos'],
  ['SALLOC_REQ_SWITCH', 'switches'],
  ['SALLOC_RESERVATION', 'reservation'],
  ['SALLOC_SIGNAL', 'signal'],
  ['SALLOC_SPREAD_JOB', 'spread-job'],
  ['SALLOC_THREAD_SPEC', 'thread-spec'],
  ['SALLOC_THREADS_PER_CORE', 'threads-per-core'],
  ['SALLOC_TIMELIMIT', 'time'],
  ['SALLOC_USE_MIN_NODES', 'use-min-nodes'],
  ['SALLOC_WAIT_ALL_NODES', 'wait-all-nodes'],
  ['SALLOC_WCKEY', 'wckey'],
];

let table: EnvTable | undefined;

export function sallocEnvTable(): EnvTable {
  table ??= envTableOf(SALLOC_ENV_VARIABLES);
  return table;
}
