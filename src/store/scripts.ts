/**
 * The only caller of the Lua scripts. Each atomic step is one script with its
 * keys in documented order; negative return codes are errors, named here.
 * Scripts run through a small runner interface, so the controller (ioredis)
 * and the commands (their light RESP client) share this one class.
 */
import type { Caller } from '../cluster/access.js';
import type { Keys } from './keys.js';
import { SCRIPT_CODES } from './slurm-errors.js';
import type { PastRun, StepRecord } from '../job/job-run.js';
import allocateLua, { sha as allocateSha } from './lua/allocate-6.lua';
import cancelLua, { sha as cancelSha } from './lua/cancel-6.lua';
import finishLua, { sha as finishSha } from './lua/finish-5.lua';
import handoverLua, { sha as handoverSha } from './lua/handover-1.lua';
import holdLua, { sha as holdSha } from './lua/hold-4.lua';
import launchedLua, { sha as launchedSha } from './lua/launched-1.lua';
import claimStartLua, { sha as claimStartSha } from './lua/claim-start-2.lua';
import leadLua, { sha as leadSha } from './lua/lead-1.lua';
import listLua, { sha as listSha } from './lua/list-1.lua';
import nextJobIdLua, { sha as nextJobIdSha } from './lua/next-job-id-1.lua';
import requeueLua, { sha as requeueSha } from './lua/requeue-8.lua';
import updateLua, { sha as updateSha } from './lua/update-4.lua';
import releaseLua, { sha as releaseSha } from './lua/release-5.lua';
import signalLua, { sha as signalSha } from './lua/signal-2.lua';
import setReasonsLua, { sha as setReasonsSha } from './lua/set-reasons-3.lua';
import splitTaskLua, { sha as splitTaskSha } from './lua/split-task-13.lua';
import stepLua, { sha as stepSha } from './lua/step-4.lua';
import submitLua, { sha as submitSha } from './lua/submit-10.lua';
import unlistLua, { sha as unlistSha } from './lua/unlist-1.lua';
import startedLua, { sha as startedSha } from './lua/started-3.lua';
import moneyLua, { sha as moneySha } from './lua/money-3.lua';
import bidReasonLua, { sha as bidReasonSha } from './lua/bid-reason-3.lua';

export type ScriptArg = string | number | Buffer;

export interface LuaScript {
  lua: string;
  sha: string;
}

/** Runs a script by its SHA, loading it on NOSCRIPT. */
export interface ScriptRunner {
  run(script: LuaScript, keys: string[], args: ScriptArg[]): Promise<unknown>;
}

const S = {
  submit: { lua: submitLua, sha: submitSha },
  allocate: { lua: allocateLua, sha: allocateSha },
  launched: { lua: launchedLua, sha: launchedSha },
  handover: { lua: handoverLua, sha: handoverSha },
  finish: { lua: finishLua, sha: finishSha },
  cancel: { lua: cancelLua, sha: cancelSha },
  hold: { lua: holdLua, sha: holdSha },
  release: { lua: releaseLua, sha: releaseSha },
  setReasons: { lua: setReasonsLua, sha: setReasonsSha },
  signal: { lua: signalLua, sha: signalSha },
  lead: { lua: leadLua, sha: leadSha },
  claimStart: { lua: claimStartLua, sha: claimStartSha },
  list: { lua: listLua, sha: listSha },
  splitTask: { lua: splitTaskLua, sha: splitTaskSha },
  nextJobId: { lua: nextJobIdLua, sha: nextJobIdSha },
  requeue: { lua: requeueLua, sha: requeueSha },
  update: { lua: updateLua, sha: updateSha },
  step: { lua: stepLua, sha: stepSha },
  unlist: { lua: unlistLua, sha: unlistSha },
  started: { lua: startedLua, sha: startedSha },
  money: { lua: moneyLua, sha: moneySha },
  bidReason: { lua: bidReasonLua, sha: bidReasonSha },
} satisfies Record<string, LuaScript>;

