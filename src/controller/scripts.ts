/**
 * The only caller of the Lua scripts. Each atomic step is one script with its
 * keys in documented order; negative return codes are errors, named here.
 * Scripts run through a small runner interface, so the controller (ioredis)
 * and the commands (their light RESP client) share this one class.
 */
import type { Keys } from './keys.js';
import allocateLua, { sha as allocateSha } from './lua/allocate-4.lua';
import cancelLua, { sha as cancelSha } from './lua/cancel-5.lua';
import finishLua, { sha as finishSha } from './lua/finish-5.lua';
import holdLua, { sha as holdSha } from './lua/hold-3.lua';
import launchedLua, { sha as launchedSha } from './lua/launched-1.lua';
import leadLua, { sha as leadSha } from './lua/lead-1.lua';
import listLua, { sha as listSha } from './lua/list-1.lua';
import releaseLua, { sha as releaseSha } from './lua/release-3.lua';
import setReasonsLua, { sha as setReasonsSha } from './lua/set-reasons-2.lua';
import submitLua, { sha as submitSha } from './lua/submit-6.lua';

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
  finish: { lua: finishLua, sha: finishSha },
  cancel: { lua: cancelLua, sha: cancelSha },
  hold: { lua: holdLua, sha: holdSha },
  release: { lua: releaseLua, sha: releaseSha },
  setReasons: { lua: setReasonsLua, sha: setReasonsSha },
  lead: { lua: leadLua, sha: leadSha },
  list: { lua: listLua, sha: listSha },
} satisfies Record<string, LuaScript>;

export enum CancelResult { NoSuchJob = -1, CancelledPending = 1, Running = 2, AlreadyOver = 3 }
export enum HoldResult { Done = 1, NoSuchJob = -1, NotPending = -2, NotHeld = -3 }

export class Scripts {
  constructor(private readonly runner: ScriptRunner, private readonly k: Keys) {}

  private async num(script: LuaScript, keys: string[], args: ScriptArg[]): Promise<number> {
    return Number(await this.runner.run(script, keys, args));
  }

  submit(jobId: number, record: string, script: Buffer, env: string, fields: Record<string, string | number>): Promise<number> {
    const k = this.k;
    return this.num(S.submit, [k.job(jobId), k.script(jobId), k.env(jobId), k.pending, k.active, k.listing],
      [jobId, record, script, env, JSON.stringify(fields), k.wake]);
  }

  allocate(jobId: number, nodes: string, alloc: string, batchHost: string, start: number, cpus: number, nodeCount: number): Promise<number> {
    const k = this.k;
    return this.num(S.allocate, [k.job(jobId), k.pending, k.running, k.listing], [jobId, nodes, alloc, batchHost, start, cpus, nodeCount]);
  }

  /** Listed fields of the active jobs (or of `ids`): one line per job, the id first, fields \x1f-separated. */
  async list(fields: readonly string[], ids?: number[]): Promise<string[]> {
    if (ids && ids.length === 0) return [];
    const reply = await this.runner.run(S.list, [this.k.active], [this.k.jobPrefix, fields.length, ...fields, ...(ids ?? [])]);
    const text = String(reply ?? '');
    return text === '' ? [] : text.split('\x1e');
  }

  launched(jobId: number, run: number, supervisor: string): Promise<number> {
    return this.num(S.launched, [this.k.job(jobId)], [run, supervisor]);
  }

  finish(jobId: number, run: number, state: string, reason: string, exit: string, end: number): Promise<number> {
    const k = this.k;
    return this.num(S.finish, [k.job(jobId), k.running, k.active, k.accounting, k.listing], [jobId, run, state, reason, exit, end, k.wake]);
  }

  cancel(jobId: number, uid: number, now: number): Promise<CancelResult> {
    const k = this.k;
    return this.num(S.cancel, [k.job(jobId), k.pending, k.active, k.accounting, k.listing], [jobId, uid, now, k.wake]);
  }

  hold(jobId: number, kind: 'user' | 'admin'): Promise<HoldResult> {
    return this.num(S.hold, [this.k.job(jobId), this.k.pending, this.k.listing], [kind, jobId]);
  }

  release(jobId: number): Promise<HoldResult> {
    return this.num(S.release, [this.k.job(jobId), this.k.pending, this.k.listing], [this.k.wake, jobId]);
  }

  /** Take or keep the controller lease; true while this controller leads. */
  async lead(id: string, leaseMs: number): Promise<boolean> {
    return (await this.num(S.lead, [this.k.controller], [id, leaseMs])) === 1;
  }

  setReasons(now: number, reasons: [number, string, string][]): Promise<number> {
    return this.num(S.setReasons, [this.k.jobPrefix, this.k.listing], [now, ...reasons.flat()]);
  }
}
