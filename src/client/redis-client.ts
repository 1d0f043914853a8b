/**
 * The commands' Redis client: one RESP connection (resp.ts), made again when
 * it drops. A command retries through a Redis restart, a dropped connection
 * and `LOADING` (a restarted Redis reading its data back) with a bounded
 * backoff, for at most FLOW_REDIS_TIMEOUT seconds (connect.ts), and then
 * fails with one line that names the target without its password. A reply
 * that is not RESP or a refused password fails at once.
 *
 * A command whose connection dropped after it was sent may have run: it is
 * sent again, so what the commands send is safe to repeat (reads, and Lua
 * steps that check the state they change; see RedisBackend.submit).
 */
import { reach, redisLabel, redisTarget, redisTimeoutMs, RedisUnavailable, type Env } from '../controller/connect.js';
import { RedisProtocolError, RedisReplyError, RedisTimeout, RespConnection, type Arg, type Reply } from './resp.js';

/** Redis's answers that mean "not now" rather than "no". */
const BUSY_REPLY = /^(LOADING|BUSY|TRYAGAIN|MASTERDOWN)\b/;

function retryable(e: unknown): boolean {
  if (e instanceof RedisReplyError) return BUSY_REPLY.test(e.message);
  return !(e instanceof RedisProtocolError || e instanceof RedisUnavailable || e instanceof RedisTimeout);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class RedisClient {
  private connection?: Promise<RespConnection>;

  private constructor(private readonly env: Env, private readonly limitMs: number) {}

  /** Connected (or failed with one clear error) within the time limit. */
  static async open(env: Env): Promise<RedisClient> {
    const client = new RedisClient(env, redisTimeoutMs(env));
    await client.retrying(async (c) => c);
    return client;
  }

  call(args: Arg[], binary = false): Promise<Reply> {
    return this.retrying((c) => c.call(args, binary));
  }

  callRaw(args: Arg[]): Promise<Buffer> {
    return this.retrying((c) => c.callRaw(args));
  }

  /** Replies in order, Redis's errors as values; sent again as a whole when Redis was not ready for it. */
  pipeline(commands: Arg[][]): Promise<Reply[]> {
    return this.retrying(async (c) => {
      const replies = await c.pipeline(commands);
      const busy = replies.find((r) => r instanceof RedisReplyError && BUSY_REPLY.test(r.message));
      if (busy) throw busy;
      return replies;
    });
  }

  close(): void {
    void this.connection?.then((c) => c.close(), () => undefined);
    this.connection = undefined;
  }

  private connect(): Promise<RespConnection> {
    this.connection ??= reach(this.env, (t) => RespConnection.open(t, this.limitMs));
    return this.connection;
  }

  private unavailable(why: string): RedisUnavailable {
    const { target, own } = redisTarget(this.env);
    return new RedisUnavailable(`cannot reach Redis at ${redisLabel(target, own)} (${why})`);
  }

  private async retrying<T>(op: (c: RespConnection) => Promise<T>): Promise<T> {
    let deadline = 0;
    let pause = 50;
    for (;;) {
      const connecting = this.connect();
      try {
        return await op(await connecting);
      } catch (e) {
        if (e instanceof RedisTimeout) throw this.unavailable(e.message);
        if (!retryable(e)) throw e;
        // a connection that failed is made again (one that said LOADING is fine)
        if (!(e instanceof RedisReplyError) && this.connection === connecting) {
          this.close();
        }
        deadline ||= Date.now() + this.limitMs;
        const left = deadline - Date.now();
        if (left <= 0) throw this.unavailable(`gave up after ${Math.round(this.limitMs / 1000)} s: ${(e as Error).message}`);
        await sleep(Math.min(pause, left));
        pause = Math.min(2 * pause, 1000);
      }
    }
  }
}
