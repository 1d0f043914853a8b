/**
 * The submitting commands' view of the controller, over Redis: job ids from
 * one counter, one atomic Lua step to queue a job, --test-only answered by the
 * scheduler's own fit function, and --wait by watching the job's state.
 */
import { shownState } from '../job/job-states.js';
import type { Cluster } from '../cluster/load.js';
import type { ClusterConfig } from '../cluster/slurm-conf.js';
import type { Backend, TestOnlyAnswer } from '../commands/backend.js';
import { addUse, fitJob, type NodeUse } from '../controller/scheduler.js';
import { initialFields } from '../store/stored-job.js';
import { FINAL_STATES } from '../job/job-states.js';
import { submittedTasks } from '../job/array-tasks.js';
import type { JobRecord } from '../job/job.js';
import { statusAtSubmit } from '../job/submit-status.js';
import { compressHostlist, formatIsoLocal, parseDependency } from '../job/values/index.js';
import type { ParsedSubmission } from '../submit/parse.js';
import { ControllerWatch } from './ensure-controller.js';
import { Session } from './session.js';

/** How long a served submission's job id is kept for a retry of it (a retry comes within a minute). */
const ONCE_TTL_MS = 3_600_000;

/** priority/basic: each job a little lower than the one before it; --nice lowers it further. */
export function basePriority(job: JobRecord): number {
  if (job.priority !== undefined) return job.priority;
  return Math.max(1, 4294901760 - job.jobId - job.nice);
}

export class RedisBackend implements Backend {
  private session?: Session;
  /** progress(): whether a controller is alive, looked at no more than twice a second */
  private watch?: ControllerWatch;

  /** the job id `once` took already (an earlier try of the same submission): submitted, or to submit now */
  private resumed = false;

  /**
   * `shared`: a session the caller keeps open (the controller answering sbatch), not closed here.
   * `once`: the submission's key (src/served): tried again after a controller died with it, it gets the same job id.
   */
  constructor(private readonly env: Readonly<Record<string, string | undefined>>, private readonly cluster: Cluster,
    private readonly shared?: Session, private readonly once?: string) {}

  private async open(): Promise<Session> {
    this.session ??= this.shared ?? await Session.open(this.cluster, this.env);
    return this.session;
  }

  async nextJobId(config: ClusterConfig): Promise<number> {
    const s = await this.open();
    if (this.once === undefined) return s.scripts.nextJobId(config.firstJobId);
    const key = s.keys.servedJob(this.once);
    const taken = await s.call('GET', key);
    if (typeof taken !== 'string') {
      const id = await s.scripts.nextJobId(config.firstJobId);
      if ((await s.call('SET', key, id, 'PX', ONCE_TTL_MS, 'NX')) === 'OK') return id;
    }
    this.resumed = true;
    return Number(taken ?? (await s.call('GET', key)));
  }

