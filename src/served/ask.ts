/**
 * The command's side: ask the leading controller to run this command (see
 * protocol.ts). Undefined whenever it cannot or does not answer in time; the
 * caller then does the work itself.
 */
import { resolve } from 'node:path';
import type { Cluster } from '../cluster/load.js';
import type { IO } from '../commands/io.js';
import type { Session } from '../client/session.js';
import { localtime } from './localtime.js';
import { BUILD_ID, decodeAnswer, DECLINED, laneOf, servedEnv, zoneOf, type ServeAnswer, type ServedCommand, type ServeRequest } from './protocol.js';

/** How long to wait for an answer: a controller answers in milliseconds, a dead one never. */
const WAIT_SECONDS = 1;

export async function askController(command: ServedCommand, argv: string[], io: IO, cluster: Cluster,
  open: (cluster: Cluster) => Promise<Session>): Promise<ServeAnswer | undefined> {
  if (BUILD_ID === undefined || io.env.FLOW_SERVED === '0') return undefined;
  let answer: ServeAnswer | undefined;
  try {
    answer = await ask(command, argv, io, await open(cluster));
  } catch {
    // Redis unreachable or the like: the command itself says so, as it would have
  }
  // FLOW_SERVED=only: for tests, which must know that the controller answered
  if (!answer && io.env.FLOW_SERVED === 'only') return { code: 1, stdout: Buffer.alloc(0), stderr: `${command}: error: the controller did not answer\n` };
  return answer;
}

async function ask(command: ServedCommand, argv: string[], io: IO, s: Session): Promise<ServeAnswer | undefined> {
  if (s.controllerBuild !== BUILD_ID) return undefined;
  const request: ServeRequest = {
    id: `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    command,
    argv,
    env: servedEnv(command, io.env, (p) => resolve(io.cwd, p))!,
    cwd: io.cwd,
    uid: process.getuid?.() ?? 0,
    zone: zoneOf(io.env.TZ, localtime()),
  };
  const text = JSON.stringify(request);
  const answerKey = s.keys.served(request.id);
  // both sent at once; the answer comes back as bytes
  const pushed = s.redis.call(['RPUSH', laneOf(command, s.keys), text]);
  const reply = await s.redis.call(['BLPOP', answerKey, WAIT_SECONDS], true);
  await pushed;
  if (!Array.isArray(reply) || !Buffer.isBuffer(reply[1])) {
    // not taken in time: take the request back, so no one answers it late
    await s.redis.call(['LREM', laneOf(command, s.keys), 1, text]);
    return undefined;
  }
  const answer = decodeAnswer(reply[1]);
  return answer && answer.code !== DECLINED ? answer : undefined;
}