/** A script's reply of a shape none of ours gives: the service answering is not Redis (or not a sane one). */
export class UnexpectedScriptReply extends Error {
  constructor(script: LuaScript, reply: unknown) {
    const name = Object.entries(S).find(([, s]) => s === script)?.[0] ?? 'a';
    const kind = reply === null || reply === undefined ? 'nil' : Array.isArray(reply) ? 'an array' : typeof reply === 'number' ? 'a number' : 'a string';
    super(`unexpected reply from Redis: ${kind} to the ${name} script`);
  }
}

/** Every script that acts for a user answers this when the job is not the caller's (includes/owner.lua). */
export const ACCESS_DENIED = SCRIPT_CODES.ACCESS_DENIED;

// what each request's script answers; its refusals (negative codes) mean what slurm-errors.ts says
export enum CancelResult { AccessDenied = SCRIPT_CODES.ACCESS_DENIED, NoSuchJob = SCRIPT_CODES.NO_SUCH_JOB, CancelledPending = 1, Running = 2, AlreadyOver = 3 }
export enum RequeueResult { AccessDenied = SCRIPT_CODES.ACCESS_DENIED, WasRunning = 1, WasFinished = 2, NoSuchJob = SCRIPT_CODES.NO_SUCH_JOB, Pending = SCRIPT_CODES.WRONG_STATE, Disabled = SCRIPT_CODES.NOT_ALLOWED }
export enum HoldResult { AccessDenied = SCRIPT_CODES.ACCESS_DENIED, Done = 1, NoSuchJob = SCRIPT_CODES.NO_SUCH_JOB, NotPending = SCRIPT_CODES.WRONG_STATE, NotHeld = SCRIPT_CODES.NOT_ALLOWED }

const flag = (b: boolean) => (b ? 1 : 0);

export class Scripts {
  constructor(private readonly runner: ScriptRunner, private readonly k: Keys) {}

  /** Every script but `list` answers an integer: anything else is not our Redis speaking. */
  private async num(script: LuaScript, keys: string[], args: ScriptArg[]): Promise<number> {
    const reply = await this.runner.run(script, keys, args);
    if (typeof reply !== 'number' || !Number.isInteger(reply)) throw new UnexpectedScriptReply(script, reply);
    return reply;
  }

  nextJobId(firstJobId: number): Promise<number> {
    return this.num(S.nextJobId, [this.k.nextJobId], [firstJobId]);
  }

  /** Accept a job; with `nice` set, its priority comes from the order of submission (else fields.priority stands). */
  submit(jobId: number, record: string, script: Buffer, env: string, fields: Record<string, string | number>, submitTime: number, nice?: number): Promise<number> {
    const k = this.k;
    return this.num(S.submit, [k.job(jobId), k.script(jobId), k.env(jobId), k.pending, k.active, k.listing, k.accounting, k.acct, k.submissions, k.order],
      [jobId, record, script, env, JSON.stringify(fields), k.wake, submitTime, nice ?? 0, nice === undefined ? 0 : 1]);
  }

  /**
   * `partition`: for a job submitted to several (`-p a,b`), the one it starts in (the record is rewritten
   * to name only it, as slurmctld shows it): [its JSON `"partition":"a,b"`, the same with the one].
   */
  allocate(jobId: number, nodes: string, alloc: string, batchHost: string, start: number, cpus: number, nodeCount: number,
    partition?: { name: string; from: string; to: string }, state: 'RUNNING' | 'CONFIGURING' = 'RUNNING'): Promise<number> {
    const k = this.k;
    return this.num(S.allocate, [k.job(jobId), k.pending, k.running, k.listing, k.acct, k.stops],
      [jobId, nodes, alloc, batchHost, start, cpus, nodeCount, partition?.name ?? '', partition?.from ?? '', partition?.to ?? '', state]);
  }

  /** A configuring run has started: CONFIGURING -> RUNNING (1), or 0. */
  started(jobId: number, run: number, now: number): Promise<number> {
    return this.num(S.started, [this.k.job(jobId), this.k.listing, this.k.acct], [jobId, run, now]);
  }

