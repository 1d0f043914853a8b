/**
 * A job as it stands: the immutable record plus what changes as it runs (its
 * state, its allocation, its steps, its earlier runs). The store keeps it in a
 * Redis hash (src/store/stored-job.ts); the formats print it.
 */
import type { JobRecord } from './job.js';
import type { JobStateName } from './job-states.js';

/** Resources of one node given to a job. */
export interface NodeAllocation {
  node: string;
  cpus: number;
  memMb: number;
  /** GPU indices on the node */
  gpus: number[];
  /** CPU indices on the node (absent in allocations made before they were tracked) */
  cores?: number[];
}

export interface StoredJob {
  record: JobRecord;
  state: JobStateName;
  reason: string;
  priority: number;
  /** priority to restore on release */
  basePriority: number;
  held: '' | 'user' | 'admin';
  /** epoch seconds; 0 = unknown */
  eligible: number;
  start: number;
  end: number;
  lastSchedEval: number;
  exit: string;
  restarts: number;
  run: number;
  nodes: string;
  alloc: NodeAllocation[];
  batchHost: string;
  sup: string;
  cancelBy: string;
  /** the dependency text as shown (null when none or all satisfied) */
  dependency: string | null;
  /** an array's still-pending tasks (array-tasks.ts text); '' for other jobs and for tasks */
  tasks: string;
  /** epoch seconds of the last requeue (Slurm's SubmitTime then); 0 = the record's submit time */
  submit: number;
  /** earlier runs of a requeued job, oldest first (sacct lists them) */
  history: PastRun[];
}

/** A job step (srun), as sacct lists it (`42.0`). */
export interface StepRecord {
  id: number;
  /** the command's name (sacct JobName) */
  name: string;
  start: number;
  /** 0 while it runs */
  end: number;
  /** RUNNING, COMPLETED, FAILED, CANCELLED... */
  state: string;
  /** "code:signal" */
  exit: string;
  nodes: string;
  nnodes: number;
  ntasks: number;
  cpus: number;
  /** tasks on each of its nodes, Slurm's compressed form (`2(x2),1`) */
  tasksPerNode?: string;
  /** what it holds of the job's allocation on each node (srun decides from these whether a new step may start) */
  claims?: { node: string; cpus: number; memMb: number }[];
  /** the srun that runs it (a step whose srun is gone holds nothing) */
  srun?: { host: string; pid: number };
  /** task distribution (`block`, `cyclic`, `-m` as given), for scontrol show step */
  dist?: string;
  /** uid of who cancelled it (scancel N.S): sacct shows `CANCELLED by <uid>` */
  cancelBy?: number;
  /** still running when its job was cancelled: its exit code does not count for the job's DerivedExitCode */
  afterJob?: boolean;
}

/** A run that ended in a requeue. */
export interface PastRun {
  run: number;
  submit: number;
  eligible: number;
  start: number;
  end: number;
  state: string;
  exit: string;
  nodes: string;
  cpus: number;
  nnodes: number;
}
