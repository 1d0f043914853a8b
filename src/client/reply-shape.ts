/**
 * What Redis answers to each command the commands send, checked before the
 * reply is used: a reply of another shape means the service is not Redis
 * (or not a sane one), and a command must fail with one clear line rather
 * than act on it (`s.filter is not a function`, a job id `NaN`). Pure.
 * EVAL and EVALSHA answer what their script returns: scripts.ts checks those.
 */
import type { Arg, Reply } from './resp.js';

type Shape = 'ok' | 'okOrNil' | 'int' | 'bulk' | 'strings' | 'bulksOrNils' | 'scan' | 'pop' | 'any';

const SHAPES: Record<string, Shape> = {
  AUTH: 'ok', SELECT: 'ok', QUIT: 'ok',
  // SET ... NX answers nil when the key exists
  SET: 'okOrNil',
  GET: 'bulk', HGET: 'bulk',
  DEL: 'int', UNLINK: 'int', HINCRBY: 'int', HSETNX: 'int', LREM: 'int', RPUSH: 'int', SCARD: 'int', PUBLISH: 'int', PTTL: 'int', INCR: 'int', EXISTS: 'int',
  SMEMBERS: 'strings', ZRANGE: 'strings', HVALS: 'strings', HGETALL: 'strings', KEYS: 'strings',
  HMGET: 'bulksOrNils', ZMSCORE: 'bulksOrNils',
  SCAN: 'scan',
  BLPOP: 'pop',
};

const isText = (r: Reply) => typeof r === 'string' || Buffer.isBuffer(r);

/** How a reply looks, for the error message (never its whole content). */
export function describeReply(r: Reply): string {
  if (r === null) return 'nil';
  if (typeof r === 'number') return 'an integer';
  if (isText(r)) return 'a string';
  if (Array.isArray(r)) return `an array of ${r.length}`;
  return 'an error';
}

function fits(shape: Shape, r: Reply): boolean {
  switch (shape) {
    case 'ok': return r === 'OK';
    case 'okOrNil': return r === 'OK' || r === null;
    case 'int': return typeof r === 'number';
    case 'bulk': return r === null || isText(r);
    case 'strings': return Array.isArray(r) && r.every(isText);
    case 'bulksOrNils': return Array.isArray(r) && r.every((x) => x === null || isText(x));
    case 'scan': return Array.isArray(r) && r.length === 2 && isText(r[0]!) && /^\d+$/.test(String(r[0])) && Array.isArray(r[1]) && r[1].every(isText);
    case 'pop': return r === null || (Array.isArray(r) && r.length === 2 && r.every(isText));
    case 'any': return true;
  }
}

/**
 * Undefined when `reply` is what Redis answers to `args` (an error reply is
 * checked by the caller); otherwise what was wrong, e.g. `an integer to HGET`.
 */
export function replyMismatch(args: readonly Arg[], reply: Reply): string | undefined {
  const name = String(args[0] ?? '').toUpperCase();
  const shape = SHAPES[name] ?? 'any';
  if (!fits(shape, reply)) return `${describeReply(reply)} to ${name}`;
  // HMGET and ZMSCORE answer one element per field or member asked for
  if (shape === 'bulksOrNils' && (reply as Reply[]).length !== args.length - 2) return `${describeReply(reply)} to ${name} of ${args.length - 2}`;
  return undefined;
}
