/**
 * The controller's side: take command requests off the cluster's serve list
 * and answer each by running the command itself (see protocol.ts).
 */
import { holderId } from '../store/holder.js';
import { outputBytes } from '../format/bytes.js';
import type { Redis } from 'ioredis';
import type { Keys } from '../store/keys.js';
import { OnlyTheCaller, type IO } from '../commands/io.js';
import { squeue } from '../commands/squeue.js';
import { sacct } from '../commands/sacct.js';
import { sbatch } from '../commands/sbatch.js';
import { scancel } from '../commands/scancel.js';
import { scontrol } from '../commands/scontrol.js';
import { sinfo } from '../commands/sinfo.js';
import { RedisJobSource } from '../client/redis-job-source.js';
import { RedisAcctSource } from '../client/redis-acct-source.js';
import { RedisBackend } from '../client/redis-backend.js';
import { cancelDeps } from '../client/cancel-deps.js';
import { scontrolDeps } from '../client/scontrol-deps.js';
import { sinfoDeps } from '../client/sinfo-deps.js';
import { InputElsewhere, scriptCandidates } from '../script/read.js';
import { redact } from '../redact.js';
import { localtime } from './localtime.js';
import { BUILD_ID, DECLINED, encodeAnswer, encodeNeeds, NEED, READ_ONLY, zoneOf, type ServeAnswer, type ServeRequest } from './protocol.js';

/** Answers kept this long for a caller that has gone away. */
const ANSWER_TTL_MS = 10_000;
/** A request's claim outlives every wait for its answer (client/main.ts TAKEN_WAIT_SECONDS). */
const CLAIM_TTL_MS = 60_000;

const decline = (): never => {
  throw new OnlyTheCaller('declined');
};

export class CommandServer {
  private stopped = false;
  private readonly source: RedisJobSource;
  private readonly acct: RedisAcctSource;
  private readonly crashAt: string | undefined;
  /** what a claim of this process says: who it is, as a lease does (a caller on this host sees at once that it died) */
  private readonly claimant = holderId();
  /** this process's time zone (protocol.ts zoneOf) */
  private readonly zone = zoneOf(process.env.TZ, localtime());

