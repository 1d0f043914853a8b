/**
 * The served commands' client on Node (dist/<cmd> starts it where the C
 * client, flow-client.c, was not built; FLOW_CLIENT=node chooses it). It asks the leading controller to run
 * the command (protocol.ts) in one round trip and prints the answer. It loads
 * nothing of the commands themselves; whenever the controller cannot answer,
 * the command runs in full (io.ts fallback), as it would have without this.
 */
import { keysFor, type Keys } from '../../store/keys.js';
import serveLua from '../../store/lua/serve-4.lua';
import {
  BUILD_ID, decodeAnswer, decodeNeeds, DECLINED, laneOf, NEED, READ_ONLY, SERVED_COMMANDS, servedEnv, zoneOf,
  type ServeAnswer, type ServeRequest, type ServedCommand,
} from '../protocol.js';
import { openScript } from '../../script/read.js';
import { currentIdentity } from '../../commands/identity.js';
import { RespConnection } from '../../client/resp.js';
import { holderDead } from '../../store/holder.js';
import { clusterName, redisTarget } from './locate.js';
import { clientIO as io } from './io.js';

/** How long the controller has to answer (protocol.ts; as ask.ts). */
const WAIT_SECONDS = 1;
/** A Redis that does not even answer in this time is left to the full command. */
const ROUND_TRIP_MS = 3000;
/** How long an answer is waited for once a controller has claimed the request. */
const TAKEN_WAIT_SECONDS = 30;
/** A request's claim outlives every wait for its answer (server.ts). */
const CLAIM_TTL_MS = 60_000;

/** An answer lost after its request was taken: said, not done again. */
class Lost extends Error {}

/** The command, done in full here after all (for a submission: as the same job, by its `once`). */
class RunHere extends Error {
  constructor(readonly once?: string) {
    super('run here');
  }
}

const base64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64');

/** How long an answer waits for a caller that has gone away (server.ts). */
const ANSWER_TTL_MS = 10_000;
const DECLINED_ANSWER = `${DECLINED}\n0\n`;

/**
 * Asks once, in one round trip (serve-4.lua queues the request, or answers it as declined when no
 * controller of this build runs); undefined when there is no answer to use.
 */
async function ask(c: RespConnection, keys: Keys, request: ServeRequest): Promise<ServeAnswer | undefined> {
  const body = JSON.stringify(request);
  const answerKey = keys.served(request.id);
  const claimKey = keys.servedClaim(request.id);
  const lane = laneOf(request.command, keys);
  // both written at once; the answer comes back as bytes
  const gate = c.call(['EVAL', serveLua, 4, keys.controller, keys.controllerBuild, lane, answerKey, BUILD_ID!, body, DECLINED_ANSWER, ANSWER_TTL_MS]);
  gate.catch(() => undefined);
  const popped = await c.call(['BLPOP', answerKey, WAIT_SECONDS], true);
  await gate;
  if (Array.isArray(popped) && Buffer.isBuffer(popped[1])) return decodeAnswer(popped[1]);
  // not answered in time: claim it, so that no controller carries it out late if it changes jobs (server.ts), and take it back
  const [claimed] = await c.pipeline([['SET', claimKey, 'caller', 'PX', CLAIM_TTL_MS, 'NX'], ['LREM', lane, 1, body]]);
  if (claimed === 'OK') return undefined;
  // a controller claimed it and is at work on it (a busy one): its answer is the one to print, unless it died
  // (its claim names it as a lease does: store/holder.ts)
  const claimant = await c.call(['GET', claimKey]);
  let dead = false;
  for (let waited = 0; waited < TAKEN_WAIT_SECONDS && !dead; waited++) {
    const late = await c.call(['BLPOP', answerKey, 1], true);
    if (Array.isArray(late) && Buffer.isBuffer(late[1])) return decodeAnswer(late[1]);
    dead = holderDead(typeof claimant === 'string' ? claimant : '');
  }
  // done again here: a submission as the same job (its `once`), whatever its controller got done of it; a
  // scancel or scontrol whose controller died with it is done again (it may have been done already)
  if (dead || READ_ONLY.has(request.command) || request.command === 'sbatch') throw new RunHere(request.once);
  throw new Lost(`${request.command}: error: the controller took the request and did not answer in ${TAKEN_WAIT_SECONDS} s; it may have been carried out\n`);
}

