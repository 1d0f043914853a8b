/**
 * The environment of each task of a step, as srun and slurmstepd 22.05 give
 * it (fixtures/oracle/srun: every layout's task-0 environment, direct-env):
 * srun's own environment filtered by --export, then the step's variables
 * (the step-scoped SLURM_NTASKS/NNODES/TASKS_PER_NODE, SLURM_STEP_*), then
 * each task's (rank, node, GPUs). Inside a batch job the job's variables are
 * inherited from the batch step (HOSTNAME too: the batch node's, as on Slurm);
 * in srun's own allocation srun sets them. Pure.
 *
 * Nothing Slurm does not set is added: no MASTER_ADDR, RANK or WORLD_SIZE.
 */
import { compressHostlist } from '../job/values/hostlist.js';
import { taskGpus, type StepGpus } from './gpus.js';
import { perNodeCounts, type AllocatedNode, type StepLayout } from './layout.js';

/** The job's variables srun sets itself when it made the allocation (inside a batch job they are inherited). */
export interface AllocationVars {
  clusterName: string;
  submitDir: string;
  submitHost: string;
  jobName: string;
  partition: string;
  userId: number;
  userName: string;
  groupId: number;
  account?: string;
  qos?: string;
  /** SLURM_WORKING_CLUSTER */
  workingCluster: string;
  /** our bin/, to put first on the tasks' PATH: set only when srun on srun's PATH is not ours (job-path.ts) */
  binDir?: string;
  /** srun runs inside an allocation it did not make (salloc's): it also sets what it sets inside a batch job */
  inside?: boolean;
}

export interface StepEnvContext {
  jobId: number;
  stepId: number;
  layout: StepLayout;
  /** the job's nodes, in job order */
  job: readonly AllocatedNode[];
  /** set when srun made the allocation itself */
  allocation?: AllocationVars;
  label: boolean;
  /** -c given to srun */
  cpusPerTask?: number;
  /** where srun listens, as tasks are told (SLURM_SRUN_COMM_HOST, SLURM_LAUNCH_NODE_IPADDR) */
  launchHost: string;
  port: number;
  /** `0022` */
  umask: string;
  gpus: StepGpus;
}

export interface TaskPlace {
  procid: number;
  /** index of the node within the step */
  nodeId: number;
  /** index of the task on its node */
  localId: number;
}

/** Every variable the step sets on top of `base` (srun's environment after --export), common to its tasks. */
export function stepEnv(base: Readonly<Record<string, string>>, c: StepEnvContext): Record<string, string> {
  const env: Record<string, string> = { ...base };
  const set = (k: string, v: string | number) => {
    env[k] = String(v);
  };
  const stepNodes = c.layout.nodes.map((n) => n.name);
  const counts = perNodeCounts(c.layout.nodes.map((n) => n.tasks.length));
  const jobNodes = compressHostlist(c.job.map((n) => n.name));
  const jobCpus = perNodeCounts(c.job.map((n) => n.cpus));

  if (c.allocation) {
    const a = c.allocation;
    if (env.SLURM_PRIO_PROCESS === undefined) set('SLURM_PRIO_PROCESS', 0);
    set('SLURM_CLUSTER_NAME', a.clusterName);
    set('SLURM_SUBMIT_DIR', a.submitDir);
    set('SLURM_SUBMIT_HOST', a.submitHost);
    set('SLURM_JOB_NAME', a.jobName);
    set('SLURM_JOB_CPUS_PER_NODE', jobCpus);
    set('SLURM_JOB_ID', c.jobId);
    set('SLURM_JOBID', c.jobId);
    set('SLURM_JOB_NUM_NODES', c.job.length);
    set('SLURM_NODELIST', jobNodes);
    set('SLURM_JOB_NODELIST', jobNodes);
    set('SLURM_JOB_PARTITION', a.partition);
    set('SLURM_JOB_UID', a.userId);
    set('SLURM_JOB_USER', a.userName);
    set('SLURM_JOB_GID', a.groupId);
    if (a.account) set('SLURM_JOB_ACCOUNT', a.account);
    if (a.qos) set('SLURM_JOB_QOS', a.qos);
    set('SLURM_WORKING_CLUSTER', a.workingCluster);
    if (c.layout.distributionGiven) set('SLURM_DISTRIBUTION', c.layout.distribution);
    if (a.binDir !== undefined && env.PATH !== undefined) set('PATH', `${a.binDir}:${env.PATH}`);
  }
  if (!c.allocation || c.allocation.inside) {
    set('SLURM_DISTRIBUTION', c.layout.distribution);
    set('SLURM_JOB_CPUS_PER_NODE_PACK_GROUP_0', env.SLURM_JOB_CPUS_PER_NODE ?? jobCpus);
  }
  set('SLURM_UMASK', c.umask);
  set('SLURM_STEP_ID', c.stepId);
  set('SLURM_STEPID', c.stepId);
  set('SLURM_NNODES', stepNodes.length);
  set('SLURM_NTASKS', c.layout.ntasks);
  set('SLURM_NPROCS', c.layout.ntasks);
  set('SLURM_TASKS_PER_NODE', counts);
  set('SLURM_STEP_NODELIST', compressHostlist(stepNodes));
  set('SLURM_STEP_NUM_NODES', stepNodes.length);
  set('SLURM_STEP_NUM_TASKS', c.layout.ntasks);
  set('SLURM_STEP_TASKS_PER_NODE', counts);
  set('SLURM_STEP_LAUNCHER_PORT', c.port);
  set('SLURM_SRUN_COMM_PORT', c.port);
  set('SLURM_SRUN_COMM_HOST', c.launchHost);
  set('SLURM_TOPOLOGY_ADDR_PATTERN', 'node');
  if (c.label) set('SLURM_LABELIO', 1);
  if (c.cpusPerTask !== undefined) set('SLURM_CPUS_PER_TASK', c.cpusPerTask);
  // slurmstepd gives a task a TMPDIR when it has none
  if (env.TMPDIR === undefined) set('TMPDIR', '/tmp');
  for (const k of GPU_VARIABLES) delete env[k];
  return env;
}

