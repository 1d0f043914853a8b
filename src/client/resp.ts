/**
 * A small Redis client for the commands. sbatch and squeue run in loops inside
 * other tools and must start in tens of milliseconds; ioredis alone takes
 * longer than that to load (it pulls in TLS, cluster support...), so the
 * short-lived commands speak RESP2 directly over one socket. The controller,
 * a long-lived process, uses ioredis (and BullMQ on top of it).
 */
import { isAscii } from 'node:buffer';
import { connect, type Socket } from 'node:net';
import { describeReply } from './reply-shape.js';

export type Reply = string | number | null | Buffer | Reply[] | RedisReplyError;
export type Arg = string | number | Buffer;

export class RedisReplyError extends Error {}
/** Redis took the command but has not answered for the whole time limit: it hangs. */
export class RedisTimeout extends Error {}
/** Bytes that are not a Redis reply: the service at the address is not Redis (retrying cannot help). */
export class RedisProtocolError extends Error {}

import type { RedisTarget } from './redis-url.js';
export { parseRedisUrl, RedisUrlError, type RedisTarget } from './redis-url.js';

function encode(args: Arg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a));
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

type Decode = (latin1: string) => string | Buffer;
const asIs = (t: string) => t;
const utf8 = (t: string) => Buffer.from(t, 'latin1').toString('utf8');
const bytes = (t: string) => Buffer.from(t, 'latin1');

/**
 * Decodes one complete reply. The bytes are read as a latin1 string (one char
 * per byte, so RESP's byte lengths are string offsets); slicing a string is
 * far cheaper than decoding thousands of small buffers, and a pure-ASCII
 * reply, the usual case, needs no decoding at all.
 */
export function decodeReply(buf: Buffer, binary = false): Reply {
  return new ReplyReader(buf.toString('latin1'), binary ? bytes : isAscii(buf) ? asIs : utf8).read();
}

/** An array of bulk strings, undecoded: one string and where each element lies in it. */
export interface TextArray {
  text: string;
  /** start and end offset of element k at [2k] and [2k + 1]; -1, -1 for a nil */
  ranges: Int32Array;
}

/**
 * A reply that is an array of pure-ASCII bulk strings, as one latin1 string
 * plus offsets: thousands of elements without a string each. Undefined for
 * anything else (non-ASCII text, an error), which the caller decodes normally.
 */
export function textArray(reply: Buffer): TextArray | undefined {
  if (reply[0] !== 0x2a || !isAscii(reply)) return undefined;
  const text = reply.toString('latin1');
  let pos = 1;
  const int = () => {
    let n = 0;
    let sign = 1;
    if (text.charCodeAt(pos) === 0x2d) {
      sign = -1;
      pos++;
    }
    for (let c = text.charCodeAt(pos); c !== 13; c = text.charCodeAt(++pos)) n = n * 10 + c - 48;
    pos += 2;
    return sign * n;
  };
  const count = Math.max(0, int());
  const ranges = new Int32Array(2 * count);
  for (let k = 0; k < count; k++) {
    if (text.charCodeAt(pos) !== 0x24) return undefined;
    pos++;
    const len = int();
    if (len < 0) {
      ranges[2 * k] = ranges[2 * k + 1] = -1;
      continue;
    }
    ranges[2 * k] = pos;
    ranges[2 * k + 1] = pos + len;
    pos += len + 2;
  }
  return { text, ranges };
}

class ReplyReader {
  private pos = 0;

  constructor(private readonly text: string, private readonly decode: Decode) {}

  /** The integer after the type byte, up to \r\n (digits only, so no string is made). */
  private int(): number {
    const t = this.text;
    let i = this.pos + 1;
    const negative = t.charCodeAt(i) === 0x2d;
    if (negative) i++;
    let n = 0;
    for (let c = t.charCodeAt(i); c !== 13; c = t.charCodeAt(++i)) n = n * 10 + c - 48;
    this.pos = i + 2;
    return negative ? -n : n;
  }

  private line(): string {
    const eol = this.text.indexOf('\r\n', this.pos);
    const line = this.text.slice(this.pos + 1, eol);
    this.pos = eol + 2;
    return line;
  }

