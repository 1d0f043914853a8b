/**
 * What the served commands' client (main.ts) does to its process: a socket,
 * files, stdio, who the user is, and handing the command over to its full
 * bundle. The same on both of its runtimes' sides: Node here, C in flow-client.c.
 */
import { readFileSync, readSync } from 'node:fs';
import { writeFully } from '../../fd-write.js';
import { connect } from 'node:net';
import { hostname, userInfo } from 'node:os';
import { ASKED, ONCE } from '../protocol.js';

export interface Socket {
  write(bytes: Uint8Array): void;
  close(): void;
}

export type FileRead = { bytes: Uint8Array } | { code: string };

const pause = new Int32Array(new SharedArrayBuffer(4));

export const clientIO = {
  connect(target: { path?: string; host?: string; port?: number }, onData: (bytes: Uint8Array) => void, onEnd: (e?: Error) => void): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const s = target.path ? connect(target.path) : connect(target.port ?? 6379, target.host);
      s.setNoDelay(true);
      s.once('connect', () => resolve({ write: (b) => void s.write(b), close: () => s.destroy() }));
      s.on('data', (d) => onData(d));
      s.once('error', (e) => {
        reject(e);
        onEnd(e);
      });
      s.once('close', () => onEnd());
    });
  },
  readFile(path: string): FileRead {
    try {
      return { bytes: readFileSync(path) };
    } catch (e) {
      return { code: (e as NodeJS.ErrnoException).code ?? 'EIO' };
    }
  },
  readStdin(): Uint8Array {
    const chunks: Buffer[] = [];
    const chunk = Buffer.alloc(65536);
    for (;;) {
      let n: number;
      try {
        n = readSync(0, chunk, 0, chunk.length, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          Atomics.wait(pause, 0, 0, 10);
          continue;
        }
        if (code === 'EOF') break;
        throw e;
      }
      if (n === 0) break;
      chunks.push(Buffer.from(chunk.subarray(0, n)));
    }
    return Buffer.concat(chunks);
  },
  /** all of it; a reader that went away ends the process as SIGPIPE would (exit 141, as commands/io.ts) */
  write(fd: 1 | 2, bytes: Uint8Array): void {
    const failed = writeFully(fd, bytes);
    if (failed?.code === 'EPIPE') process.exit(fd === 1 ? 141 : 1);
    if (failed) throw failed;
  },
  userName: () => userInfo().username,
  hostname: () => hostname(),
  /**
   * The command run by its full bundle (dist/launch.cjs), as if the client had not been. `asked`: the
   * controller was asked and did not answer (the command does not ask again); `stdin`: what was read of
   * it; `once`: a submission whose controller died with it (done as the same job).
   */
  async fallback(name: string, argv: string[], asked: boolean, stdin?: Uint8Array, once?: string): Promise<never> {
    const launch = `${__dirname}/launch.cjs`;
    if (stdin) {
      // stdin was read already: the command gets it from us
      const { spawnSync } = await import('node:child_process');
      const marks = [...(asked ? ['--asked'] : []), ...(once ? [`--once=${once}`] : [])];
      const r = spawnSync(process.execPath, [launch, ...marks, name, ...argv], { input: stdin, stdio: ['pipe', 'inherit', 'inherit'] });
      if (r.signal) process.kill(process.pid, r.signal);
      process.exit(r.status ?? 1);
    }
    if (asked) (globalThis as Record<symbol, unknown>)[ASKED] = true;
    if (once) (globalThis as Record<symbol, unknown>)[ONCE] = once;
    process.argv.splice(2, process.argv.length - 2, ...argv);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require(launch) as (name: string) => void)(name);
    return new Promise<never>(() => undefined);
  },
};
