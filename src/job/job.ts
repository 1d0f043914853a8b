/**
 * The job record: what the controller stores for a job and what `scontrol
 * show job`, `squeue` and `sacct` display. Built once at submit time from the
 * resolved options (build-job.ts); plain JSON so it can live in Redis.
 */
import type { MultiCore } from './job-size.js';

export type Minutes = number | 'UNLIMITED';

/**
 * The seconds of a time limit as slurmctld counts them (`time_limit * 60` in 32 bits): `-t -5` is
 * 4294960097 minutes, whose end comes 4294535356 s (136 years) after the start.
 */
export const limitSeconds = (minutes: number): number => (minutes * 60) % 2 ** 32;

/** setTimeout's longest delay (2^31 - 1 ms, about 24.8 days) */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A time limit in real milliseconds, the cluster's minute length applied (`scale`), or Infinity when
 * it is unlimited or beyond a timer's reach (`-t -5` is 136 years: never reached by a running process).
 */
export function limitMs(limit: number | 'UNLIMITED', scale: number): number {
  if (limit === 'UNLIMITED') return Infinity;
  const ms = Math.max(1, Math.round(limitSeconds(limit) * scale)) * 1000;
  return ms <= MAX_TIMER_MS ? ms : Infinity;
}

/**
 * The task count of a job that got `nodes` nodes: as asked for, or --ntasks-per-node on each
 * node (`-N 1-2 --ntasks-per-node=2` on 2 nodes has 4); undefined when it has none (scontrol then
 * shows the node count, and the batch step gets no SLURM_NTASKS).
 */
export function tasksWhenRunning(r: Pick<JobRecord, 'ntasksSet' | 'numTasks' | 'ntasksPerNode'>, nodes: number): number | undefined {
  if (r.ntasksSet) return r.numTasks;
  return r.ntasksPerNode !== undefined ? r.ntasksPerNode * nodes : undefined;
}

/** The GPUs of a job on `nodes` nodes: per node x nodes when asked per node, else the job's total. */
export const gpusOnNodes = (r: Pick<JobRecord, 'gpusPerNode' | 'gpusTotal'>, nodes: number): number =>
  (r.gpusPerNode > 0 ? r.gpusPerNode * nodes : r.gpusTotal);

export type MemoryRequest =
  | { per: 'node'; mb: number }
  | { per: 'cpu'; mb: number };

/**
 * The provider a job goes to and what it buys there: the Flow task spec's
 * placement, stored with the job at submit so the controller picks its driver
 * and `flow status` shows it.
 */
export interface Placement {
  provider: string;
  instanceType?: string;
  instanceCount?: number;
  /** USD per instance per hour */
  maxPricePerHour?: number;
  /** USD: the most the job may spend */
  maxCost?: number;
  priority?: 'low' | 'med' | 'high';
  region?: string;
  image?: string;
}

export interface JobRecord {
  jobId: number;
  /** array jobs: the master id and, for a task, its index */
  arrayJobId?: number;
  arrayTaskId?: number;
  /** the array's index set as given (`0-99%10`), on the master record */
  arraySpec?: string;
  arrayThrottle?: number;

  name: string;
  userId: number;
  userName: string;
  groupId: number;
  groupName: string;
  account?: string;
  qos?: string;
  partition: string;
  submitHost: string;
  /** session of the submitting process (AllocNode:Sid) */
  allocSid?: number;
  /** where sbatch ran (SLURM_SUBMIT_DIR) */
  submitDir: string;
  /** epoch seconds */
  submitTime: number;
  beginTime?: number;
  deadline?: number;

  /** an allocation made by srun (or salloc) itself: no batch script; that process runs the steps and ends the job */
  interactive?: { host: string; pid: number };
  /** where the job runs, fixed at submit (flow-task.ts: placementOf); absent: the local provider */
  placement?: Placement;

  timeLimit: Minutes;
  timeMin?: Minutes;
  nice: number;
  /** operator-set priority (`--priority`), if any */
  priority?: number;
  held: boolean;
  requeue: boolean;
  dependency?: string;
  killOnInvalidDep: boolean;

  nodesSet: boolean;
  minNodes: number;
  /** 0 when no maximum was requested */
  maxNodes: number;
  /** Slurm's estimate of the node count while pending (NumNodes=) */
  nodeCountGuess: number;
  ntasksSet: boolean;
  numTasks: number;
  cpusSet: boolean;
  cpusPerTask: number;
  ntasksPerNode?: number;
  /** sockets/cores/threads per node and tasks per socket/core asked for (-B, --hint, --ntasks-per-socket...) */
  mc?: MultiCore;
  minCpus: number;
  pnMinCpus: number;
  memory: MemoryRequest;
  /** RealMemory of the partition's nodes, what `--mem=0` means */
  nodeMemory: number;
  memPerGpu?: number;
  tmpDisk: number;

  tresPerNode?: string;
  tresPerJob?: string;
  tresPerTask?: string;
  tresPerSocket?: string;
  cpusPerTres?: string;
  memPerTres?: string;
  /** GPUs the job asks for on each node (for allocation), and in all */
  gpusPerNode: number;
  gpusTotal: number;
  gpuType?: string;
  /** the GPU options as given, for SLURM_GPUS* variables */
  gpuOptions: { gpus?: string; perNode?: string; perTask?: string; perSocket?: string };

  features?: string;
  prefer?: string;
  reqNodes?: string;
  excNodes?: string;
  oversubscribe: 'OK' | 'NO' | 'USER' | 'MCS' | 'YES';
  contiguous: boolean;
  licenses?: string;
  network?: string;
  reservation?: string;
  wckey?: string;
  comment?: string;
  mailUser?: string;
  mailType?: string;

  /** script path and arguments (`Command=`), null for stdin and --wrap */
  command: string | null;
  /** absolute script path, null for stdin and --wrap */
  scriptPath: string | null;
  scriptArgs: string[];
  workDir: string;
  /** filename patterns, absolute */
  stdout: string;
  stderr: string;
  stdin: string;
  /** -o / -e were given (else the default: squeue --json shows "" then) */
  outputGiven?: boolean;
  errorGiven?: boolean;
  openMode?: 'append' | 'truncate';
  signal?: string;
  export?: string;
  /** options recognised and stored that the emulator does not act on */
  kept: Record<string, string>;
}