interface Outcome {
  answer?: ServeAnswer;
  /** the controller was asked and did not answer: the full command does not ask again */
  asked: boolean;
  stdin?: Buffer;
  /** done in full as this submission (protocol.ts ONCE) */
  once?: string;
}

/** The request, sent and answered; everything read from files is read side by side with connecting. */
async function serve(command: ServedCommand, argv: string[], env: NodeJS.ProcessEnv): Promise<Outcome> {
  const outcome: Outcome = { asked: false };
  const cwd = process.cwd();
  const sent = servedEnv(command, env, (p) => (p.startsWith('/') ? p : `${cwd}/${p}`));
  const target = redisTarget(env);
  if (!sent || !target || BUILD_ID === undefined) return outcome;
  const connecting = RespConnection.open(target, ROUND_TRIP_MS + WAIT_SECONDS * 1000, ROUND_TRIP_MS);
  connecting.catch(() => undefined);
  const name = clusterName(env);
  const lt = io.readFile('/etc/localtime');
  if (name === undefined) return outcome;
  let c: RespConnection;
  try {
    c = await connecting;
  } catch {
    return outcome;
  }
  try {
    const keys = keysFor(name);
    const once = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const request: ServeRequest = {
      id: once,
      once,
      command,
      argv,
      env: sent,
      cwd,
      uid: process.getuid?.() ?? 0,
      zone: zoneOf(env.TZ, 'bytes' in lt ? lt.bytes : undefined),
      ...(command === 'sbatch' && { identity: currentIdentity() }),
    };
    const readStdin = () => (outcome.stdin ??= io.readStdin());
    // sbatch may first need its script (or stdin) from here: at most one of each
    for (let round = 0; round < 3; round++) {
      const answer = await ask(c, keys, request);
      // no answer in time: the full command does not wait again
      if (!answer) return { ...outcome, asked: true };
      // declined: no controller of this build runs, or this is for the caller's own process
      if (answer.code === DECLINED) return outcome;
      if (answer.code !== NEED) return { ...outcome, answer };
      const needs = decodeNeeds(answer.stderr);
      if (needs.script) {
        // found and read as sbatch alone finds and reads it
        const opened = openScript(needs.script.given, cwd, env.PATH, readStdin);
        request.script = { given: needs.script.given, ...(opened && { path: opened.path, bytes: base64(opened.bytes) }) };
      }
      if (needs.stdin) request.stdin = base64(readStdin());
      request.id = `${once}.${round + 1}`;
    }
    return outcome;
  } catch (e) {
    if (e instanceof RunHere) return { ...outcome, asked: true, once: e.once };
    if (e instanceof Lost) {
      io.write(2, new TextEncoder().encode(e.message));
      process.exit(1);
    }
    return outcome;
  } finally {
    c.close();
  }
}

async function main(): Promise<void> {
  const [name, ...argv] = process.argv.slice(2);
  const command = SERVED_COMMANDS.find((c) => c === name);
  if (!command) return io.fallback(name ?? '', argv, false);
  const env = process.env;
  const { answer, asked, stdin, once } = env.FLOW_SERVED === '0' ? ({ asked: false } as Outcome) : await serve(command, argv, env);
  if (!answer || answer.code < 0) {
    // FLOW_SERVED=only: for tests, which must know that the controller answered
    if (env.FLOW_SERVED === 'only') {
      io.write(2, new TextEncoder().encode(`${command}: error: the controller did not answer\n`));
      process.exit(1);
    }
    return io.fallback(command, argv, asked, stdin, once);
  }
  if (answer.stderr) io.write(2, Buffer.from(answer.stderr));
  if (answer.stdout.length) io.write(1, answer.stdout);
  process.exit(answer.code);
}

main().catch((e: unknown) => {
  // a fault of this client itself: one line, as every command's (commands/run-main.ts)
  process.stderr.write(`${process.argv[2] ?? 'flow'}: error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
