/**
 * The environment of a batch step, as slurmd gives it (recorded from real
 * Slurm 22.05.8 in fixtures/oracle/run): the submit environment filtered by
 * --export, then every SLURM_* variable that describes the job, its
 * allocation and this node. Pure: the caller supplies the login environment
 * when --export asks for it.
 */
import type { StoredJob } from '../job/job-run.js';
import { tasksWhenRunning } from '../job/job.js';
import { compressHostlist } from '../job/values/index.js';
import { arrayFacts } from '../job/array-facts.js';
import { alwaysExported, splitExport } from './export.js';
import { jobPath } from './job-path.js';
import { perNodeCounts } from './layout.js';

export { perNodeCounts };

export interface BatchEnvContext {
  clusterName: string;
  /** SLURM_CONF as the job should see it (absent for the built-in cluster) */
  slurmConf?: string;
  controllerHost: string;
  submitEnv: Readonly<Record<string, string>>;
  /** the user's login environment (only used when --export is given) */
  loginEnv?: Readonly<Record<string, string>>;
  /** our bin/ directory: put first on PATH when srun on the submitter's PATH is not ours (job-path.ts) */
  binDir: string;
  /** whether `srun` on a PATH is ours (job-path.ts srunIsOurs); without it, bin/ always goes first */
  srunIsOurs?: (path: string) => boolean;
}

/** Tasks on each allocated node: --ntasks-per-node, else the tasks spread in block order. */
export function tasksPerNode(job: StoredJob): number[] {
  const r = job.record;
  const nodes = job.alloc.length;
  if (r.ntasksPerNode !== undefined) return job.alloc.map(() => r.ntasksPerNode!);
  const out: number[] = [];
  // a job with no task count has one per node
  let left = tasksWhenRunning(r, nodes) ?? nodes;
  job.alloc.forEach((a, i) => {
    const cap = Math.max(1, Math.floor(a.cpus / Math.max(r.cpusPerTask, 1)));
    const rest = nodes - i - 1;
    const here = i === nodes - 1 ? left : Math.max(1, Math.min(cap, left - rest));
    out.push(here);
    left -= here;
  });
  return out;
}

/** Which submit-time variables reach the job under --export. */
export function exportedEnv(exportSpec: string | undefined, submitEnv: Readonly<Record<string, string>>, loginEnv: Readonly<Record<string, string>>): Record<string, string> {
  if (exportSpec === undefined) return { ...submitEnv };
  // SLURM_* always travel; so do FLOW_*, which is how our commands inside the job find the cluster
  const slurmOnly = Object.fromEntries(Object.entries(submitEnv).filter(([k]) => alwaysExported(k)));
  const out: Record<string, string> = { ...loginEnv, ...slurmOnly };
  for (const item of splitExport(exportSpec)) {
    const upper = item.toUpperCase();
    if (upper === 'ALL') Object.assign(out, submitEnv);
    else if (upper === 'NONE' || item === '') continue;
    else {
      const eq = item.indexOf('=');
      if (eq > 0) out[item.slice(0, eq)] = item.slice(eq + 1);
      else if (submitEnv[item] !== undefined) out[item] = submitEnv[item]!;
    }
  }
  return out;
}

