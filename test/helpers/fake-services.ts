/**
 * Services that are not Redis, or not a sane one, each on its own port, for
 * tests of what the commands say when FLOW_REDIS_URL points at them. Random
 * bytes come from the seeded generator (rng.ts), so a failure reproduces.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { rng } from './rng.js';

export type FakeKind = 'garbage' | 'truncated' | 'wrong-type' | 'http' | 'silent' | 'refused';

/** Commands sent as RESP arrays of bulk strings, taken off the front of `buf`; the rest stays. */
export function takeCommands(buf: Buffer): { commands: string[][]; rest: Buffer } {
  const commands: string[][] = [];
  let pos = 0;
  const line = (): string | undefined => {
    const eol = buf.indexOf('\r\n', pos);
    if (eol < 0) return undefined;
    const text = buf.toString('latin1', pos, eol);
    pos = eol + 2;
    return text;
  };
  for (;;) {
    const start = pos;
    const head = line();
    if (head === undefined || !head.startsWith('*')) return { commands, rest: buf.subarray(start) };
    const args: string[] = [];
    for (let i = 0; i < Number(head.slice(1)); i++) {
      const len = line();
      if (len === undefined || pos + Number(len.slice(1)) + 2 > buf.length) return { commands, rest: buf.subarray(start) };
      args.push(buf.toString('latin1', pos, pos + Number(len.slice(1))));
      pos += Number(len.slice(1)) + 2;
    }
    commands.push(args);
  }
}

/** Replies of a type Redis never gives the command (EVAL's scripts here answer integers or a string, never nil or an array). */
const WRONG: Record<string, string[]> = {
  int: ['$2\r\nno\r\n', '*1\r\n:1\r\n', '$-1\r\n'],
  bulk: [':7\r\n', '*2\r\n$1\r\na\r\n$1\r\nb\r\n'],
  array: [':7\r\n', '$3\r\nabc\r\n', '*1\r\n:1\r\n'],
  script: ['*1\r\n:1\r\n', '$-1\r\n'],
  scan: [':0\r\n', '*2\r\n:0\r\n:0\r\n'],
  any: [':1\r\n', '*0\r\n', '$-1\r\n'],
};
const CLASS: Record<string, keyof typeof WRONG> = {
  DEL: 'int', UNLINK: 'int', HINCRBY: 'int', HSETNX: 'int', LREM: 'int', RPUSH: 'int', SCARD: 'int', PUBLISH: 'int', PTTL: 'int', SET: 'int',
  GET: 'bulk', HGET: 'bulk',
  SMEMBERS: 'array', ZRANGE: 'array', HVALS: 'array', HGETALL: 'array', HMGET: 'array', ZMSCORE: 'array',
  EVAL: 'script', EVALSHA: 'script', SCAN: 'scan', BLPOP: 'scan',
};

export function wrongReply(command: string[], random: () => number): string {
  const name = (command[0] ?? '').toUpperCase();
  if (name === 'AUTH' || name === 'SELECT') return '+OK\r\n'; // get past the handshake, to the commands' data
  const choices = WRONG[CLASS[name] ?? 'any']!;
  return choices[Math.floor(random() * choices.length)]!;
}

function handler(kind: FakeKind, random: () => number, open: Set<Socket>): (socket: Socket) => void {
  return (socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => undefined);
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      switch (kind) {
        case 'garbage': {
          const bytes = Buffer.alloc(1 + Math.floor(random() * 64));
          for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
          socket.write(bytes);
          break;
        }
        case 'truncated': {
          // a reply that starts well and stops in the middle
          const prefixes = ['*3\r\n$3\r\nfoo\r\n', '$100\r\nabc', ':12', '*2\r\n$-1\r\n', '+O'];
          socket.end(prefixes[Math.floor(random() * prefixes.length)]!);
          break;
        }
        case 'wrong-type': {
          const { commands, rest } = takeCommands(Buffer.concat([pending, d]));
          pending = rest;
          socket.write(commands.map((c) => wrongReply(c, random)).join(''));
          break;
        }
        case 'http':
          socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nConnection: close\r\n\r\nBad Request');
          break;
        default:
          break; // silent: takes the command and never answers
      }
    });
  };
}

export class FakeServices {
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  readonly ports = new Map<FakeKind, number>();

  async start(seed: number): Promise<void> {
    const random = rng(seed);
    for (const kind of ['garbage', 'truncated', 'wrong-type', 'http', 'silent', 'refused'] as FakeKind[]) {
      const server = createServer(handler(kind, random, this.sockets));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      this.ports.set(kind, (server.address() as { port: number }).port);
      // refused: a port nothing listens on any more
      if (kind === 'refused') await new Promise((r) => server.close(r));
      else this.servers.push(server);
    }
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(this.servers.map((s) => new Promise((r) => s.close(r))));
  }
}
