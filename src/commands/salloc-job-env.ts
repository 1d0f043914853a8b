/**
 * The environment salloc gives its command, as salloc 22.05 sets it
 * (src/salloc/salloc.c, src/common/env.c env_array_for_job and
 * set_env_from_opts; recorded in fixtures/oracle/salloc/env.json): the
 * caller's environment, then SLURM_SUBMIT_DIR/HOST, the options' variables
 * (GPUs), the job's (id, name, nodes, partition, CPUs, tasks...) in salloc's
 * order, and SLURM_CLUSTER_NAME last. Pure.
 */
import type { StoredJob } from '../job/job-run.js';
import type { JobRequest } from '../options/request.js';
import { tasksPerNode } from '../steps/batch-env.js';
import { compressHostlist } from '../job/values/hostlist.js';
import { jobPath } from '../steps/job-path.js';
import { perNodeCounts } from '../steps/layout.js';

export interface SallocEnvContext {
  clusterName: string;
  submitDir: string;
  submitHost: string;
  /** our bin/: first on PATH when `srun` on the caller's PATH is not ours (job-path.ts), as in batch jobs */
  binDir: string;
  /** whether `srun` on a PATH is ours (job-path.ts srunIsOurs) */
  srunIsOurs: (path: string) => boolean;
}

export function sallocEnv(base: Readonly<Record<string, string | undefined>>, job: StoredJob, q: Readonly<JobRequest>, c: SallocEnvContext): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  const set = (k: string, v: string | number | undefined) => {
    if (v === undefined) return;
    delete env[k]; // salloc's variables come after the caller's, in its own order
    env[k] = String(v);
  };
  const r = job.record;
  const nodes = compressHostlist(job.alloc.map((a) => a.node));

  if (r.ntasksPerNode !== undefined) set('SLURM_NTASKS_PER_NODE', r.ntasksPerNode);
  set('SLURM_SUBMIT_DIR', c.submitDir);
  set('SLURM_SUBMIT_HOST', c.submitHost);
  set('SLURM_CPUS_PER_GPU', q.cpusPerGpu);
  set('SLURM_GPUS', q.gpus);
  set('SLURM_GPU_BIND', q.gpuBind);
  set('SLURM_GPU_FREQ', q.gpuFreq);
  set('SLURM_GPUS_PER_NODE', q.gpusPerNode);
  set('SLURM_GPUS_PER_SOCKET', q.gpusPerSocket);
  set('SLURM_GPUS_PER_TASK', q.gpusPerTask);
  set('SLURM_MEM_PER_GPU', q.memPerGpu);
  set('SLURM_JOB_ID', r.jobId);
  set('SLURM_JOB_NAME', r.name);
  set('SLURM_JOB_NUM_NODES', job.alloc.length);
  set('SLURM_JOB_NODELIST', nodes);
  set('SLURM_NODE_ALIASES', '(null)');
  set('SLURM_JOB_PARTITION', r.partition);
  set('SLURM_JOB_CPUS_PER_NODE', perNodeCounts(job.alloc.map((a) => a.cpus)));
  set('SLURM_THREADS_PER_CORE', q.threadsPerCore);
  // only a memory the user asked for (the partition's DefMemPerCPU is not shown)
  if (q.memPerCpu !== undefined) set('SLURM_MEM_PER_CPU', r.memory.mb);
  else if (q.mem !== undefined) set('SLURM_MEM_PER_NODE', r.memory.mb);
  set('SLURM_JOBID', r.jobId);
  set('SLURM_NNODES', job.alloc.length);
  set('SLURM_NODELIST', nodes);
  set('SLURM_TASKS_PER_NODE', perNodeCounts(taskCounts(job)));
  set('SLURM_JOB_ACCOUNT', r.account);
  set('SLURM_JOB_QOS', r.qos);
  set('SLURM_JOB_RESERVATION', r.reservation);
  set('SLURM_ACCTG_FREQ', q.acctgFreq);
  set('SLURM_NETWORK', q.network);
  if (q.overcommit) set('SLURM_OVERCOMMIT', 1);
  if (r.ntasksSet) {
    set('SLURM_NTASKS', r.numTasks);
    set('SLURM_NPROCS', r.numTasks);
  }
  if (r.cpusSet) set('SLURM_CPUS_PER_TASK', r.cpusPerTask);
  if (r.ntasksPerNode !== undefined) env.SLURM_NTASKS_PER_NODE = String(r.ntasksPerNode);
  set('SLURM_CLUSTER_NAME', c.clusterName);
  // the caller's PATH, unchanged when its srun is ours (fixtures/oracle/run/env-path)
  if (env.PATH !== undefined) env.PATH = jobPath(env.PATH, c.binDir, c.srunIsOurs);
  return env;
}

/** Tasks per node: the tasks asked for, laid out; without -n, as many as each node's CPUs hold (at -c each). */
function taskCounts(job: StoredJob): number[] {
  const r = job.record;
  if (r.ntasksSet) return tasksPerNode(job);
  const cpt = r.cpusSet && r.cpusPerTask > 1 ? r.cpusPerTask : 1;
  return job.alloc.map((a) => Math.floor(a.cpus / cpt));
}
