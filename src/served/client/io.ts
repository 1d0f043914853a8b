/**
 * What the served commands' Node client (main.ts) does to its process: files,
 * stdio, and handing the command over to its full bundle (flow-client.c does
 * the same in C).
 */
import { readFileSync } from 'node:fs';
import { writeFully } from '../../fd-write.js';
import { ASKED, ONCE } from '../protocol.js';

export type FileRead = { bytes: Uint8Array } | { code: string };

export const clientIO = {
  readFile(path: string): FileRead {
    try {
      return { bytes: readFileSync(path) };
    } catch (e) {
      return { code: (e as NodeJS.ErrnoException).code ?? 'EIO' };
    }
  },
  /** all of it, as the full command reads it (commands/io.ts) */
  readStdin: (): Buffer => readFileSync(0),
  /** all of it; a reader that went away ends the process as SIGPIPE would (exit 141, as commands/io.ts) */
  write(fd: 1 | 2, bytes: Uint8Array): void {
    const failed = writeFully(fd, bytes);
    if (failed?.code === 'EPIPE') process.exit(fd === 1 ? 141 : 1);
    if (failed) throw failed;
  },
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