  read(): Reply {
    switch (this.text.charCodeAt(this.pos)) {
      case 0x2b: // +
        return utf8(this.line());
      case 0x2d: // -
        return new RedisReplyError(utf8(this.line()));
      case 0x3a: // :
        return this.int();
      case 0x24: { // $
        const len = this.int();
        if (len < 0) return null;
        const start = this.pos;
        this.pos += len + 2;
        return this.decode(this.text.slice(start, start + len));
      }
      case 0x2a: { // *
        const n = this.int();
        if (n < 0) return null;
        const out: Reply[] = new Array(n);
        for (let i = 0; i < n; i++) out[i] = this.read();
        return out;
      }
      default:
        throw new RedisProtocolError(`unexpected reply: ${JSON.stringify(this.text.slice(this.pos, this.pos + 40))}`);
    }
  }
}

/**
 * Finds where the first reply in a buffer ends without decoding it, resuming
 * where it stopped when more bytes arrive: a large reply arrives in many
 * chunks, and decoding it again on every chunk would be quadratic.
 */
class ReplyScanner {
  private pos = 0;
  /** items still expected at each open array level */
  private readonly open: number[] = [];

  /** The end offset of the first reply in buf[0..len), or -1 if incomplete. */
  scan(buf: Buffer, len: number): number {
    for (;;) {
      if (this.pos >= len) return -1;
      const type = buf[this.pos];
      // the header line: type byte, then a number or text, then \r\n
      let i = this.pos + 1;
      let n = 0;
      let negative = false;
      if (type === 0x24 || type === 0x2a) {
        if (buf[i] === 0x2d) {
          negative = true;
          i++;
        }
        for (let c = buf[i]; c !== 13; c = buf[++i]) {
          if (i >= len) return -1;
          n = n * 10 + c! - 48;
        }
      } else {
        i = buf.indexOf(13, i);
        if (i < 0) return -1;
      }
      let next = i + 2;
      if (next > len) return -1;
      if (type === 0x24 && !negative) {
        next += n + 2;
        if (next > len) return -1;
      } else if (type === 0x2a && !negative && n > 0) {
        this.pos = next;
        this.open.push(n);
        continue;
      }
      this.pos = next;
      while (this.open.length) {
        const top = this.open.length - 1;
        if (--this.open[top]! > 0) break;
        this.open.pop();
      }
      if (this.open.length === 0) {
        this.pos = 0;
        return next;
      }
    }
  }
}

/** Redis's own limit on a bulk string (proto-max-bulk-len): anything longer is not Redis speaking. */
const MAX_REPLY_BYTES = 512 << 20;

interface Pending {
  resolve: (r: Reply) => void;
  reject: (e: Error) => void;
  /** text: strings; binary: bulk strings as Buffers; raw: the reply's bytes undecoded */
  mode: 'text' | 'binary' | 'raw';
}

/**
 * One connection to Redis. It fails every pending command when the
 * connection drops, or when an awaited reply is not complete within
 * `idleMs` (a Redis that hangs, or bytes that trickle in without end);
 * RedisClient (redis-client.ts) retries.
 */
export class RespConnection {
  /** received bytes not yet consumed: buf[0..len) */
  private buf: Buffer = Buffer.alloc(0);
  private len = 0;
  private readonly scanner = new ReplyScanner();
  private readonly queue: Pending[] = [];
  private closed?: Error;
  /** when the reply now awaited began to be awaited: it must be complete within idleMs */
  private awaitedSince = 0;

