/**
 * The controller: the slurmctld stand-in, a reconciler. One per cluster leads
 * (a lease key in Redis). On every pass it compares what each job should be
 * (its state, and the stops and requests that scancel, scontrol requeue and
 * scancel --signal wrote with it in Redis) with what the job's driver reports,
 * and acts on the difference: it records ends, stops runs, delivers signals,
 * asks the scheduler for a plan and hands starts to the BullMQ dispatch queue.
 * Pub/sub only wakes it. It keeps nothing that Redis and the driver do not
 * have, so it can be killed and restarted anytime and no request is lost.
 */
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Cluster } from '../cluster/load.js';
import { hasTask, parseTasks } from '../job/array-tasks.js';
import type { JobRecord } from '../job/job.js';
import { compressHostlist } from '../job/values/index.js';
import { runName, type Driver, type RunRef, type RunStatus, type SignalTarget, type StartLimit, type StopWhy } from '../providers/driver.js';
import { splitTask } from '../store/array-split.js';
import { providerOf } from '../job/flow-task.js';
import type { Keys } from '../store/keys.js';
import { addUse, schedule, type NodeUse, type PendingJob } from './scheduler.js';
import type { Scripts } from '../store/scripts.js';
import { fromFields, JOB_FIELDS } from '../store/stored-job.js';
import type { StepRecord, StoredJob } from '../job/job-run.js';
import { evaluate, loadReferenced, type DependencyLookup } from './dependencies.js';
import { LEASE_MS } from '../store/holder.js';
import type { LaunchData, LaunchQueue } from './worker.js';
import { pastRun, requeueDelay } from '../store/requeue.js';
import { RequeueResult } from '../store/scripts.js';

type LostStatus = Extract<RunStatus, { kind: 'lost' }>;

/** A job with a run under way: its nodes powering up, running, or ending. */
const holding = (state: string) => state === 'RUNNING' || state === 'CONFIGURING' || state === 'COMPLETING';

export interface ControllerParts {
  cluster: Cluster;
  redis: Redis;
  subscriber: Redis;
  keys: Keys;
  scripts: Scripts;
  /** a driver per provider (`local`, ...): each job goes to its placement's */
  drivers: Record<string, Driver>;
  id: string;
  /** one line; `error`: the exception behind it (its stack is logged only with FLOW_DEBUG=1) */
  log: (line: string, error?: unknown) => void;
  /** <1 shortens KillWait for tests (see LocalDriver) */
  timeScale: number;
  /** the start queue of one provider (BullMQ: durable, retried, rate-limited by the driver's startLimit) */
  makeQueue: (launch: (d: LaunchData) => Promise<void>, provider: string, limit?: StartLimit) => LaunchQueue;
  /**
   * Fault injection for the chaos tests (FLOW_CRASH_AT): the controller kills
   * itself with SIGKILL when it reaches this point, as `kill -9` would there.
   */
  crashAt?: CrashPoint;
  /** when this controller's process started (ms epoch): a shutdown asked for after it stops it */
  startedAt: number;
  /** ms epoch; the decision-core tests turn it by hand */
  clock?: () => number;
  /** no timers: passes run only when asked (pass()), for the decision-core tests */
  manual?: boolean;
}

/** Points between two steps that a crash must not break (see test/e2e/liveness.test.ts). */
/** served-submitted: a thread answering sbatch (src/served/server.ts), once the job is submitted and before the answer */
export type CrashPoint = 'after-split' | 'after-allocate' | 'launch-claimed' | 'launch-spawned' | 'served-submitted';

const SCHED_INTERVAL_MS = 15_000;

/**
 * How a run ended, from the batch script's status. `signal`: the signal that
 * killed the script, 0 when it exited (then rc > 128 is just its exit code,
 * as for a script whose last command was killed); undefined when the
 * supervisor could not tell, and rc > 128 is taken for a signal. A cancelled
 * job keeps its script's status, as slurmctld does (a script that traps
 * SIGTERM and exits 3: CANCELLED, ExitCode=3:0).
 */