/** What a task sees of the GPUs is its own: inherited values of these are replaced. */
const GPU_VARIABLES = ['CUDA_VISIBLE_DEVICES', 'GPU_DEVICE_ORDINAL', 'ROCR_VISIBLE_DEVICES', 'SLURM_STEP_GPUS', 'SLURMD_TRES_BIND'];

/** One task's environment: the step's (from stepEnv) plus its rank, node and GPUs. */
export function taskEnv(step: Readonly<Record<string, string>>, c: StepEnvContext, t: TaskPlace): Record<string, string> {
  const env: Record<string, string> = { ...step };
  const stepNode = c.layout.nodes[t.nodeId]!;
  const node = c.job[stepNode.jobIndex]!;
  env.SLURM_PROCID = String(t.procid);
  env.SLURM_LOCALID = String(t.localId);
  env.SLURM_NODEID = String(t.nodeId);
  env.SLURM_GTIDS = stepNode.tasks.join(',');
  env.SLURMD_NODENAME = node.name;
  env.SLURM_TOPOLOGY_ADDR = node.name;
  env.SLURM_CPUS_ON_NODE = String(node.cpus);
  env.SLURM_LAUNCH_NODE_IPADDR = c.launchHost;
  if (node.gpus.length > 0) {
    const g = taskGpus(c.gpus, node.name, t.localId);
    if (g.visible) {
      const ids = g.visible.join(',');
      env.CUDA_VISIBLE_DEVICES = ids;
      env.GPU_DEVICE_ORDINAL = ids;
      env.ROCR_VISIBLE_DEVICES = ids;
      env.SLURM_STEP_GPUS = ids;
    }
    env.SLURM_GPUS_ON_NODE = String(g.onNode);
    if (g.tresBind) env.SLURMD_TRES_BIND = g.tresBind;
    // inside a batch job: the job's GPUs on this task's node, not on the batch node
    if (step.SLURM_JOB_GPUS !== undefined) env.SLURM_JOB_GPUS = node.gpus.join(',');
  }
  return env;
}

/** Where each task of the layout sits, in rank order. */
export function taskPlaces(layout: StepLayout): TaskPlace[] {
  const places: TaskPlace[] = [];
  layout.nodes.forEach((n, nodeId) => n.tasks.forEach((procid, localId) => places.push({ procid, nodeId, localId })));
  return places.sort((a, b) => a.procid - b.procid);
}
