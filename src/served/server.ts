/**
 * The controller's side: take command requests off the cluster's serve list
 * and answer each by running the command itself (see protocol.ts).
 */
import { outputBytes } from '../format/bytes.js';
import type { Redis } from 'ioredis';
import type { Keys } from '../store/keys.js';
import type { IO } from '../commands/io.js';
import { squeue } from '../commands/squeue.js';
import { sacct } from '../commands/sacct.js';
import { RedisJobSource } from '../client/redis-job-source.js';
import { RedisAcctSource } from '../client/redis-acct-source.js';
import { BUILD_ID, DECLINED, encodeAnswer, type ServeAnswer, type ServeRequest } from './protocol.js';

/** Answers kept this long for a caller that has gone away. */
const ANSWER_TTL_MS = 10_000;

export class CommandServer {
  private stopped = false;
  private readonly source: RedisJobSource;
  private readonly acct: RedisAcctSource;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    env: Readonly<Record<string, string | undefined>>,
    private readonly log: (line: string) => void,
    private readonly debug = env.FLOW_DEBUG === '1',
  ) {
    // the controller's own way to Redis; it never needs to start a controller. It keeps the listing
    // between requests (as slurmctld keeps its job list): read again only when its version moved
    this.source = new RedisJobSource({ ...env, FLOW_NO_AUTOSTART: '1' }, true);
    this.acct = new RedisAcctSource({ ...env, FLOW_NO_AUTOSTART: '1' }, true);
  }

  /** Serve until stop(); announces this build so commands of the same build ask. */
  async run(): Promise<void> {
    if (BUILD_ID === undefined) return;
    await this.redis.set(this.keys.controllerBuild, BUILD_ID);
    while (!this.stopped) {
      let popped: [string, string] | null;
      try {
        popped = await this.redis.blpop(this.keys.serve, 1);
      } catch (e) {
        if (this.stopped) break;
        this.log(`serve: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (!popped) continue;
      let request: ServeRequest;
      try {
        request = JSON.parse(popped[1]) as ServeRequest;
      } catch {
        continue;
      }
      const started = performance.now();
      const answer = await this.answer(request);
      if (this.debug) this.log(`served ${request.command} ${JSON.stringify(request.argv)} in ${(performance.now() - started).toFixed(1)} ms`);
      const key = this.keys.served(request.id);
      await this.redis.multi().rpush(key, encodeAnswer(answer)).pexpire(key, ANSWER_TTL_MS).exec().catch(() => undefined);
    }
  }

  private async answer(r: ServeRequest): Promise<ServeAnswer> {
    const declined = { code: DECLINED, stdout: Buffer.alloc(0), stderr: '' };
    // times are printed in the caller's zone: only answer a caller in ours
    if (r.tz !== (process.env.TZ ?? '') || r.utcOffset !== new Date().getTimezoneOffset()) return declined;
    // each chunk to bytes at once: a chunk's string pieces die young (cheap to collect)
    const stdout: Buffer[] = [];
    let stderr = '';
    const io: IO = {
      stdout: (t) => void stdout.push(outputBytes(t)),
      stderr: (t) => (stderr += t),
      readStdin: () => Buffer.alloc(0),
      env: r.env,
      cwd: r.cwd,
      now: () => new Date(),
      uid: r.uid,
    };
    try {
      const code = r.command === 'squeue' ? await squeue(r.argv, io, this.source)
        : r.command === 'sacct' ? await sacct(r.argv, io, this.acct)
          : DECLINED;
      return { code, stdout: Buffer.concat(stdout), stderr };
    } catch (e) {
      this.log(`serve ${r.command}: ${(e as Error).message}`);
      return declined;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.source.close();
    await this.acct.close();
  }
}
