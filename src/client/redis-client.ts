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
import { reach, redisLabel, redisTarget, redisTimeoutMs, RedisUnavailable, type Env } from '../store/connect.js';
import { replyMismatch } from './reply-shape.js';
import { RedisProtocolError, RedisReplyError, RedisTimeout, RedisUrlError, RespConnection, textArray, decodeReply, type Arg, type Reply, type TextArray } from './resp.js';

/** Redis's answers that mean "not now" rather than "no". */
const BUSY_REPLY = /^(LOADING|BUSY|TRYAGAIN|MASTERDOWN)\b/;
/** Redis's answers that refuse us: a password missing, wrong, or not allowed this. */
const REFUSED_REPLY = /^(NOAUTH|WRONGPASS|NOPERM)\b|^ERR (AUTH|invalid password|DB index)/;

function retryable(e: unknown): boolean {
  if (e instanceof RedisReplyError) return BUSY_REPLY.test(e.message);
  return !(e instanceof RedisProtocolError || e instanceof RedisUnavailable || e instanceof RedisTimeout || e instanceof RedisUrlError);
}

/** The reply, if it has the shape Redis gives `args` (reply-shape.ts). */
function checked(args: readonly Arg[], reply: Reply): Reply {
  const wrong = replyMismatch(args, reply);
  if (wrong) throw new RedisProtocolError(`unexpected reply: ${wrong}`);
  return reply;
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
    return this.retrying(async (c) => checked(args, await c.call(args, binary)));
  }

  /**
   * An array of strings and nils (HVALS, HMGET): the fast undecoded form
   * (resp.ts textArray) when it is all ASCII bulk strings, else decoded.
   */
  callTextArray(args: Arg[]): Promise<TextArray | (string | null)[]> {
    return this.retrying(async (c) => {
      const raw = await c.callRaw(args);
      const fast = textArray(raw);
      if (fast) return fast;
      const reply = decodeReply(raw);
      if (reply instanceof RedisReplyError) throw reply;
      return checked(args, reply) as (string | null)[];
    });
  }

  /** Replies in order; an error reply fails the whole (sent again as a whole when Redis was not ready for it). */
  pipeline(commands: Arg[][]): Promise<Reply[]> {
    return this.retrying(async (c) => {
      const replies = await c.pipeline(commands);
      const error = replies.find((r) => r instanceof RedisReplyError && BUSY_REPLY.test(r.message)) ?? replies.find((r) => r instanceof RedisReplyError);
      if (error) throw error;
      replies.forEach((r, i) => checked(commands[i]!, r));
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

  private label(): string {
    const { target, own } = redisTarget(this.env);
    return redisLabel(target, own);
  }

  private unavailable(why: string): RedisUnavailable {
    return new RedisUnavailable(`cannot reach Redis at ${this.label()} (${why})`);
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
        // what the service at the address said, named with the address (never its password)
        if (e instanceof RedisProtocolError) throw new RedisUnavailable(`the service at ${this.label()} does not answer as Redis does (${e.message})`);
        if (e instanceof RedisReplyError && REFUSED_REPLY.test(e.message)) throw new RedisUnavailable(`Redis at ${this.label()} refused us: ${e.message}`);
        // NOSCRIPT is answered by loading the script (resp-runner.ts); any other error is final
        if (e instanceof RedisReplyError && !BUSY_REPLY.test(e.message) && !e.message.startsWith('NOSCRIPT')) {
          throw new RedisUnavailable(`Redis at ${this.label()} answered with an error: ${e.message}`);
        }
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