export function finalState(rc: number, timedOut: boolean, cancelled: boolean, signal?: number): { state: string; reason: string; exit: string } {
  const killedBy = signal ?? (rc > 128 ? rc - 128 : 0);
  if (timedOut) return { state: 'TIMEOUT', reason: 'TimeLimit', exit: rc > 128 ? `0:${rc - 128}` : '0:15' };
  if (cancelled) return { state: 'CANCELLED', reason: 'None', exit: killedBy > 0 ? `0:${killedBy}` : `${rc}:0` };
  if (killedBy > 0) return { state: 'FAILED', reason: 'JobLaunchFailure', exit: `0:${killedBy}` };
  if (rc === 0) return { state: 'COMPLETED', reason: 'None', exit: '0:0' };
  return { state: 'FAILED', reason: 'NonZeroExitCode', exit: `${rc}:0` };
}

export class Controller {
  private readonly records = new Map<number, JobRecord>();
  /** the version (`rv`, bumped by scontrol update) of each cached record */
  private readonly recordVersions = new Map<number, string>();
  /** one start queue per provider */
  private readonly queues = new Map<string, LaunchQueue>();
  private unwatch?: () => void;
  private timers: NodeJS.Timeout[] = [];
  private ticking = false;
  private again = false;
  private lastCheck = 0;
  private lastPurge = 0;
  /** something happened (submit, end, release...) since the last scheduling pass */
  private dirty = true;
  private lastSchedule = 0;
  /** ms to leave between scheduling passes (grows with how long a pass takes) */
  private schedGap = 0;
  private later?: NodeJS.Timeout;
  /** ms epoch when a waiting job's time condition (--begin, after:+min) next comes due */
  private nextTimed = Infinity;
  private stopped = false;
  private resolveStopped!: () => void;
  readonly done = new Promise<void>((r) => (this.resolveStopped = r));

  private readonly killInvalidDepend: boolean;
  private readonly clock: () => number;

  constructor(private readonly p: ControllerParts) {
    this.clock = p.clock ?? Date.now;
    this.killInvalidDepend = /(^|,)kill_invalid_depend(,|$)/.test(p.cluster.config.settings.get('schedulerparameters') ?? '');
  }

