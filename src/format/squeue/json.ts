/**
 * `squeue --json`: every job the controller knows, in the 22.05 shape
 * (openapi v0.0.38) that clients such as TorchX read. squeue prints all jobs
 * with --json, whatever -j/-t say, as 22.05 does.
 */
import type { NodeConfig } from '../../cluster/slurm-conf.js';
import { jobGresOnNode } from '../../cluster/node-view.js';
import type { StoredJob } from '../../job/job-run.js';
import { displayStatus } from '../../format/job-status.js';
import { limitSeconds } from '../../job/job.js';
import { INFINITE16 } from '../../job/job-size.js';
import { Float, META, slurmJson, type JsonValue } from '../json/slurm-json.js';
import { tresString } from '../scontrol/show-job.js';
import { displayPattern } from '../../job/patterns.js';

export interface JsonContext {
  clusterName: string;
  nodes: NodeConfig[];
  now: number;
  gpuTres: boolean;
  /** slurmdbd accounting: jobs belong to an association */
  withDbd: boolean;
}

const YEAR = 365 * 86400;
/** A per-node or per-core count as asked for; unset (or INFINITE) is null. */
const perNode = (n: number | undefined) => (n === undefined || n === INFINITE16 ? null : n);
/** (INFINITE minutes * 60) as slurmctld computes it, in 32 bits */
const INFINITE_SECONDS = 4294967236;

/** Exit status as wait() reports it: code << 8 | signal. */
function waitStatus(exit: string): number {
  const [code, signal] = exit.split(':').map(Number);
  return ((code ?? 0) << 8) | (signal ?? 0);
}

/** `gpu:h100:2(IDX:0-1)` for each node holding GPUs of the job. */
function gresDetail(j: StoredJob, ctx: JsonContext): string[] {
  return j.alloc.filter((a) => a.gpus.length > 0).map((a) => jobGresOnNode(ctx.nodes.find((n) => n.name === a.node), a.gpus));
}

function jobResources(j: StoredJob, ctx: JsonContext): JsonValue {
  return {
    nodes: j.nodes,
    allocated_cores: j.alloc.reduce((n, a) => n + a.cpus, 0),
    allocated_hosts: j.alloc.length,
    allocated_nodes: j.alloc.map((a) => {
      const perSocket = ctx.nodes.find((n) => n.name === a.node)?.coresPerSocket ?? 1;
      const sockets: Record<string, { cores: Record<string, string> }> = {};
      const cores = a.cores ?? Array.from({ length: a.cpus }, (_, i) => i);
      for (const c of cores) {
        const s = String(Math.floor(c / perSocket));
        (sockets[s] ??= { cores: {} }).cores[String(c % perSocket)] = 'allocated';
      }
      return { sockets, nodename: a.node, cpus_used: 0, memory_used: 0, memory_allocated: a.memMb };
    }),
  };
}

function endTime(j: StoredJob): number {
  if (j.end) return j.end;
  const limit = j.record.timeLimit;
  if (j.start) return j.start + (limit === 'UNLIMITED' ? YEAR : limitSeconds(limit));
  if (j.state === 'PENDING' && j.held === '' && j.eligible > j.record.submitTime) {
    return j.eligible + (limit === 'UNLIMITED' ? INFINITE_SECONDS : limitSeconds(limit));
  }
  return 0;
}

