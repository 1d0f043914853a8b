/**
 * The only caller of the Lua scripts. Each atomic step is one script with its
 * keys in documented order; return codes below zero are errors, named here.
 */
import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';
import allocateLua from './lua/allocate-3.lua';
import cancelLua from './lua/cancel-4.lua';
import finishLua from './lua/finish-4.lua';
import holdLua from './lua/hold-2.lua';
import launchedLua from './lua/launched-1.lua';
import leadLua from './lua/lead-1.lua';
import releaseLua from './lua/release-2.lua';
import setReasonsLua from './lua/set-reasons-1.lua';
import submitLua from './lua/submit-5.lua';

const SCRIPTS = {
  flowSubmit: { numberOfKeys: 5, lua: submitLua },
  flowAllocate: { numberOfKeys: 3, lua: allocateLua },
  flowLaunched: { numberOfKeys: 1, lua: launchedLua },
  flowFinish: { numberOfKeys: 4, lua: finishLua },
  flowCancel: { numberOfKeys: 4, lua: cancelLua },
  flowHold: { numberOfKeys: 2, lua: holdLua },
  flowRelease: { numberOfKeys: 2, lua: releaseLua },
  flowSetReasons: { numberOfKeys: 1, lua: setReasonsLua },
  flowLead: { numberOfKeys: 1, lua: leadLua },
} as const;

type Call = (...args: (string | number | Buffer)[]) => Promise<number>;
type WithScripts = Redis & Record<keyof typeof SCRIPTS, Call>;

export enum CancelResult { NoSuchJob = -1, CancelledPending = 1, Running = 2, AlreadyOver = 3 }
export enum HoldResult { Done = 1, NoSuchJob = -1, NotPending = -2, NotHeld = -3 }

export class Scripts {
  private readonly r: WithScripts;

  constructor(redis: Redis, private readonly k: Keys) {
    for (const [name, def] of Object.entries(SCRIPTS)) {
      if (!(name in redis)) redis.defineCommand(name, def);
    }
    this.r = redis as WithScripts;
  }

  submit(jobId: number, record: string, script: Buffer, env: string, fields: Record<string, string | number>): Promise<number> {
    const k = this.k;
    return this.r.flowSubmit(k.job(jobId), k.script(jobId), k.env(jobId), k.pending, k.active,
      jobId, record, script, env, JSON.stringify(fields), k.wake);
  }

  allocate(jobId: number, nodes: string, alloc: string, batchHost: string, start: number): Promise<number> {
    const k = this.k;
    return this.r.flowAllocate(k.job(jobId), k.pending, k.running, jobId, nodes, alloc, batchHost, start);
  }

  launched(jobId: number, run: number, supervisor: string): Promise<number> {
    return this.r.flowLaunched(this.k.job(jobId), run, supervisor);
  }

  finish(jobId: number, run: number, state: string, reason: string, exit: string, end: number): Promise<number> {
    const k = this.k;
    return this.r.flowFinish(k.job(jobId), k.running, k.active, k.accounting, jobId, run, state, reason, exit, end, k.wake);
  }

  cancel(jobId: number, uid: number, now: number): Promise<CancelResult> {
    const k = this.k;
    return this.r.flowCancel(k.job(jobId), k.pending, k.active, k.accounting, jobId, uid, now, k.wake);
  }

  hold(jobId: number, kind: 'user' | 'admin'): Promise<HoldResult> {
    return this.r.flowHold(this.k.job(jobId), this.k.pending, kind);
  }

  release(jobId: number): Promise<HoldResult> {
    return this.r.flowRelease(this.k.job(jobId), this.k.pending, this.k.wake);
  }

  /** Take or keep the controller lease; true while this controller leads. */
  async lead(id: string, leaseMs: number): Promise<boolean> {
    return (await this.r.flowLead(this.k.controller, id, leaseMs)) === 1;
  }

  setReasons(now: number, reasons: [number, string, string][]): Promise<number> {
    const flat = reasons.flatMap(([id, reason, dep]) => [id, reason, dep]);
    return this.r.flowSetReasons(this.k.job(0).replace(/0$/, ''), now, ...flat);
  }
}
