/**
 * The whole Redis key layout of one cluster. Every key carries the cluster
 * name in a hash tag, so clusters (and test runs) sharing a Redis never see
 * each other's state, and all of a cluster's keys live in one Redis Cluster slot.
 */
export interface Keys {
  prefix: string;
  /** INCR counter: the last job id handed out */
  nextJobId: string;
  /** INCR counter: jobs submitted so far (their priority order) */
  submissions: string;
  /** INCR counter: places in slurmctld's job list order (the `ord` field; squeue's order among equals) */
  order: string;
  /** HASH per job: the record and its changing state */
  job(id: number): string;
  /** what job(id) starts with */
  jobPrefix: string;
  /** STRING per job: the batch script bytes */
  script(id: number): string;
  /** STRING per job: the submit environment (JSON) */
  env(id: number): string;
  /** SET per job array: the job ids of its tasks split off so far */
  arrayTasks(arrayJobId: number): string;
  /** ZSET of the pending jobs the scheduler considers: not held (score: job id) */
  pending: string;
  /** SET of job ids holding resources */
  running: string;
  /**
   * HASH "<job>.<run>" -> why ("cancel <uid>" or "requeue"): runs to stop, the desired state that
   * scancel and scontrol requeue write with the job; a field stays until the run's end is recorded
   */
  stops: string;
  /** LIST of requests for a running job's processes ("signal <job> <run> <sig> <target>", "stepcancel <job> <step>") */
  requests: string;
  /** ZSET of job ids squeue/scontrol show; score 0 while alive, end time once finished */
  active: string;
  /** HASH job id -> its squeue line (static part + changing fields), kept by the Lua scripts */
  listing: string;
  /** ZSET of every job id ever accepted, for sacct (score: submit time) */
  accounting: string;
  /** HASH job id -> its accounting line (listing line + accounting fields), kept by the Lua scripts */
  acct: string;
  /** STRING with a TTL: the live controller's id */
  controller: string;
  /** STRING with a TTL: a command starting a controller (one at a time) */
  controllerStarting: string;
  /** HASH: what the leading controller tells about itself (flow controller status) */
  controllerInfo: string;
  /** HASH: the cluster's emulation settings (cluster-settings.ts) */
  settings: string;
  /** STRING with a TTL: when a shutdown was asked for (ms epoch); standbys older than it stop too */
  shutdown: string;
  /** STRING: the build of the leading controller (commands of the same build may ask it to answer them) */
  controllerBuild: string;
  /** LIST of command requests for the controller to answer (src/served): those that change jobs */
  serve: string;
  /** LIST of command requests that only read (squeue, sacct, sinfo): a thread of the controller takes none of these */
  serveRead: string;
  /** LIST per request: its answer */
  served(request: string): string;
  /**
   * STRING per request, SET NX by whoever acts on it first: the controller thread that took it (then
   * the caller waits for its answer) or the caller giving up on it (then no controller carries it out)
   */
  servedClaim(request: string): string;
  /** STRING per served sbatch (its `once`): the job id it took, so that a retry submits that job or finds it, never a second */
  servedJob(once: string): string;
  /** pub/sub channel: "something changed, schedule" */
  wake: string;
  /** prefix for BullMQ queues of this cluster */
  bullPrefix: string;
}

export function keysFor(cluster: string): Keys {
  const p = `flow:{${cluster}}:`;
  return {
    prefix: p,
    nextJobId: `${p}next-job-id`,
    submissions: `${p}submissions`,
    order: `${p}order`,
    job: (id) => `${p}job:${id}`,
    jobPrefix: `${p}job:`,
    script: (id) => `${p}script:${id}`,
    env: (id) => `${p}env:${id}`,
    arrayTasks: (id) => `${p}array-tasks:${id}`,
    pending: `${p}pending`,
    running: `${p}running`,
    stops: `${p}stops`,
    requests: `${p}requests`,
    active: `${p}active`,
    listing: `${p}listing`,
    accounting: `${p}accounting`,
    acct: `${p}acct`,
    controller: `${p}controller`,
    controllerStarting: `${p}controller-starting`,
    controllerInfo: `${p}controller-info`,
    controllerBuild: `${p}controller-build`,
    settings: `${p}settings`,
    shutdown: `${p}shutdown`,
    serve: `${p}serve`,
    serveRead: `${p}serve-read`,
    served: (request) => `${p}served:${request}`,
    servedClaim: (request) => `${p}served-claim:${request}`,
    servedJob: (once) => `${p}served-job:${once}`,
    wake: `${p}wake`,
    bullPrefix: `flow:{${cluster}}`,
  };
}