export function batchEnv(job: StoredJob, ctx: BatchEnvContext): Record<string, string> {
  const r = job.record;
  const node = job.alloc[0]!;
  const env = exportedEnv(r.export, ctx.submitEnv, ctx.loginEnv ?? {});
  const nodeNames = job.alloc.map((a) => a.node);
  const nodelist = compressHostlist(nodeNames);
  const tasks = tasksPerNode(job);
  const set = (k: string, v: string | number | undefined) => {
    if (v !== undefined) env[k] = String(v);
  };

  set('ENVIRONMENT', 'BATCH');
  set('HOSTNAME', node.node);
  set('TMPDIR', env.TMPDIR ?? '/tmp');
  set('PATH', jobPath(env.PATH, ctx.binDir, ctx.srunIsOurs ?? (() => false)));
  set('SLURMD_NODENAME', node.node);
  set('SLURM_CLUSTER_NAME', ctx.clusterName);
  set('SLURM_CONF', ctx.slurmConf);
  set('SLURM_CPUS_ON_NODE', node.cpus);
  if (r.cpusSet) set('SLURM_CPUS_PER_TASK', r.cpusPerTask);
  set('SLURM_GTIDS', 0);
  set('SLURM_JOBID', r.jobId);
  set('SLURM_JOB_ID', r.jobId);
  set('SLURM_JOB_CPUS_PER_NODE', perNodeCounts(job.alloc.map((a) => a.cpus)));
  set('SLURM_JOB_GID', r.groupId);
  set('SLURM_JOB_NAME', r.name);
  set('SLURM_JOB_NODELIST', nodelist);
  set('SLURM_JOB_NUM_NODES', nodeNames.length);
  set('SLURM_JOB_PARTITION', r.partition);
  set('SLURM_JOB_UID', r.userId);
  set('SLURM_JOB_USER', r.userName);
  if (r.account) set('SLURM_JOB_ACCOUNT', r.account);
  if (r.qos) set('SLURM_JOB_QOS', r.qos);
  if (r.reservation) set('SLURM_JOB_RESERVATION', r.reservation);
  set('SLURM_LOCALID', 0);
  if (r.memPerGpu !== undefined) set('SLURM_MEM_PER_GPU', r.memPerGpu);
  else if (r.memory.per === 'node') set('SLURM_MEM_PER_NODE', r.memory.mb);
  else set('SLURM_MEM_PER_CPU', r.memory.mb);
  set('SLURM_NNODES', nodeNames.length);
  set('SLURM_NODEID', 0);
  set('SLURM_NODELIST', nodelist);
  set('SLURM_NODE_ALIASES', '(null)');
  const ntasks = tasksWhenRunning(r, nodeNames.length);
  if (ntasks !== undefined) {
    set('SLURM_NPROCS', ntasks);
    set('SLURM_NTASKS', ntasks);
  }
  if (r.ntasksPerNode !== undefined) set('SLURM_NTASKS_PER_NODE', r.ntasksPerNode);
  set('SLURM_PRIO_PROCESS', 0);
  set('SLURM_PROCID', 0);
  set('SLURM_SUBMIT_DIR', r.submitDir);
  set('SLURM_SUBMIT_HOST', r.submitHost);
  set('SLURM_TASKS_PER_NODE', perNodeCounts(tasks));
  set('SLURM_TOPOLOGY_ADDR', node.node);
  set('SLURM_TOPOLOGY_ADDR_PATTERN', 'node');
  set('SLURM_WORKING_CLUSTER', `${ctx.clusterName}:${ctx.controllerHost}:6817:9728:109`);
  if (r.export !== undefined) {
    set('SLURM_EXPORT_ENV', r.export);
    set('SLURM_GET_USER_ENV', 1);
  }
  if (r.openMode) set('SLURM_OPEN_MODE', r.openMode === 'append' ? 'a' : 't');
  if (job.restarts > 0) set('SLURM_RESTART_COUNT', job.restarts);
  if (r.dependency) set('SLURM_JOB_DEPENDENCY', r.dependency);

  // GPUs of the batch node
  if (node.gpus.length > 0) {
    const ids = node.gpus.join(',');
    set('CUDA_VISIBLE_DEVICES', ids);
    set('GPU_DEVICE_ORDINAL', ids);
    set('ROCR_VISIBLE_DEVICES', ids);
    set('SLURM_JOB_GPUS', ids);
    set('SLURM_GPUS_ON_NODE', node.gpus.length);
  }
  set('SLURM_GPUS_PER_NODE', r.gpuOptions.perNode);
  set('SLURM_GPUS', r.gpuOptions.gpus);
  set('SLURM_GPUS_PER_TASK', r.gpuOptions.perTask);
  set('SLURM_GPUS_PER_SOCKET', r.gpuOptions.perSocket);
  if (r.cpusPerTres) set('SLURM_CPUS_PER_GPU', r.cpusPerTres.split(':').pop());

  // arrays
  if (r.arrayJobId !== undefined && r.arrayTaskId !== undefined && r.arraySpec !== undefined) {
    const a = arrayFacts(r.arraySpec);
    set('SLURM_ARRAY_JOB_ID', r.arrayJobId);
    set('SLURM_ARRAY_TASK_ID', r.arrayTaskId);
    set('SLURM_ARRAY_TASK_COUNT', a.count);
    set('SLURM_ARRAY_TASK_MAX', a.max);
    set('SLURM_ARRAY_TASK_MIN', a.min);
    set('SLURM_ARRAY_TASK_STEP', a.step);
  }
  return env;
}