  /** Listed fields of the active jobs (or of `ids`): one line per job, the id first, fields \x1f-separated. */
  async list(fields: readonly string[], ids?: number[]): Promise<string[]> {
    if (ids && ids.length === 0) return [];
    const text = await this.runner.run(S.list, [this.k.active], [this.k.jobPrefix, fields.length, ...fields, ...(ids ?? [])]);
    if (typeof text !== 'string') throw new UnexpectedScriptReply(S.list, text);
    return text === '' ? [] : text.split('\x1e');
  }

  /**
   * Make one pending task of an array a job of its own (taskJobId; the array's
   * own id for its last task), to start it or to record it cancelled.
   */
  splitTask(p: { arrayJobId: number; taskJobId: number; tasksNow: string; tasksAfter: string; record: string;
    fields: Record<string, string | number>; mode: 'start' | 'cancel'; end: number; submitTime: number; by?: Caller }): Promise<number> {
    const k = this.k;
    return this.num(S.splitTask,
      [k.job(p.arrayJobId), k.job(p.taskJobId), k.script(p.arrayJobId), k.env(p.arrayJobId), k.script(p.taskJobId), k.env(p.taskJobId),
        k.pending, k.active, k.listing, k.arrayTasks(p.arrayJobId), k.accounting, k.acct, k.order],
      [p.arrayJobId, p.taskJobId, p.tasksNow, p.tasksAfter, p.record, JSON.stringify(p.fields), p.mode, p.end, p.submitTime,
        p.by?.uid ?? 0, p.by?.any === false ? 0 : 1]);
  }

  launched(jobId: number, run: number, supervisor: string): Promise<number> {
    return this.num(S.launched, [this.k.job(jobId)], [run, supervisor]);
  }

  /** An interactive job's process hands the job to another (salloc --no-shell's stand-in). */
  handover(jobId: number, run: number, from: number, to: number): Promise<number> {
    return this.num(S.handover, [this.k.job(jobId)], [run, from, to]);
  }

  finish(jobId: number, run: number, state: string, reason: string, exit: string, end: number): Promise<number> {
    const k = this.k;
    return this.num(S.finish, [k.job(jobId), k.running, k.active, k.listing, k.acct], [jobId, run, state, reason, exit, end, k.wake]);
  }

  /** `by`: who cancels (its uid is recorded); refused (ACCESS_DENIED) unless the job is its own or it may act on any. */
  cancel(jobId: number, by: Caller, now: number, reason = '', priority = '', final?: { state: string; exit: string }): Promise<CancelResult> {
    const k = this.k;
    return this.num(S.cancel, [k.job(jobId), k.pending, k.active, k.listing, k.acct, k.stops],
      [jobId, by.uid, now, k.wake, reason, priority, final?.state ?? '', final?.exit ?? '', flag(by.any)]);
  }

  hold(jobId: number, kind: 'user' | 'admin', by: Caller): Promise<HoldResult> {
    return this.num(S.hold, [this.k.job(jobId), this.k.pending, this.k.listing, this.k.acct], [kind, jobId, by.uid, flag(by.any)]);
  }

  release(jobId: number, by: Caller): Promise<HoldResult> {
    return this.num(S.release, [this.k.job(jobId), this.k.pending, this.k.listing, this.k.acct, this.k.submissions], [this.k.wake, jobId, by.uid, flag(by.any)]);
  }

  requeue(jobId: number, now: number, eligible: number, ended: PastRun, by: Caller, held: '' | 'PENDING' | 'SPECIAL_EXIT' = ''): Promise<RequeueResult> {
    const k = this.k;
    return this.num(S.requeue, [k.job(jobId), k.pending, k.running, k.active, k.listing, k.acct, k.accounting, k.stops],
      [jobId, now, eligible, k.wake, JSON.stringify(ended), held, by.uid, flag(by.any)]);
  }