function jobJson(j: StoredJob, ctx: JsonContext): JsonValue {
  const r = j.record;
  const st = displayStatus(j, ctx.now, r.submitHost);
  const started = j.alloc.length > 0;
  const cpus = started ? j.alloc.reduce((n, a) => n + a.cpus, 0) : r.minCpus;
  const nodeCount = started ? j.alloc.length : r.nodeCountGuess;
  const flags = [
    ...(r.cpusSet ? ['JOB_CPUS_SET'] : []),
    ...(j.state === 'RUNNING' ? ['JOB_WAS_RUNNING'] : []),
    ...(r.memory.per === 'node' ? ['JOB_MEM_SET'] : []),
  ];
  const out: Record<string, JsonValue> = {
    account: r.account ?? '',
    accrue_time: st.accrueTime ?? 0,
    admin_comment: '',
    array_job_id: r.arrayJobId ?? 0,
    array_task_id: r.arrayTaskId ?? null,
    array_max_tasks: r.arrayThrottle ?? 0,
    array_task_string: j.tasks,
    association_id: ctx.withDbd ? 2 : 0,
    batch_features: '',
    batch_flag: !r.interactive,
    batch_host: j.batchHost,
    flags,
    burst_buffer: '',
    burst_buffer_state: '',
    cluster: ctx.clusterName,
    cluster_features: '',
    command: r.command ?? '',
    comment: r.comment ?? '',
    container: '',
    contiguous: r.contiguous,
    core_spec: null,
    thread_spec: null,
    cores_per_socket: perNode(r.mc?.cores),
    billable_tres: started ? new Float(cpus) : null,
    cpus_per_task: null,
    cpu_frequency_minimum: null,
    cpu_frequency_maximum: null,
    cpu_frequency_governor: null,
    cpus_per_tres: '',
    deadline: r.deadline ?? 0,
    delay_boot: 0,
    dependency: j.dependency ?? '',
    derived_exit_code: 0,
    eligible_time: j.eligible,
    end_time: endTime(j),
    excluded_nodes: r.excNodes ?? '',
    exit_code: waitStatus(j.exit),
    features: r.features ?? '',
    federation_origin: '',
    federation_siblings_active: '',
    federation_siblings_viable: '',
    gres_detail: gresDetail(j, ctx),
    group_id: r.groupId,
    group_name: r.groupName,
    job_id: r.jobId,
  };
  if (started) out.job_resources = jobResources(j, ctx);
  Object.assign(out, {
    job_state: j.state,
    last_sched_evaluation: st.lastSchedEval,
    licenses: r.licenses ?? '',
    max_cpus: 0,
    max_nodes: r.maxNodes,
    mcs_label: '',
    memory_per_tres: '',
    name: r.name,
    nodes: j.nodes,
    nice: r.nice || null,
    tasks_per_core: perNode(r.mc?.ntasksPerCore),
    tasks_per_node: r.ntasksPerNode ?? 0,
    tasks_per_socket: perNode(r.mc?.ntasksPerSocket),
    tasks_per_board: 0,
    cpus,
    node_count: nodeCount,
    tasks: r.numTasks,
    het_job_id: 0,
    het_job_id_set: '',
    het_job_offset: 0,
    partition: r.partition,
    prefer: r.prefer ?? '',
    memory_per_node: r.memory.per === 'node' ? r.memory.mb : null,
    memory_per_cpu: r.memory.per === 'cpu' ? r.memory.mb : null,
    minimum_cpus_per_node: r.pnMinCpus,
    minimum_tmp_disk_per_node: r.tmpDisk,
    preempt_time: 0,
    pre_sus_time: 0,
    priority: j.priority,
    profile: null,
    qos: r.qos ?? '',
    reboot: false,
    required_nodes: r.reqNodes ?? '',
    requeue: r.requeue,
    resize_time: 0,
    restart_cnt: j.restarts,
    resv_name: r.reservation ?? '',
    shared: null,
    show_flags: ['SHOW_ALL', 'SHOW_DETAIL', 'SHOW_LOCAL'],
    sockets_per_board: 0,
    sockets_per_node: perNode(r.mc?.sockets),
    start_time: j.start || (j.state === 'PENDING' && j.held === '' && j.eligible > r.submitTime ? j.eligible : 0),
    state_description: '',
    state_reason: j.reason,
    standard_error: r.errorGiven ? displayPattern(r.stderr, r) : '',
    standard_input: r.stdin,
    standard_output: r.outputGiven ? displayPattern(r.stdout, r) : '',
    submit_time: j.submit || r.submitTime,
    suspend_time: 0,
    system_comment: '',
    time_limit: r.timeLimit === 'UNLIMITED' ? null : r.timeLimit,
    time_minimum: r.timeMin === undefined || r.timeMin === 'UNLIMITED' ? 0 : r.timeMin,
    threads_per_core: perNode(r.mc?.threads),
    tres_bind: '',
    tres_freq: '',
    tres_per_job: r.tresPerJob ?? '',
    tres_per_node: r.tresPerNode ?? '',
    tres_per_socket: r.tresPerSocket ?? '',
    tres_per_task: r.tresPerTask ?? '',
    tres_req_str: tresString(r, r.minCpus, r.minNodes, ctx.gpuTres),
    tres_alloc_str: started ? tresString(r, cpus, nodeCount, ctx.gpuTres) : '',
    user_id: r.userId,
    user_name: r.userName,
    wckey: r.wckey ?? '',
    current_working_directory: r.workDir,
  });
  return out;
}

export function squeueJson(jobs: StoredJob[], ctx: JsonContext): string {
  const sorted = [...jobs].sort((a, b) => a.record.jobId - b.record.jobId);
  return slurmJson({ meta: META, errors: [], jobs: sorted.map((j) => jobJson(j, ctx)) });
}
