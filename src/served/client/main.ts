/**
 * The served commands' client on Node (dist/<cmd> starts it where the C
 * client, flow-client.c, was not built; FLOW_CLIENT=node chooses it). It asks the leading controller to run
 * the command (protocol.ts) in one round trip and prints the answer. It loads
 * nothing of the commands themselves; whenever the controller cannot answer,
 * the command runs in full (io.ts fallback), as it would have without this.
 */
import { keysFor, type Keys } from '../../store/keys.js';
import serveLua from '../../store/lua/serve-4.lua';
import { BUILD_ID, decodeNeeds, DECLINED, laneOf, NEED, READ_ONLY, SERVED_COMMANDS, servedEnv, zoneOf, type ServeRequest, type ServedCommand } from '../protocol.js';
import type { InputNeeds } from '../../script/read.js';
import { clusterName, redisTarget } from './locate.js';
import { clientIO as io, type Socket } from './io.js';
import { holderDead } from '../../store/holder.js';
import { encodeCommands, ReplyError, ReplyReader, text, type Reply } from './wire.js';

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

class Connection {
  private readonly reader = new ReplyReader();
  private waiting?: { count: number; replies: Reply[]; resolve: (r: Reply[]) => void; reject: (e: Error) => void };
  private ended?: Error;

  private socket?: Socket;

  static async open(place: { path?: string; host?: string; port?: number }): Promise<Connection> {
    const c = new Connection();
    c.socket = await io.connect(place, (d) => c.data(d), (e) => c.end(e ?? new Error('connection closed')));
    return c;
  }

  private data(bytes: Uint8Array): void {
    this.reader.feed(bytes);
    const w = this.waiting;
    if (!w) return;
    try {
      for (let r = this.reader.next(); r !== undefined; r = w.replies.length < w.count ? this.reader.next() : undefined) w.replies.push(r);
    } catch (e) {
      // not Redis at the other end: the full command says so in its own words
      this.end(e as Error);
      this.socket?.close();
      return;
    }
    if (w.replies.length === w.count) {
      this.waiting = undefined;
      w.resolve(w.replies);
    }
  }

  private end(e: Error): void {
    this.ended = e;
    this.waiting?.reject(e);
    this.waiting = undefined;
  }

  /** The replies of commands sent together. */
  send(commands: (string | number | Uint8Array)[][], waitMs = WAIT_SECONDS * 1000): Promise<Reply[]> {
    if (this.ended) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('Redis did not answer')), ROUND_TRIP_MS + waitMs);
      this.waiting = {
        count: commands.length,
        replies: [],
        resolve: (r) => (clearTimeout(timer), resolve(r)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      };
      this.socket!.write(encodeCommands(commands));
    });
  }

  close(): void {
    this.socket?.close();
  }
}

interface Answer {
  code: number;
  stdout: Uint8Array;
  stderr: Uint8Array;
}

/** protocol.ts encodeAnswer: `code \n stderr length \n stderr stdout`. */
function decodeAnswer(bytes: Uint8Array): Answer | undefined {
  const nl1 = bytes.indexOf(10);
  const nl2 = bytes.indexOf(10, nl1 + 1);
  if (nl1 < 0 || nl2 < 0) return undefined;
  const head = new TextDecoder().decode(bytes.subarray(0, nl2)).split('\n');
  const code = Number(head[0]);
  const errLength = Number(head[1]);
  if (!Number.isInteger(code) || !Number.isInteger(errLength)) return undefined;
  return { code, stderr: bytes.subarray(nl2 + 1, nl2 + 1 + errLength), stdout: bytes.subarray(nl2 + 1 + errLength) };
}

const base64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64');

/** The script sbatch names, looked for as script/read.ts findScript looks (the controller says where). */
function findScript(need: NonNullable<InputNeeds['script']>, readStdin: () => Uint8Array): ServeRequest['script'] {
  const found = (path: string, bytes: Uint8Array) => ({ given: need.given, path, bytes: base64(bytes) });
  const [local, ...onPath] = need.paths;
  if (local === '/dev/stdin' || local === '/proc/self/fd/0') return found(local, readStdin());
  const first = io.readFile(local!);
  if ('bytes' in first) return found(local!, first.bytes);
  // a bare name: a file here that cannot be read is still the one (sbatch: Unable to open file)
  if (need.bare && first.code !== 'ENOENT' && first.code !== 'EISDIR' && first.code !== 'ENOTDIR') return { given: need.given };
  if (need.bare) {
    for (const p of onPath) {
      const r = io.readFile(p);
      if ('bytes' in r) return found(p, r.bytes);
    }
  }
  return { given: need.given };
}

