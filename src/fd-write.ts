/**
 * Writing all of some bytes to a file descriptor, synchronously, waiting out a
 * full non-blocking pipe: the commands' output (commands/io.ts), srun's task
 * output (steps/launch.ts) and the served commands' client (served/client/io.ts).
 * What stopped it (EPIPE: the reader went away) is the caller's to decide.
 */
import { writeSync } from 'node:fs';

const pause = new Int32Array(new SharedArrayBuffer(4));

/** undefined once everything is written, else the error that stopped it */
export function writeFully(fd: number, bytes: Uint8Array): NodeJS.ErrnoException | undefined {
  for (let off = 0; off < bytes.length;) {
    try {
      off += writeSync(fd, bytes, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') return e as NodeJS.ErrnoException;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
  return undefined;
}