  /** `changesOnly`: this one takes no read-only request (protocol.ts laneOf) */
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    env: Readonly<Record<string, string | undefined>>,
    private readonly log: (line: string) => void,
    private readonly changesOnly = false,
    private readonly debug = env.FLOW_DEBUG === '1',
  ) {
    // the controller's own way to Redis; it never needs to start a controller. It keeps the listing
    // between requests (as slurmctld keeps its job list): read again only when its version moved
    this.source = new RedisJobSource({ ...env, FLOW_NO_AUTOSTART: '1' }, true);
    this.acct = new RedisAcctSource({ ...env, FLOW_NO_AUTOSTART: '1' }, true);
    this.crashAt = env.FLOW_CRASH_AT;
  }

  /** Serve until stop(); announces this build so commands of the same build ask. */
  async run(): Promise<void> {
    if (BUILD_ID === undefined) return;
    await this.redis.set(this.keys.controllerBuild, BUILD_ID);
    while (!this.stopped) {
      let popped: [string, string] | null;
      try {
        // requests that change jobs first: they are quick, and a caller waits on each
        popped = this.changesOnly ? await this.redis.blpop(this.keys.serve, 1) : await this.redis.blpop(this.keys.serve, this.keys.serveRead, 1);
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
      // the caller may have given up on one that changes jobs (its own process then does the work): whoever
      // claims it first acts. One that only reads may be done twice, harmlessly: no round trip for a claim
      if (!READ_ONLY.has(request.command)
        && (await this.redis.set(this.keys.servedClaim(request.id), this.claimant, 'PX', CLAIM_TTL_MS, 'NX').catch(() => null)) !== 'OK') continue;
      const started = performance.now();
      const answer = await this.answer(request);
      if (this.debug) this.log(`served ${request.command} ${JSON.stringify(request.argv)} in ${(performance.now() - started).toFixed(1)} ms`);
      const key = this.keys.served(request.id);
      // pipelined, not a transaction: an answer that outlives its TTL by a moment harms no one
      await Promise.all([this.redis.rpush(key, encodeAnswer(answer)), this.redis.pexpire(key, ANSWER_TTL_MS)]).catch(() => undefined);
    }
  }

  private async answer(r: ServeRequest): Promise<ServeAnswer> {
    const declined = { code: DECLINED, stdout: Buffer.alloc(0), stderr: '' };
    // times are printed in the caller's zone: only answer a caller in ours
    if (r.zone !== this.zone) return declined;
    // each chunk to bytes at once: a chunk's string pieces die young (cheap to collect)
    const stdout: Buffer[] = [];
    let stderr = '';
    const io: IO = {
      stdout: (t) => void stdout.push(outputBytes(t)),
      stderr: (t) => (stderr += t),
      // sbatch's script may come from stdin, which the caller sends when asked; nothing else here reads a terminal
      readStdin: () => (r.stdin !== undefined ? Buffer.from(r.stdin, 'base64') : r.command === 'sbatch' ? elsewhere({ stdin: true }) : decline()),
      openScript: (given, cwd, envPath) => {
        if (r.script?.given !== given) return elsewhere({ script: { given, ...scriptCandidates(given, cwd, envPath) } });
        return r.script.path === undefined ? undefined : { path: r.script.path, bytes: Buffer.from(r.script.bytes ?? '', 'base64') };
      },
      env: r.env,
      cwd: r.cwd,
      now: () => new Date(),
      uid: r.uid,
      identity: r.identity,
      answering: true,
    };
    try {
      const code = await this.runCommand(r, io);
      return { code, stdout: Buffer.concat(stdout), stderr: redact(stderr, r.env) };
    } catch (e) {
      if (e instanceof InputElsewhere) return { code: NEED, stdout: Buffer.alloc(0), stderr: encodeNeeds(e.need) };
      if (!(e instanceof OnlyTheCaller)) this.log(`serve ${r.command}: ${(e as Error).message}`);
      return declined;
    }
  }

  private async runCommand(r: ServeRequest, io: IO): Promise<number> {
    switch (r.command) {
      case 'squeue':
        return squeue(r.argv, io, this.source);
      case 'sacct':
        return sacct(r.argv, io, this.acct);
      case 'sbatch':
        if (!r.identity) return decline();
        return sbatch(r.argv, io, async (cluster, env) => {
          const backend = new RedisBackend(env, cluster, await this.source.open(cluster), r.once ?? r.id);
          if (this.crashAt === 'served-submitted') {
            // tests: the controller dies between the submission and its answer (FLOW_CRASH_AT, controller.ts)
            const submit = backend.submit.bind(backend);
            backend.submit = async (...a) => {
              await submit(...a);
              this.log('FLOW_CRASH_AT=served-submitted: killing this controller');
              process.kill(process.pid, 'SIGKILL');
            };
          }
          return backend;
        });
      case 'scancel':
        return scancel(r.argv, io, cancelDeps(this.source, r.uid));
      case 'scontrol':
        // no command (read from a terminal), or a file of host names on the caller's machine
        if (r.argv.length === 0 || r.argv.some((a) => a.startsWith('/'))) return decline();
        return scontrol(r.argv, io, { ...scontrolDeps(this.source, r.uid, r.env), shutdown: decline });
      case 'sinfo':
        // --iterate prints until interrupted: the caller's own process does that
        return sinfo(r.argv, io, sinfoDeps((cluster) => this.source.open(cluster), decline));
      default:
        return decline();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.source.close();
    await this.acct.close();
  }
}

function elsewhere(need: InputElsewhere['need']): never {
  throw new InputElsewhere(need);
}