/** As commands/identity.ts currentIdentity (its group name from /etc/group, or the number). */
function identityOf(): ServeRequest['identity'] {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  let groupName = String(gid);
  const group = io.readFile('/etc/group');
  if ('bytes' in group) {
    for (const line of new TextDecoder().decode(group.bytes).split('\n')) {
      const [name, , id] = line.split(':');
      if (id !== undefined && Number(id) === gid && name) {
        groupName = name;
        break;
      }
    }
  }
  return { userId: uid, userName: io.userName(), groupId: gid, groupName, submitHost: io.hostname().split('.')[0]!, allocSid: process.ppid };
}

/** How long an answer waits for a caller that has gone away (server.ts). */
const ANSWER_TTL_MS = 10_000;
const DECLINED_ANSWER = `${DECLINED}\n0\n`;

/**
 * Asks once, in one round trip (serve-4.lua queues the request, or answers it as declined when no
 * controller of this build runs); undefined when there is no answer to use.
 */
async function ask(c: Connection, keys: Keys, request: ServeRequest, first: (string | number)[][]): Promise<Answer | undefined> {
  const body = JSON.stringify(request);
  const answerKey = keys.served(request.id);
  const replies = await c.send([
    ...first,
    ['EVAL', serveLua, 4, keys.controller, keys.controllerBuild, laneOf(request.command, keys), answerKey, BUILD_ID!, body, DECLINED_ANSWER, ANSWER_TTL_MS],
    ['BLPOP', answerKey, WAIT_SECONDS],
  ]);
  if (replies.some((r) => r instanceof ReplyError)) return undefined;
  const popped = replies[replies.length - 1];
  if (Array.isArray(popped) && popped[1] instanceof Uint8Array) return decodeAnswer(popped[1]);
  // not answered in time: claim it, so that no controller carries it out late (server.ts), and take it back
  const [claimed] = await c.send([['SET', keys.servedClaim(request.id), 'caller', 'PX', CLAIM_TTL_MS, 'NX'], ['LREM', laneOf(request.command, keys), 1, body]]);
  if (claimed === 'OK') return undefined;
  // a controller claimed it and is at work on it (a busy one): its answer is the one to print, unless it died
  // (its claim names it as a lease does: store/holder.ts)
  const [claimant] = await c.send([['GET', keys.servedClaim(request.id)]]);
  let dead = false;
  for (let waited = 0; waited < TAKEN_WAIT_SECONDS && !dead; waited++) {
    const [late] = await c.send([['BLPOP', answerKey, 1]]);
    if (Array.isArray(late) && late[1] instanceof Uint8Array) return decodeAnswer(late[1]);
    dead = holderDead(text(claimant!) ?? '');
  }
  // done again here: a submission as the same job (its `once`), whatever its controller got done of it; a
  // scancel or scontrol whose controller died with it is done again (it may have been done already)
  if (dead || READ_ONLY.has(request.command) || request.command === 'sbatch') throw new RunHere(request.once);
  throw new Lost(`${request.command}: error: the controller took the request and did not answer in ${TAKEN_WAIT_SECONDS} s; it may have been carried out\n`);
}

interface Outcome {
  answer?: Answer;
  /** the controller was asked and did not answer: the full command does not ask again */
  asked: boolean;
  stdin?: Uint8Array;
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
  const connecting = Connection.open(target);
  connecting.catch(() => undefined);
  const name = clusterName(env);
  const lt = io.readFile('/etc/localtime');
  const identity = command === 'sbatch' ? identityOf() : undefined;
  if (name === undefined) return outcome;
  let c: Connection;
  try {
    c = await connecting;
  } catch {
    return outcome;
  }
  try {
    const keys = keysFor(name);
    const first: (string | number)[][] = [];
    if (target.password !== undefined) first.push(target.username ? ['AUTH', target.username, target.password] : ['AUTH', target.password]);
    if (target.db) first.push(['SELECT', target.db]);
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
      ...(identity && { identity }),
    };
    const readStdin = () => (outcome.stdin ??= io.readStdin());
    // sbatch may first need its script (or stdin) from here: at most one of each
    for (let round = 0; round < 3; round++) {
      const answer = await ask(c, keys, request, round === 0 ? first : []);
      // no answer in time: the full command does not wait again
      if (!answer) return { ...outcome, asked: true };
      // declined: no controller of this build runs, or this is for the caller's own process
      if (answer.code === DECLINED) return outcome;
      if (answer.code !== NEED) return { ...outcome, answer };
      const needs = decodeNeeds(new TextDecoder().decode(answer.stderr));
      if (needs.script) request.script = findScript(needs.script, readStdin);
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
  if (answer.stderr.length) io.write(2, answer.stderr);
  if (answer.stdout.length) io.write(1, answer.stdout);
  process.exit(answer.code);
}

main().catch((e: unknown) => {
  // a fault of this client itself: one line, as every command's (commands/run-main.ts)
  process.stderr.write(`${process.argv[2] ?? 'flow'}: error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
