/**
 * The controller: the slurmctld stand-in. One per cluster leads (a lease key
 * in Redis); it collects the ends of jobs, passes cancellations to their
 * supervisors, asks the scheduler for a plan and carries it out, and hands
 * launches to the BullMQ dispatch queue. It keeps no state of its own that
 * Redis and the spool do not have, so it can be killed and restarted anytime.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { Cluster } from '../cluster/load.js';
import { hasTask, parseTasks } from '../spec/array-tasks.js';
import type { JobRecord } from '../spec/job.js';
import { compressHostlist } from '../spec/values/index.js';
import type { Provider, SignalTarget } from '../providers/provider.js';
import { endFile, ensureEndsDir, runDir, writtenByOwner } from '../providers/local/local.js';
import { splitTask } from './array-split.js';
import type { Keys } from './keys.js';
import { addUse, schedule, type NodeUse, type PendingJob } from './scheduler.js';
import type { Scripts } from './scripts.js';
import { FINAL_STATES, fromFields, JOB_FIELDS, type StepRecord, type StoredJob } from './state.js';
import { evaluate, loadReferenced, type DependencyLookup } from './dependencies.js';
import { holderDead, LEASE_MS } from './holder.js';
import type { LaunchData, LaunchQueue } from './worker.js';

export interface ControllerParts {
  cluster: Cluster;
  redis: Redis;
  subscriber: Redis;
  keys: Keys;
  scripts: Scripts;
  provider: Provider;
  spoolDir: string;
  id: string;
  /** one line; `error`: the exception behind it (its stack is logged only with FLOW_DEBUG=1) */
  log: (line: string, error?: unknown) => void;
  /** <1 shortens KillWait for tests (see LocalProvider) */
  timeScale: number;
  makeQueue: (launch: (d: LaunchData) => Promise<void>) => LaunchQueue;
  /**
   * Fault injection for the chaos tests (FLOW_CRASH_AT): the controller kills
   * itself with SIGKILL when it reaches this point, as `kill -9` would there.
   */
  crashAt?: CrashPoint;
  /** when this controller's process started (ms epoch): a shutdown asked for after it stops it */
  startedAt: number;
}

/** Points between two steps that a crash must not break (see test/e2e/liveness.test.ts). */
export type CrashPoint = 'after-split' | 'after-allocate' | 'launch-claimed' | 'launch-spawned';