  async submit(cluster: Cluster, job: JobRecord, parsed: ParsedSubmission, ctx: { env: Readonly<Record<string, string | undefined>> }): Promise<void> {
    const s = await this.open();
    const base = basePriority(job);
    const referenced = await this.referencedJobs(s, job);
    const status = statusAtSubmit(job, cluster.config, {
      now: job.submitTime, priority: base, jobExists: (id) => referenced.has(id), isArrayJob: (id) => referenced.get(id) === true,
      allocNode: job.submitHost, allocSid: 0,
    });
    const fields = initialFields({
      record: job,
      state: 'PENDING',
      reason: status.reason,
      priority: status.priority,
      basePriority: base,
      held: job.held ? 'user' : '',
      // not eligible (EligibleTime=Unknown) while held or waiting for a dependency
      eligible: job.beginTime ?? (job.held || status.dependency !== null ? 0 : job.submitTime),
      start: 0,
      end: 0,
      lastSchedEval: job.submitTime,
      exit: '0:0',
      restarts: 0,
      run: 0,
      nodes: '',
      alloc: [],
      batchHost: '',
      sup: '',
      cancelBy: '',
      dependency: status.dependency,
      tasks: job.arraySpec !== undefined && job.arrayTaskId === undefined ? submittedTasks(job.arraySpec) : '',
      submit: 0,
      history: [],
    });
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(ctx.env)) if (v !== undefined) env[k] = v;
    // without --priority, Redis numbers the job's priority in submission order
    const record = JSON.stringify(job);
    const r = await s.scripts.submit(job.jobId, record, parsed.script.bytes, JSON.stringify(env), fields, job.submitTime,
      job.priority === undefined ? job.nice : undefined);
    // an earlier try of this submission got as far as submitting it (src/served): it is this one
    if (r !== 1 && this.resumed) return;
    // sent again after a dropped connection, the first one may have been accepted: then the job is ours
    if (r !== 1 && (await s.call('HGET', s.keys.job(job.jobId), 'record')) !== record) throw new Error(`job id ${job.jobId} is already taken`);
  }

  /** The jobs a dependency names that exist, and whether each is a job array. */
  private async referencedJobs(s: Session, job: JobRecord): Promise<Map<number, boolean>> {
    const parsed = job.dependency ? parseDependency(job.dependency) : undefined;
    const ids = parsed?.ok ? [...new Set(parsed.value.terms.map((t) => t.jobId).filter((x): x is number => x !== undefined))] : [];
    const out = new Map<number, boolean>();
    if (ids.length === 0) return out;
    const res = await s.redis.pipeline(ids.map((id) => ['HMGET', s.keys.job(id), 'state', 'array']));
    ids.forEach((id, i) => {
      const v = res[i] as (string | null)[] | null;
      if (Array.isArray(v) && v[0]) out.set(id, v[1] === '1');
    });
    return out;
  }

  async testOnly(cluster: Cluster, job: JobRecord): Promise<TestOnlyAnswer> {
    const s = await this.open();
    const used = new Map<string, NodeUse>();
    const running = (await s.call('SMEMBERS', s.keys.running)) as string[];
    for (const j of await s.jobs(running.map(Number))) if (j) addUse(used, j.alloc, j.record.oversubscribe === 'NO');
    const now = Math.floor(Date.now() / 1000);
    let placed = fitJob(job, { now, cluster: cluster.config, used, pending: [] });
    let start = now;
    if (placed === undefined) {
      // busy now: it would start when the running jobs are gone (no time estimates here)
      placed = fitJob(job, { now, cluster: cluster.config, used: new Map(), pending: [] });
      start = now + 1;
    }
    if (placed === 'never' || placed === undefined) return { ok: false, reason: 'Requested node configuration is not available' };
    return {
      ok: true,
      startTime: formatIsoLocal(Math.max(start, job.beginTime ?? 0)),
      cpus: placed.alloc.reduce((n, a) => n + a.cpus, 0),
      nodes: compressHostlist(placed.alloc.map((a) => a.node)),
      partition: placed.partition,
    };
  }

  async progress(_cluster: Cluster, jobId: number): Promise<{ state: string; reason: string; money: string } | undefined> {
    const s = await this.open();
    // a controller must be there to move the job on (one watch for all the calls: it looks twice a second at most)
    this.watch ??= new ControllerWatch(s, this.env);
    await this.watch.check();
    const [state, reason, money] = (await s.call('HMGET', s.keys.job(jobId), 'state', 'reason', 'money')) as (string | null)[];
    if (!state) return undefined;
    return { state: shownState(state, reason ?? ''), reason: reason ?? '', money: money ?? '' };
  }

  async waitForEnd(_cluster: Cluster, jobId: number): Promise<number> {
    const s = await this.open();
    // never wait on a dead controller
    const watch = new ControllerWatch(s, this.env);
    for (;;) {
      await watch.check();
      const job = await s.job(jobId);
      if (!job) return 1;
      if (FINAL_STATES.has(job.state)) {
        const [code, signal] = job.exit.split(':').map(Number);
        return signal ? 1 : code ?? 0;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async close(): Promise<void> {
    if (this.session !== this.shared) await this.session?.close();
  }
}