  async start(): Promise<void> {
    for (const [provider, driver] of Object.entries(this.p.drivers)) this.queues.set(provider, this.p.makeQueue((d) => this.launch(d), provider, driver.startLimit));
    await this.p.subscriber.subscribe(this.p.keys.wake);
    // every request is in Redis already: a message only says "look now"
    this.p.subscriber.on('message', (_ch: string, msg: string) => {
      const [what, id] = msg.split(' ');
      if (what === 'update' && id) this.records.delete(Number(id));
      if (what === 'shutdown') return this.shutdown();
      this.dirty = true;
      this.requestTick();
    });
    // a run ended: resources are free again
    const unwatch = Object.values(this.p.drivers).map((d) => d.watch((what) => {
      if (what?.started) this.lastCheck = 0;
      this.dirty = true;
      this.requestTick();
    }));
    this.unwatch = () => unwatch.forEach((u) => u());
    // Redis came back (restarted, or the connection dropped): what we cached may be stale; the
    // subscriber subscribes again by itself
    this.p.redis.on('ready', () => this.resync());
    // recovery: every running job is checked on the first tick
    this.lastCheck = 0;
    if (this.p.manual) return;
    this.timers.push(setInterval(() => this.requestTick(), 1000));
    this.timers.push(setInterval(() => void this.renew(), LEASE_MS / 3));
    this.requestTick();
    this.p.log(`controller ${this.p.id} leading cluster ${this.p.cluster.config.clusterName}`);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    if (this.later) clearTimeout(this.later);
    this.unwatch?.();
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
    await this.p.subscriber.quit().catch(() => undefined);
    await this.p.redis.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1], KEYS[2]) end return 0", 2,
      this.p.keys.controller, this.p.keys.controllerInfo, this.p.id).catch(() => undefined);
    await this.p.redis.quit().catch(() => undefined);
    this.resolveStopped();
  }

  private crash(point: CrashPoint): void {
    if (this.p.crashAt !== point) return;
    this.p.log(`FLOW_CRASH_AT=${point}: killing this controller`);
    process.kill(process.pid, 'SIGKILL');
  }

  /** scontrol shutdown, flow controller stop: the running jobs go on, their supervisors outlive us. */
  private shutdown(): void {
    if (this.stopped) return;
    this.p.log('shutdown requested; stopping');
    void this.stop();
  }

  private async renew(): Promise<void> {
    try {
      // a shutdown asked for while our subscriber was away
      if (Number(await this.p.redis.get(this.p.keys.shutdown)) >= this.p.startedAt) return this.shutdown();
      if (!(await this.p.scripts.lead(this.p.id, LEASE_MS))) {
        this.p.log('lost the controller lease; stopping');
        await this.stop();
      }
    } catch (e) {
      this.p.log(`lease renewal failed: ${(e as Error).message}`);
    }
  }

  /** Read everything again on the next pass, as after a start. */
  private resync(): void {
    this.p.log('Redis is back: reading the state again');
    this.records.clear();
    this.lastCheck = 0;
    this.dirty = true;
    this.requestTick();
  }

  /** One whole pass now (every check due), once any pass under way is over: for the decision-core tests. */
  async pass(): Promise<void> {
    while (this.ticking) await new Promise((r) => setTimeout(r, 1));
    this.lastCheck = 0;
    this.dirty = true;
    this.schedGap = 0;
    await this.tick();
  }

  private now(): number {
    return Math.floor(this.clock() / 1000);
  }

  requestTick(): void {
    if (this.stopped || this.p.manual) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = true;
    void (async () => {
      do {
        this.again = false;
        try {
          await this.tick();
        } catch (e) {
          this.p.log(`tick failed: ${e instanceof Error ? e.message : String(e)}`, e);
        }
      } while (this.again && !this.stopped);
      this.ticking = false;
    })();
  }

  private async tick(): Promise<void> {
    await this.collectEnds();
    await this.stopRuns();
    await this.deliverRequests();
    const t = this.clock();
    if (t - this.lastCheck > 3000) {
      this.lastCheck = t;
      await this.checkRunning();
    }
    // Like slurmctld: schedule on events, plus a periodic pass (sched_interval) that
    // also covers a wake message lost while the subscriber reconnected.
    if (this.dirty || t >= this.nextTimed || t - this.lastSchedule > SCHED_INTERVAL_MS) {
      // A pass reads every pending job: with a long queue and a stream of
      // submissions, back-to-back passes would keep Redis busy. Passes are
      // spaced by a few times their own duration (Slurm's sched_min_interval).
      const wait = this.lastSchedule + this.schedGap - t;
      if (wait > 0) {
        this.later ??= setTimeout(() => {
          this.later = undefined;
          this.requestTick();
        }, wait);
      } else {
        this.dirty = false;
        const began = Date.now();
        this.lastSchedule = t;
        await this.scheduleOnce();
        this.schedGap = Math.min(500, 2 * (Date.now() - began));
      }
    }
    if (t - this.lastPurge > 10_000) {
      this.lastPurge = t;
      await this.purge();
    }
  }

  private async getJob(id: number): Promise<StoredJob | undefined> {
    return fromFields(await this.p.redis.hmget(this.p.keys.job(id), ...JOB_FIELDS));
  }

  /** The job's current run, as its driver knows it. */
  private refOf(job: StoredJob): RunRef {
    return this.ref(job.record.jobId, job.run, job.sup, providerOf(job.record), !!job.record.interactive);
  }

  private ref(jobId: number, run: number, handle: string, provider: string, interactive = false): RunRef {
    return { name: runName(this.p.cluster.config.clusterName, jobId, run), jobId, run, handle, provider, interactive };
  }

  /** The run's driver: undefined for a provider this controller has none for. */
  private driver(ref: RunRef): Driver | undefined {
    return Object.hasOwn(this.p.drivers, ref.provider) ? this.p.drivers[ref.provider] : undefined;
  }

  /** The run's end is recorded (or it never ran): its driver forgets it, and no stop waits on it. */
  private async forget(ref: RunRef): Promise<void> {
    this.driver(ref)?.forget(ref);
    await this.p.redis.hdel(this.p.keys.stops, `${ref.jobId}.${ref.run}`);
  }

  private killWait(): number {
    return Number(this.p.cluster.config.settings.get('killwait') ?? 30) * this.p.timeScale;
  }

  // ---- ends ------------------------------------------------------------

  private async collectEnds(): Promise<void> {
    for (const [provider, driver] of Object.entries(this.p.drivers)) {
      for (const e of await driver.ended((id) => this.getJob(id))) {
        const job = await this.getJob(e.jobId);
        // only the current run's end counts (a requeued job's earlier run ends without changing it)
        if (job && job.run === e.run) {
          const f = e.limit === 'cost'
            ? { ...finalState(e.exit, false, true, e.signal), reason: 'MaxCostReached' }
            : finalState(e.exit, e.timedOut, job.cancelBy !== '', e.signal);
          await this.p.scripts.finish(e.jobId, e.run, f.state, f.reason, f.exit, e.end);
        }
        await this.forget(job && job.run === e.run ? this.refOf(job) : this.ref(e.jobId, e.run, '', provider));
      }
    }
  }

  /** A run gone without saying how it ended: what the job becomes. */
  private lostState(job: StoredJob, status: LostStatus): { state: string; reason: string; exit: string } {
    if (status.timedOut) return finalState(137, true, false);
    if (job.cancelBy) return finalState(137, false, true);
    if (status.reason === 'preempted') return { state: 'PREEMPTED', reason: 'None', exit: '0:0' };
    return { state: 'NODE_FAIL', reason: 'NodeDown', exit: '0:0' };
  }

  /**
   * Record a lost run. A requeueable batch job lost to a preemption or a
   * failed node goes back to PENDING under the same id, as slurmctld requeues
   * it (the run shows in sacct -D with that state); any other job ends so.
   */
  private async recordLost(job: StoredJob, status: LostStatus): Promise<string> {
    const f = this.lostState(job, status);
    const jobId = job.record.jobId;
    if ((f.state === 'PREEMPTED' || f.state === 'NODE_FAIL') && (job.state === 'RUNNING' || job.state === 'CONFIGURING') && job.record.requeue && !job.record.interactive) {
      const t = this.now();
      const r = await this.p.scripts.requeue(jobId, t, t + requeueDelay(this.p.timeScale), { ...pastRun(job, t), state: f.state }, { uid: 0, any: true });
      if (r === RequeueResult.WasRunning) return `${f.state}, requeued`;
    }
    await this.p.scripts.finish(jobId, job.run, f.state, f.reason, f.exit, this.now());
    return f.state;
  }

  // ---- desired state: runs to stop, requests to deliver --------------------------

  /**
   * Every run in the stops hash (scancel, scontrol requeue, a start that lost
   * its race) is asked to stop on every pass until its end is recorded; the
   * driver escalates after KillWait. A request made while no controller ran
   * is here all the same.
   */
  private async stopRuns(): Promise<void> {
    const stops = await this.p.redis.hgetall(this.p.keys.stops);
    for (const [field, value] of Object.entries(stops)) {
      const [jobId, run] = field.split('.').map(Number) as [number, number];
      const [kind = '', arg = ''] = value.split(' ');
      const job = await this.getJob(jobId);
      const orphan = kind === 'orphan';
      const live = !!job && job.run === run && (holding(job.state) || job.state === 'PENDING' || job.state === 'SPECIAL_EXIT');
      // ended and recorded (salloc ends its cancelled job itself, and then waits for its command)
      if (!orphan && !live) {
        await this.p.redis.hdel(this.p.keys.stops, field);
        continue;
      }
      const ref: RunRef = orphan || !job ? this.ref(jobId, run, arg, providerOf(job?.record)) : this.refOf(job);
      const driver = this.driver(ref);
      if (!driver) continue;
      const status = await driver.inspect(ref);
      const why: StopWhy = kind === 'requeue' ? { kind: 'requeue' } : { kind: 'cancel', by: orphan ? '' : arg };
      if (status.kind === 'ended') continue; // collected on the next pass
      if (status.kind === 'running' || status.kind === 'configuring') {
        if (status.kind === 'running' && status.handle && !ref.handle) {
          // started by a controller that died before recording so
          await this.p.scripts.launched(jobId, run, status.handle);
          ref.handle = status.handle;
        }
        await driver.stop(ref, why, this.killWait());
        continue;
      }
      if (status.kind === 'none') {
        // nothing started, and nothing will: give the queue's own launch a moment, which sees the cancel itself
        if (!orphan && job?.state === 'COMPLETING') {
          if (this.now() - job.start < 2) continue;
          await this.p.scripts.finish(jobId, run, 'CANCELLED', 'None', '0:15', this.now());
        }
        await this.forget(ref);
        continue;
      }
      if (!orphan && job && holding(job.state)) await this.recordLost(job, status);
      await this.forget(ref);
    }
  }

  /** scancel --signal and scancel N.S, as queued with the job: delivered to the run they were asked for. */
  private async deliverRequests(): Promise<void> {
    const requests = await this.p.redis.lrange(this.p.keys.requests, 0, 99);
    if (requests.length === 0) return;
    for (const request of requests) {
      const [what, id, a, b, c] = request.split(' ');
      const job = await this.getJob(Number(id));
      if (!job || job.state !== 'RUNNING' || !job.sup) continue;
      const ref = this.refOf(job);
      if (what === 'signal' && job.run === Number(a)) this.driver(ref)?.signal(ref, Number(b), c as SignalTarget);
      if (what === 'stepcancel') {
        const json = await this.p.redis.hget(this.p.keys.job(job.record.jobId), 'steps');
        const steps = json ? (JSON.parse(json) as StepRecord[] | Record<string, never>) : [];
        const step = Array.isArray(steps) ? steps.find((st) => st.id === Number(a) && st.end === 0) : undefined;
        if (step) this.driver(ref)?.cancelStep(step);
      }
    }
    await this.p.redis.ltrim(this.p.keys.requests, requests.length, -1);
  }

  // ---- supervision and recovery ------------------------------------------------

  private async checkRunning(): Promise<void> {
    const ids = (await this.p.redis.smembers(this.p.keys.running)).map(Number);
    for (const jobId of ids) {
      const job = await this.getJob(jobId);
      if (!job || !holding(job.state)) continue;
      const ref = this.refOf(job);
      const driver = this.driver(ref);
      if (!driver) continue; // launch() ends it
      const status = await driver.inspect(ref);
      if (status.kind === 'running') {
        // started, but the controller that started it went before recording so
        if (status.handle && !job.sup) await this.p.scripts.launched(jobId, job.run, status.handle);
        // its nodes are up: CONFIGURING ends
        if (job.state === 'CONFIGURING') await this.p.scripts.started(jobId, job.run, this.now());
      } else if (status.kind === 'configuring' && job.state === 'CONFIGURING' && (status.waiting ?? 'None') !== job.reason) {
        // a bid that waits at auction shows in the job's reason (and the job shows PENDING), until it wins
        await this.p.scripts.bidReason(jobId, job.run, status.waiting ?? 'None');
      } else if (status.kind === 'lost') {
        const became = await this.recordLost(job, status);
        this.p.log(`job ${jobId} run ${job.run}: ${status.reason === 'preempted' ? 'preempted' : job.sup ? 'gone without an end record' : 'start never completed'} -> ${became}`);
        await this.forget(ref);
      } else if (status.kind === 'none' && this.now() - job.start >= 2) {
        // allocated, but its start never began (the controller that allocated it died, or its
        // queued start is held by a dead worker's lock), or began in a controller that died
        this.p.log(`job ${jobId} run ${job.run}: launch interrupted; launching again`);
        await this.launch({ jobId, run: job.run });
      }
    }
  }

  /** The dispatch queue's worker: start one run of one job, at most once. */
  private async launch(d: LaunchData): Promise<void> {
    const job = await this.getJob(d.jobId);
    if (!job || job.run !== d.run || job.sup !== '' || !holding(job.state)) return;
    if (job.cancelBy !== '') {
      await this.p.scripts.finish(d.jobId, d.run, 'CANCELLED', 'None', '0:15', this.now());
      await this.p.redis.hdel(this.p.keys.stops, `${d.jobId}.${d.run}`);
      return;
    }
    const ref = this.refOf(job);
    const driver = this.driver(ref);
    if (!driver) {
      // submit refuses a provider without a driver; a cluster whose configuration changed since may meet one
      this.p.log(`job ${d.jobId}: no driver for provider ${ref.provider}`);
      await this.p.scripts.finish(d.jobId, d.run, 'FAILED', 'JobLaunchFailure', '0:53', this.now());
      await this.forget(ref);
      return;
    }
    const [script, env] = job.record.interactive ? [null, null] : await Promise.all([
      this.p.redis.getBuffer(this.p.keys.script(d.jobId)),
      this.p.redis.get(this.p.keys.env(d.jobId)),
    ]);
    const result = await driver.start(job, ref, {
      cluster: this.p.cluster,
      script: script ?? Buffer.from('#!/bin/sh\n'),
      submitEnv: env ? (JSON.parse(env) as Record<string, string>) : {},
      controllerHost: hostname().split('.')[0]!,
      controllerId: this.p.id,
      checkpoint: (point) => this.crash(point),
    });
    if (!result.ok) {
      this.p.log(`job ${d.jobId}: launch failed: ${result.message}`);
      await this.p.scripts.finish(d.jobId, d.run, 'FAILED', result.reason, '0:53', this.now());
      await this.forget(ref);
      return;
    }
    if (result.handle === '') return; // another start of this run is under way
    // a scancel or requeue that came while the run started is in the stops hash: the next pass stops it
    const recorded = await this.p.scripts.launched(d.jobId, d.run, result.handle);
    if (recorded === 1 && job.state === 'CONFIGURING' && (await driver.inspect({ ...ref, handle: result.handle })).kind === 'running') {
      await this.p.scripts.started(d.jobId, d.run, this.now());
    }
    if (recorded === 0) {
      // the run ended or moved on while it started: what was started must not stay
      const after = await this.getJob(d.jobId);
      if (after?.run !== d.run || after.sup !== result.handle) {
        await this.p.redis.hsetnx(this.p.keys.stops, `${d.jobId}.${d.run}`, `orphan ${result.handle}`);
      }
    }
    this.requestTick();
  }

  // ---- scheduling ------------------------------------------------------------

  private async recordsOf(ids: number[]): Promise<void> {
    const missing = ids.filter((id) => !this.records.has(id));
    if (missing.length === 0) return;
    const pipe = this.p.redis.pipeline();
    for (const id of missing) pipe.hmget(this.p.keys.job(id), 'record', 'rv');
    const res = (await pipe.exec()) ?? [];
    missing.forEach((id, i) => {
      const [v, rv] = (res[i]?.[1] ?? []) as (string | null)[];
      if (!v) return;
      this.records.set(id, JSON.parse(v) as JobRecord);
      this.recordVersions.set(id, rv ?? '');
    });
  }

  private async scheduleOnce(): Promise<void> {
    const k = this.p.keys;
    const [pendingIds, runningIds] = await Promise.all([
      this.p.redis.zrange(k.pending, 0, -1).then((xs) => xs.map(Number)),
      this.p.redis.smembers(k.running).then((xs) => xs.map(Number)),
    ]);
    await this.recordsOf([...pendingIds, ...runningIds]);

    const pipe = this.p.redis.pipeline();
    for (const id of pendingIds) pipe.hmget(k.job(id), 'state', 'held', 'priority', 'eligible', 'reason', 'dependency', 'tasks', 'rv');
    for (const id of runningIds) pipe.hmget(k.job(id), 'alloc', 'rv');
    const res = (await pipe.exec()) ?? [];
    // a record changed by scontrol update whose wake message this controller missed: read it again
    const stale = [...pendingIds, ...runningIds].filter((id, i) => {
      const v = res[i]?.[1] as (string | null)[] | null;
      const rv = v?.[i < pendingIds.length ? 7 : 1] ?? '';
      return this.records.has(id) && this.recordVersions.get(id) !== rv;
    });
    for (const id of stale) this.records.delete(id);
    await this.recordsOf(stale);

    const used = new Map<string, NodeUse>();
    runningIds.forEach((id, i) => {
      const alloc = (res[pendingIds.length + i]?.[1] as (string | null)[] | null)?.[0];
      const rec = this.records.get(id);
      if (alloc) addUse(used, JSON.parse(alloc), rec?.oversubscribe === 'NO');
    });

    const t = this.now();
    const lookup: DependencyLookup = new Map();
    // singleton: the first job of a user and name goes; later ones wait while it runs or waits
    const firstOf = new Map<string, number>();
    const busy = new Set<string>();
    // tasks of each array holding resources, for the %N throttle
    const activeTasks = new Map<number, number>();
    for (const id of runningIds) {
      const r = this.records.get(id);
      if (r) busy.add(`${r.userId}/${r.name}`);
      if (r?.arrayJobId !== undefined) activeTasks.set(r.arrayJobId, (activeTasks.get(r.arrayJobId) ?? 0) + 1);
    }
    // held jobs are not in the queue but still count: the first alive job of a name goes first
    const singletons = pendingIds.some((id) => this.records.get(id)?.dependency?.includes('singleton'));
    const alive = singletons ? (await this.p.redis.zrangebyscore(k.active, 0, 0)).map(Number) : [];
    await this.recordsOf(alive);
    for (const id of [...alive, ...pendingIds].sort((a, b) => a - b)) {
      const r = this.records.get(id);
      if (r && !runningIds.includes(id) && !firstOf.has(`${r.userId}/${r.name}`)) firstOf.set(`${r.userId}/${r.name}`, id);
    }
    this.nextTimed = Infinity;
    const pending: PendingJob[] = [];
    const current = new Map<number, { reason: string; dep: string }>();
    const depText = new Map<number, string>();
    const becameEligible: [number, string, string, number][] = [];
    const dependencyHeld = new Set<number>();
    for (let i = 0; i < pendingIds.length; i++) {
      const id = pendingIds[i]!;
      const v = res[i]?.[1] as (string | null)[] | null;
      const record = this.records.get(id);
      if (!v || v[0] !== 'PENDING' || !record) continue;
      current.set(id, { reason: v[4] ?? '', dep: v[5] ?? '' });
      if (record.dependency && v[1] !== '') dependencyHeld.add(id);
      let dependency: PendingJob['dependency'] = dependencyHeld.has(id) ? 'waiting' : 'none';
      let taskDependency: PendingJob['taskDependency'];
      // a held job keeps the dependency text it was submitted with until it is released
      if (record.dependency && v[1] === '') {
        await loadReferenced(record, this.p.redis, k, lookup);
        const key = `${record.userId}/${record.name}`;
        const blocked = busy.has(key) || (firstOf.get(key) ?? id) < id;
        const find = (jid: number) => lookup.get(jid) ?? null;
        const d = evaluate(record, find, blocked, t, record.arrayTaskId);
        dependency = d.verdict;
        depText.set(id, d.text ?? '');
        if (d.verdict === 'never' && (record.killOnInvalidDep || this.killInvalidDepend)) {
          // --kill-on-invalid-dep (or SchedulerParameters=kill_invalid_depend): cancelled at once,
          // showing why (and, as Slurm shows it, priority 4294967294)
          await this.p.scripts.setReasons(t, [[id, 'DependencyNeverSatisfied', d.text ?? '', '']]);
          await this.p.scripts.cancel(id, { uid: record.userId, any: true }, t, 'DependencyNeverSatisfied', '4294967294');
          continue;
        }
        // aftercorr: each pending task of an array waits for its partner task only
        if (v[6] && record.dependency.includes('aftercorr')) {
          taskDependency = (task: number) => evaluate(record, find, blocked, t, task).verdict;
          dependency = 'none';
        }
      }
      let eligible = Number(v[3] ?? 0);
      // eligible from the pass that finds it free to run: released, dependency satisfied (Slurm
      // shows EligibleTime=Unknown until then)
      if (eligible === 0 && v[1] === '' && (dependency === 'none' || dependency === 'satisfied')) {
        eligible = Math.max(t, record.beginTime ?? 0);
        becameEligible.push([id, v[4] ?? '', depText.get(id) ?? v[5] ?? '', eligible]);
      }
      if (eligible > t) this.nextTimed = Math.min(this.nextTimed, eligible * 1000);
      // after:job+minutes turns true with time alone: look again each second while one waits
      if (dependency === 'waiting' && record.dependency?.includes('+')) this.nextTimed = Math.min(this.nextTimed, (t + 1) * 1000);
      pending.push({
        id,
        record,
        held: (v[1] ?? '') as PendingJob['held'],
        priority: Number(v[2] ?? 0),
        eligible,
        dependency,
        ...(v[6] ? { tasks: parseTasks(v[6]), activeTasks: activeTasks.get(id) ?? 0, taskDependency } : {}),
      });
    }
    for (let i = 0; i < becameEligible.length; i += 500) await this.p.scripts.setReasons(t, becameEligible.slice(i, i + 500));
    if (pending.length === 0) return;

    const plan = schedule({ now: t, cluster: this.p.cluster.config, used, pending });
    if (plan.recheck !== undefined) this.nextTimed = Math.min(this.nextTimed, plan.recheck * 1000);
    for (const s of plan.starts) {
      const jobId = s.task === undefined ? s.jobId : await this.splitForStart(s.jobId, s.task);
      if (jobId === undefined) continue;
      if (s.task !== undefined) this.crash('after-split');
      const nodes = compressHostlist(s.alloc.map((a) => a.node));
      const cpus = s.alloc.reduce((n, a) => n + a.cpus, 0);
      const record = this.records.get(jobId);
      const moved = record && record.partition !== s.partition
        ? { name: s.partition, from: `"partition":${JSON.stringify(record.partition)}`, to: `"partition":${JSON.stringify(s.partition)}` }
        : undefined;
      const provider = providerOf(record);
      // a provider whose nodes power up first shows the job CONFIGURING until its run has started
      const state = Object.hasOwn(this.p.drivers, provider) && this.p.drivers[provider]!.configures ? 'CONFIGURING' : 'RUNNING';
      const run = await this.p.scripts.allocate(jobId, nodes, JSON.stringify(s.alloc), s.alloc[0]!.node, t, cpus, s.alloc.length, moved, state);
      this.crash('after-allocate');
      if (moved && record) this.records.set(jobId, { ...record, partition: s.partition });
      // run < 0: no longer pending, held, or its last run is still being stopped (a requeue): not now
      if (run <= 0) continue;
      const queue = this.queues.get(provider);
      // no driver for its provider: launch() fails it at once
      await (queue ? queue.add({ jobId, run }) : this.launch({ jobId, run }));
      this.dirty = true; // a start may satisfy after: dependencies
    }
    const changed: [number, string, string, ''][] = [];
    for (const [id, reason] of plan.reasons) {
      const dep = depText.get(id) ?? current.get(id)?.dep ?? '';
      if (current.get(id)?.reason !== reason || current.get(id)?.dep !== dep) changed.push([id, reason, dep, '']);
    }
    for (let i = 0; i < changed.length; i += 500) await this.p.scripts.setReasons(t, changed.slice(i, i + 500));
  }

  /** An array task the scheduler chose becomes a job of its own; its id, or undefined if the array changed meanwhile. */
  private async splitForStart(arrayJobId: number, task: number): Promise<number | undefined> {
    const array = await this.getJob(arrayJobId);
    if (!array || array.state !== 'PENDING' || !hasTask(parseTasks(array.tasks), task)) return undefined;
    const id = await splitTask(this.p.scripts, array, task, { mode: 'start' }, this.p.cluster.config.firstJobId);
    if (id !== undefined) this.records.set(id, { ...array.record, jobId: id, arrayTaskId: task });
    return id;
  }

  // ---- MinJobAge ---------------------------------------------------------------

  private async purge(): Promise<void> {
    const k = this.p.keys;
    const cutoff = this.now() - this.p.cluster.config.minJobAge;
    const old = (await this.p.redis.zrangebyscore(k.active, 1, cutoff)).map(Number);
    if (old.length === 0) return;
    const pipe = this.p.redis.pipeline();
    for (const id of old) {
      pipe.zrem(k.active, id);
      pipe.del(k.script(id), k.env(id));
      this.records.delete(id);
      this.recordVersions.delete(id);
    }
    await pipe.exec();
    for (let i = 0; i < old.length; i += 500) await this.p.scripts.unlist(old.slice(i, i + 500));
  }
}