  /** scontrol update (see job-update.ts): 1, 0 if the record changed meanwhile, -1 no such job, -2 no longer pending, ACCESS_DENIED */
  update(jobId: number, planned: string, record: string, fields: Record<string, string | number>, pendingOnly: boolean, by: Caller): Promise<number> {
    return this.num(S.update, [this.k.job(jobId), this.k.listing, this.k.acct, this.k.pending],
      [jobId, planned, record, JSON.stringify(fields), this.k.wake, pendingOnly ? 1 : 0, by.uid, flag(by.any)]);
  }

  /** scancel --signal: ask the controller to signal a running job (1), -1 no such job, -2 not running, ACCESS_DENIED. */
  signal(jobId: number, signal: number, batch: boolean, full: boolean, by: Caller): Promise<number> {
    return this.num(S.signal, [this.k.job(jobId), this.k.requests],
      [by.uid, flag(by.any), this.k.wake, jobId, signal, batch ? 'batch' : full ? 'all' : 'steps']);
  }

  /** Record a step (srun) starting; its id, or -1 when the job is not running. */
  stepStart(jobId: number, step: Omit<StepRecord, 'id'>): Promise<number> {
    return this.num(S.step, [this.k.job(jobId), this.k.listing, this.k.acct], [jobId, 'start', JSON.stringify({ ...step, id: -1 })]);
  }

  /** A configuring run's bid waits at auction (`BidOpen,...`), or no longer ('None'); 0 when the job is not configuring that run. */
  bidReason(jobId: number, run: number, reason: string): Promise<number> {
    return this.num(S.bidReason, [this.k.job(jobId), this.k.listing, this.k.acct], [jobId, run, reason]);
  }

  /** What a run has cost so far (cents), and its price per instance-hour; 0 when the job is gone. */
  money(jobId: number, run: number, priceCents: number, costCents: number): Promise<number> {
    return this.num(S.money, [this.k.job(jobId), this.k.listing, this.k.acct], [jobId, run, priceCents, costCents]);
  }

  /** Record how a step ended (replaces the step with the same id). */
  stepEnd(jobId: number, step: StepRecord): Promise<number> {
    return this.num(S.step, [this.k.job(jobId), this.k.listing, this.k.acct], [jobId, 'end', JSON.stringify(step)]);
  }

  /** scancel N.S: mark a running step cancelled by uid (its srun ends it); its id, -1 job not running, -2 no such step running. */
  stepCancel(jobId: number, stepId: number, by: Caller): Promise<number> {
    return this.num(S.step, [this.k.job(jobId), this.k.listing, this.k.acct, this.k.requests],
      [jobId, 'cancel', JSON.stringify({ id: stepId, cancelBy: by.uid, any: by.any }), this.k.wake]);
  }

  /** Take or keep the controller lease (or take it from `dead`, a holder known to be gone); true while this controller leads. */
  async lead(id: string, leaseMs: number, dead?: string): Promise<boolean> {
    return (await this.num(S.lead, [this.k.controller], dead ? [id, leaseMs, dead] : [id, leaseMs])) === 1;
  }

  /** The right to start a controller (see claim-start-2.lua); `dead`: the lease holder seen dead, if any. */
  async claimStart(dead: string | undefined, claimant: string, claimMs: number): Promise<boolean> {
    return (await this.num(S.claimStart, [this.k.controller, this.k.controllerStarting], [dead ?? '', claimant, claimMs])) === 1;
  }

  /** For jobs still pending: [id, reason, Dependency= text, eligible time ('' = unchanged)]. */
  /** Jobs past MinJobAge leave the listing. */
  unlist(jobIds: number[]): Promise<number> {
    return this.num(S.unlist, [this.k.listing], jobIds);
  }

  setReasons(now: number, reasons: [number, string, string, number | ''][]): Promise<number> {
    return this.num(S.setReasons, [this.k.jobPrefix, this.k.listing, this.k.acct], [now, ...reasons.flat()]);
  }
}