const SCHED_INTERVAL_MS = 15_000;
const now = () => Math.floor(Date.now() / 1000);

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
  private readonly cancels = new Set<number>();
  /** requeued jobs whose run (the value) must be killed */
  private readonly requeues = new Map<number, number>();
  /** runs sent SIGTERM: when to send SIGKILL, and to what */
  private readonly signaled = new Map<number, { deadline: number; job: StoredJob }>();
  private readonly endsDir: string;
  private queue!: LaunchQueue;
  private watcher?: FSWatcher;
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
  /** at start and after Redis came back: look for cancels and requeues whose messages were lost */
  private reconcile = true;
  private resolveStopped!: () => void;
  readonly done = new Promise<void>((r) => (this.resolveStopped = r));

  private readonly killInvalidDepend: boolean;

  constructor(private readonly p: ControllerParts) {
    this.endsDir = join(p.spoolDir, 'ends');
    this.killInvalidDepend = /(^|,)kill_invalid_depend(,|$)/.test(p.cluster.config.settings.get('schedulerparameters') ?? '');
  }

  async start(): Promise<void> {
    ensureEndsDir(this.endsDir);
    this.queue = this.p.makeQueue((d) => this.launch(d));
    await this.p.subscriber.subscribe(this.p.keys.wake);
    this.p.subscriber.on('message', (_ch: string, msg: string) => {
      const [what, id, sig, batch, full] = msg.split(' ');
      if (what === 'cancel' && id) this.cancels.add(Number(id));
      if (what === 'requeue' && id) this.requeues.set(Number(id), Number(sig));
      if (what === 'update' && id) this.records.delete(Number(id));
      if (what === 'signal' && id) void this.deliver(Number(id), Number(sig), batch === '1' ? 'batch' : full === '1' ? 'all' : 'steps');
      if (what === 'stepcancel' && id) void this.cancelStep(Number(id), Number(sig));
      if (what === 'shutdown') return this.shutdown();
      this.dirty = true;
      this.requestTick();
    });
    this.watcher = watch(this.endsDir, (_event, name) => {
      // an end record (not a supervisor's pid or child file): resources are free again
      if (name && !/^\d+\.\d+$/.test(String(name))) return;
      this.dirty = true;
      this.requestTick();
    });
    // Redis came back (restarted, or the connection dropped): what we cached may be stale, and
    // messages sent meanwhile are lost; the subscriber subscribes again by itself
    this.p.redis.on('ready', () => this.resync());
    this.timers.push(setInterval(() => this.requestTick(), 1000));
    this.timers.push(setInterval(() => void this.renew(), LEASE_MS / 3));
    // recovery: every running job is checked on the first tick
    this.lastCheck = 0;
    this.requestTick();
    this.p.log(`controller ${this.p.id} leading cluster ${this.p.cluster.config.clusterName}`);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    if (this.later) clearTimeout(this.later);
    this.watcher?.close();
    await this.queue.close().catch(() => undefined);
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
    this.reconcile = true;
    this.dirty = true;
    this.requestTick();
  }

  requestTick(): void {
    if (this.stopped) return;
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
    await this.handleCancels();
    const t = Date.now();
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
        this.lastSchedule = began;
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

  // ---- ends ------------------------------------------------------------

  private async collectEnds(): Promise<void> {
    let names: string[];
    try {
      names = readdirSync(this.endsDir);
    } catch {
      return;
    }
    for (const name of names) {
      const m = /^(\d+)\.(\d+)$/.exec(name);
      if (!m) continue;
      const jobId = Number(m[1]);
      const run = Number(m[2]);
      const file = join(this.endsDir, name);
      const owner = await this.getJob(jobId);
      // another user's forgery of this job's end is not believed (the ends directory is shared)
      if (owner && !writtenByOwner(file, owner)) {
        rmSync(file, { force: true });
        continue;
      }
      const text = readFileSync(file, 'utf8');
      const rc = Number(/rc=(\d+)/.exec(text)?.[1] ?? '1');
      const end = Number(/end=(\d+)/.exec(text)?.[1] ?? now());
      const sig = /sig=(\d+)/.exec(text)?.[1];
      const job = await this.getJob(jobId);
      if (job && job.run === run) {
        const f = finalState(rc, existsSync(`${file}.timeout`), job.cancelBy !== '', sig === undefined ? undefined : Number(sig));
        await this.p.scripts.finish(jobId, run, f.state, f.reason, f.exit, end);
      }
      this.cleanupRun(jobId, run);
    }
  }

  private cleanupRun(jobId: number, run: number): void {
    const file = endFile(this.p.spoolDir, jobId, run);
    for (const suffix of ['', '.child', '.timeout', '.cancel', '.tmp', '.sig', '.pid', '.pid.tmp']) rmSync(`${file}${suffix}`, { force: true });
    rmSync(runDir(this.p.spoolDir, jobId, run), { recursive: true, force: true });
    this.signaled.delete(jobId);
  }

  // ---- cancellation ---------------------------------------------------------

  private async handleCancels(): Promise<void> {
    const killWait = Number(this.p.cluster.config.settings.get('killwait') ?? 30);
    for (const jobId of [...this.cancels]) {
      this.cancels.delete(jobId);
      const job = await this.getJob(jobId);
      if (!job || job.cancelBy === '' || (job.state !== 'RUNNING' && job.state !== 'COMPLETING')) continue;
      if (!job.sup) continue; // not launched yet: the launch sees the cancel and ends it
      writeFileSync(`${endFile(this.p.spoolDir, jobId, job.run)}.cancel`, job.cancelBy);
      this.p.provider.end(job);
      this.signaled.set(jobId, { deadline: Date.now() + killWait * 1000 * this.p.timeScale, job });
    }
    for (const [jobId, run] of [...this.requeues]) {
      this.requeues.delete(jobId);
      const job = await this.getJob(jobId);
      if (!job?.sup || job.run !== run) continue; // never launched, or already gone
      writeFileSync(`${endFile(this.p.spoolDir, jobId, run)}.cancel`, 'requeue');
      this.p.provider.end(job);
      this.signaled.set(jobId, { deadline: Date.now() + killWait * 1000 * this.p.timeScale, job });
    }
    for (const [jobId, { deadline, job }] of this.signaled) {
      if (Date.now() < deadline) continue;
      this.signaled.delete(jobId);
      // salloc ends its cancelled job itself and then waits for its command, as long as that takes
      if (job.record.interactive && FINAL_STATES.has((await this.getJob(jobId))?.state ?? '')) continue;
      // the run that was sent SIGTERM, if it still lives (the job itself may be pending again after a requeue)
      if (this.p.provider.alive(job)) this.p.provider.signal(job, 'SIGKILL', 'all', this.p.spoolDir);
    }
  }

  /** scancel N.S (the step is marked cancelled): its srun ends it. */
  private async cancelStep(jobId: number, stepId: number): Promise<void> {
    const json = await this.p.redis.hget(this.p.keys.job(jobId), 'steps');
    const steps = json ? (JSON.parse(json) as StepRecord[] | Record<string, never>) : [];
    const step = Array.isArray(steps) ? steps.find((st) => st.id === stepId && st.end === 0) : undefined;
    if (step) this.p.provider.cancelStep(step);
  }

  /** scancel --signal: to the running job's processes. */
  private async deliver(jobId: number, signal: number, target: SignalTarget): Promise<void> {
    const job = await this.getJob(jobId);
    if (job && job.state === 'RUNNING' && job.sup) this.p.provider.signal(job, signal, target, this.p.spoolDir);
  }

  // ---- supervision and recovery ------------------------------------------------

  private async checkRunning(): Promise<void> {
    const ids = (await this.p.redis.smembers(this.p.keys.running)).map(Number);
    const reconcile = this.reconcile;
    if (reconcile) await this.requeuedRuns();
    for (const jobId of ids) {
      const job = await this.getJob(jobId);
      if (!job || (job.state !== 'RUNNING' && job.state !== 'COMPLETING')) continue;
      const file = endFile(this.p.spoolDir, jobId, job.run);
      // cancelled while no controller listened (a controller that passed it on left the marker)
      if (reconcile && job.cancelBy && job.sup && !this.signaled.has(jobId) && !existsSync(`${file}.cancel`)) this.cancels.add(jobId);
      if (existsSync(file)) continue; // collected on the next pass
      if (job.sup) {
        if (this.p.provider.alive(job)) continue;
        const timedOut = existsSync(`${file}.timeout`);
        const f = timedOut ? finalState(137, true, false)
          : job.cancelBy ? finalState(137, false, true)
            : { state: 'NODE_FAIL', reason: 'NodeDown', exit: '0:0' };
        this.p.log(`job ${jobId} run ${job.run}: supervisor gone without an end record -> ${f.state}`);
        await this.p.scripts.finish(jobId, job.run, f.state, f.reason, f.exit, now());
        this.cleanupRun(jobId, job.run);
        continue;
      }
      const supervisor = this.supervisorOf(jobId, job.run);
      if (supervisor) {
        // launched, but the controller that launched it went before recording so
        await this.p.scripts.launched(jobId, job.run, supervisor);
        continue;
      }
      const verdict = this.unfinishedLaunch(jobId, job);
      if (verdict === 'again') {
        this.p.log(`job ${jobId} run ${job.run}: launch interrupted; launching again`);
        rmSync(runDir(this.p.spoolDir, jobId, job.run), { recursive: true, force: true });
        await this.launch({ jobId, run: job.run });
      } else if (verdict === 'failed') {
        this.p.log(`job ${jobId} run ${job.run}: launch never completed -> NODE_FAIL`);
        await this.p.scripts.finish(jobId, job.run, 'NODE_FAIL', 'NodeDown', '0:0', now());
        this.cleanupRun(jobId, job.run);
      }
    }
  }

  /** Runs still going whose job was requeued while no controller listened: they are ended as a requeue ends them. */
  private async requeuedRuns(): Promise<void> {
    let names: string[];
    try {
      names = readdirSync(this.p.spoolDir);
    } catch {
      names = [];
    }
    for (const name of names) {
      const m = /^job(\d+)\.(\d+)$/.exec(name);
      if (!m) continue;
      const [jobId, run] = [Number(m[1]), Number(m[2])];
      const job = await this.getJob(jobId);
      if (job?.state === 'PENDING' && job.run === run && job.sup && !this.signaled.has(jobId) && !existsSync(`${endFile(this.p.spoolDir, jobId, run)}.cancel`)
        && this.p.provider.alive(job)) this.requeues.set(jobId, run);
    }
    this.reconcile = false;
  }

  /** The supervisor's pid, as the launching controller or the supervisor itself recorded it. */
  private supervisorOf(jobId: number, run: number): string | undefined {
    for (const file of [join(runDir(this.p.spoolDir, jobId, run), 'sup.pid'), `${endFile(this.p.spoolDir, jobId, run)}.pid`]) {
      try {
        const pid = readFileSync(file, 'utf8').trim();
        if (/^\d+$/.test(pid)) return pid;
      } catch {
        // not there
      }
    }
    return undefined;
  }

  /**
   * A run allocated but not launched: is its launch under way, or will it
   * never finish? Never begun (the controller that allocated it died, or its
   * queued launch is held by a dead worker's lock), or begun by a controller
   * that died before the supervisor started: launch again. A supervisor
   * writes its pid first thing, within milliseconds of its start, so a claim
   * a few seconds old without one never got a supervisor, and launching
   * again cannot run the job twice. One that stays stuck fails the run.
   */
  private unfinishedLaunch(jobId: number, job: StoredJob): 'wait' | 'again' | 'failed' {
    const dir = runDir(this.p.spoolDir, jobId, job.run);
    let age: number;
    try {
      age = Date.now() - statSync(dir).mtimeMs;
    } catch {
      // not claimed: give the queue's own launch a moment first
      return now() - job.start >= 2 ? 'again' : 'wait';
    }
    let launcher = '';
    try {
      launcher = readFileSync(join(dir, 'launcher'), 'utf8');
    } catch {
      // claimed by a controller that died before it said so
    }
    if (age < 3000) return 'wait';
    if (launcher === '' || (launcher !== this.p.id && holderDead(launcher))) return 'again';
    return age > 30_000 ? 'failed' : 'wait';
  }

  /** The dispatch queue's worker: start one run of one job, at most once. */
  private async launch(d: LaunchData): Promise<void> {
    const job = await this.getJob(d.jobId);
    if (!job || job.run !== d.run || job.sup !== '' || (job.state !== 'RUNNING' && job.state !== 'COMPLETING')) return;
    if (job.cancelBy !== '') {
      await this.p.scripts.finish(d.jobId, d.run, 'CANCELLED', 'None', '0:15', now());
      return;
    }
    // srun's own allocation: srun runs the steps; its process stands for the job
    if (job.record.interactive) {
      await this.p.scripts.launched(d.jobId, d.run, String(job.record.interactive.pid));
      return;
    }
    const dir = runDir(this.p.spoolDir, d.jobId, d.run);
    try {
      mkdirSync(dir); // the claim: a second launch of this run stops here
    } catch {
      return;
    }
    writeFileSync(join(dir, 'launcher'), this.p.id);
    this.crash('launch-claimed');
    const [script, env] = await Promise.all([
      this.p.redis.getBuffer(this.p.keys.script(d.jobId)),
      this.p.redis.get(this.p.keys.env(d.jobId)),
    ]);
    const result = await this.p.provider.start(job, {
      cluster: this.p.cluster,
      spoolDir: this.p.spoolDir,
      script: script ?? Buffer.from('#!/bin/sh\n'),
      submitEnv: env ? (JSON.parse(env) as Record<string, string>) : {},
      controllerHost: hostname().split('.')[0]!,
    });
    this.crash('launch-spawned');
    if (!result.ok) {
      this.p.log(`job ${d.jobId}: launch failed: ${result.message}`);
      await this.p.scripts.finish(d.jobId, d.run, 'FAILED', result.reason, '0:53', now());
      this.cleanupRun(d.jobId, d.run);
      return;
    }
    writeFileSync(join(dir, 'sup.pid'), result.supervisor);
    // a scancel or requeue that came while the run started found no supervisor to end: end it now
    const recorded = await this.p.scripts.launched(d.jobId, d.run, result.supervisor);
    if (recorded === 2) this.cancels.add(d.jobId);
    if (recorded === 3) this.requeues.set(d.jobId, d.run);
    if (recorded >= 2) this.requestTick();
  }

  // ---- scheduling ------------------------------------------------------------

  private async recordsOf(ids: number[]): Promise<void> {
    const missing = ids.filter((id) => !this.records.has(id));
    if (missing.length === 0) return;
    const pipe = this.p.redis.pipeline();
    for (const id of missing) pipe.hget(this.p.keys.job(id), 'record');
    const res = (await pipe.exec()) ?? [];
    missing.forEach((id, i) => {
      const v = res[i]?.[1] as string | null;
      if (v) this.records.set(id, JSON.parse(v) as JobRecord);
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
    for (const id of pendingIds) pipe.hmget(k.job(id), 'state', 'held', 'priority', 'eligible', 'reason', 'dependency', 'tasks');
    for (const id of runningIds) pipe.hget(k.job(id), 'alloc');
    const res = (await pipe.exec()) ?? [];

    const used = new Map<string, NodeUse>();
    runningIds.forEach((id, i) => {
      const alloc = res[pendingIds.length + i]?.[1] as string | null;
      const rec = this.records.get(id);
      if (alloc) addUse(used, JSON.parse(alloc), rec?.oversubscribe === 'NO');
    });

    const t = now();
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
      const run = await this.p.scripts.allocate(jobId, nodes, JSON.stringify(s.alloc), s.alloc[0]!.node, t, cpus, s.alloc.length, moved);
      this.crash('after-allocate');
      if (moved && record) this.records.set(jobId, { ...record, partition: s.partition });
      if (run > 0) await this.queue.add({ jobId, run });
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
    const cutoff = now() - this.p.cluster.config.minJobAge;
    const old = (await this.p.redis.zrangebyscore(k.active, 1, cutoff)).map(Number);
    if (old.length === 0) return;
    const pipe = this.p.redis.pipeline();
    for (const id of old) {
      pipe.zrem(k.active, id);
      pipe.del(k.script(id), k.env(id));
      this.records.delete(id);
    }
    await pipe.exec();
    for (let i = 0; i < old.length; i += 500) await this.p.scripts.unlist(old.slice(i, i + 500));
  }
}