  private constructor(private readonly socket: Socket, private readonly idleMs: number) {
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('connection to Redis closed')));
    socket.on('timeout', () => socket.destroy(new RedisTimeout(`no reply in ${Math.round(idleMs / 1000)} s`)));
  }

  private fail(e: Error): void {
    this.closed ??= e;
    for (const p of this.queue.splice(0)) p.reject(e);
  }

  static async open(target: RedisTarget, idleMs = 30_000, timeoutMs = 2000): Promise<RespConnection> {
    // node:tls takes every command a few milliseconds to load: only a rediss:// target loads it
    const tls = target.tls ? await import('node:tls') : undefined;
    return new Promise((resolve, reject) => {
      const host = target.host ?? '127.0.0.1';
      const socket = target.path ? connect({ path: target.path })
        : tls && target.tls ? tls.connect({ host, port: target.port ?? 6379, ...target.tls, servername: /^[\d.:]+$/.test(host) ? undefined : host })
        : connect({ host, port: target.port ?? 6379 });
      socket.setNoDelay(true);
      const timer = setTimeout(() => socket.destroy(new Error('timed out connecting to Redis')), timeoutMs);
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      // over TLS, the first command waits for the handshake (a refused certificate is an error, not a reply)
      socket.once(target.tls ? 'secureConnect' : 'connect', async () => {
        clearTimeout(timer);
        const r = new RespConnection(socket, idleMs);
        try {
          // an answer other than OK: not Redis (a service that answers anything would otherwise pass)
          const ok = async (args: Arg[]) => {
            const reply = await r.call(args);
            if (reply !== 'OK') throw new RedisProtocolError(`unexpected reply: ${describeReply(reply)} to ${args[0]}`);
          };
          if (target.password) await ok(target.username ? ['AUTH', target.username, target.password] : ['AUTH', target.password]);
          if (target.db) await ok(['SELECT', target.db]);
          resolve(r);
        } catch (e) {
          socket.destroy();
          reject(e);
        }
      });
    });
  }

  private onData(d: Buffer): void {
    // bytes nobody asked for, a reply that never ends or trickles in forever: not Redis, or one that hangs
    if (this.queue.length === 0) {
      this.socket.destroy(new RedisProtocolError(`unexpected reply: ${JSON.stringify(d.toString('latin1', 0, 40))}`));
      return;
    }
    if (this.len + d.length > MAX_REPLY_BYTES) {
      this.socket.destroy(new RedisProtocolError(`a reply larger than ${MAX_REPLY_BYTES >> 20} MB`));
      return;
    }
    if (Date.now() - this.awaitedSince > this.idleMs) {
      this.socket.destroy(new RedisTimeout(`no complete reply in ${Math.round(this.idleMs / 1000)} s`));
      return;
    }
    if (this.len === 0) {
      this.buf = d;
    } else {
      if (this.len + d.length > this.buf.length) {
        // grow by doubling: appending stays linear in the reply size
        const bigger = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.len + d.length));
        this.buf.copy(bigger, 0, 0, this.len);
        this.buf = bigger;
      }
      d.copy(this.buf, this.len);
    }
    this.len += d.length;
    try {
      while (this.queue.length) {
        const end = this.scanner.scan(this.buf, this.len);
        if (end < 0) break;
        const mode = this.queue[0]!.mode;
        const r = mode === 'raw' ? Buffer.from(this.buf.subarray(0, end)) : decodeReply(this.buf.subarray(0, end), mode === 'binary');
        const p = this.queue.shift()!;
        if (r instanceof RedisReplyError) p.reject(r);
        else p.resolve(r);
        this.awaitedSince = Date.now();
        this.buf = this.buf.subarray(end);
        this.len -= end;
      }
    } catch (e) {
      // not Redis speaking: nothing more on this connection can be trusted
      this.socket.destroy(e instanceof RedisProtocolError ? e : new RedisProtocolError(`unexpected reply: ${(e as Error).message}`));
      return;
    }
    if (this.len === 0) this.buf = Buffer.alloc(0);
    if (this.queue.length === 0) this.socket.setTimeout(0);
  }

  private send(p: Pending[], bytes: Buffer): void {
    // a reply is now awaited: a Redis that stops answering is noticed
    if (this.queue.length === 0) {
      this.socket.setTimeout(this.idleMs);
      this.awaitedSince = Date.now();
    }
    this.queue.push(...p);
    this.socket.write(bytes);
  }

  /** One command; `binary` keeps bulk strings as Buffers. */
  call(args: Arg[], binary = false): Promise<Reply> {
    if (this.closed) return Promise.reject(this.closed);
    return new Promise((resolve, reject) => this.send([{ resolve, reject, mode: binary ? 'binary' : 'text' }], encode(args)));
  }

  /** One command whose reply comes back as its raw bytes (see textArray). */
  callRaw(args: Arg[]): Promise<Buffer> {
    if (this.closed) return Promise.reject(this.closed);
    return new Promise((resolve, reject) => this.send([{ resolve: (r) => resolve(r as Buffer), reject, mode: 'raw' }], encode(args)));
  }

  /** Several commands in one write; replies in order (Redis's errors as values; a lost connection rejects). */
  pipeline(commands: Arg[][]): Promise<Reply[]> {
    if (commands.length === 0) return Promise.resolve([]);
    if (this.closed) return Promise.reject(this.closed);
    const pending: Pending[] = [];
    const replies = commands.map(() => new Promise<Reply>((resolve, reject) => pending.push({
      resolve,
      reject: (e) => (e instanceof RedisReplyError ? resolve(e) : reject(e)),
      mode: 'text',
    })));
    this.send(pending, Buffer.concat(commands.map(encode)));
    return Promise.all(replies);
  }

  close(): void {
    this.closed ??= new Error('connection to Redis closed');
    this.socket.destroy();
  }
}
