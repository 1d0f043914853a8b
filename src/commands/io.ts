/**
 * What a command may touch of its process: argv comes separately; output,
 * input, the environment, the working directory and the clock come through
 * here, so commands return exit codes and tests can run them in-process.
 */
import { readFileSync, readSync } from 'node:fs';
import { writeFully } from '../fd-write.js';
import { isatty } from 'node:tty';
import { outputBytes } from '../format/bytes.js';
import { noteSecretsOf, redact } from '../redact.js';
import type { Identity } from '../submit/prepare.js';
import type { ScriptSource } from '../script/read.js';

export interface IO {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Buffer;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  now(): Date;
  /** the caller's user id, when it is not this process's (a command the controller answers for it) */
  uid?: number;
  /** the caller's user, group and host, when they are not this process's (sbatch answered by the controller) */
  identity?: Identity;
  /** how a script a path names is read, when it is not on this machine (sbatch answered by the controller) */
  openScript?: ScriptSource['open'];
  /** the controller answers for the caller (src/served): what needs the caller's own process throws OnlyTheCaller */
  answering?: true;
  /** output already in bytes (an answer from the controller), written as it is */
  stdoutBytes?(bytes: Buffer): void;
  /** the next line of stdin as it comes (without its newline), undefined at its end; for a terminal user typing commands */
  readLine?(): string | undefined;
  /** stdin is a terminal (which shows what is typed itself) */
  stdinIsTerminal?: boolean;
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Write all of text to fd, synchronously: output is complete the moment a
 * command returns, so its process can exit at once (no stream to drain), and
 * the stream machinery behind process.stdout is never loaded. A reader that
 * went away (`squeue | head`) ends the process quietly, as SIGPIPE ends Slurm's.
 */
function writeAll(fd: number, text: string | Buffer): void {
  const failed = writeFully(fd, typeof text === 'string' ? outputBytes(text) : text);
  if (failed?.code === 'EPIPE') process.exit(fd === 1 ? 141 : 1);
  if (failed) throw failed;
}

/** Lines of fd 0 one at a time, read synchronously (a terminal hands over a line per read). */
function lineReader(): () => string | undefined {
  let pending = Buffer.alloc(0);
  let ended = false;
  const chunk = Buffer.alloc(4096);
  return () => {
    for (;;) {
      const nl = pending.indexOf(10);
      if (nl >= 0) {
        const line = pending.subarray(0, nl).toString('utf8');
        pending = pending.subarray(nl + 1);
        return line;
      }
      if (ended) {
        if (pending.length === 0) return undefined;
        const line = pending.toString('utf8');
        pending = Buffer.alloc(0);
        return line;
      }
      let n = 0;
      try {
        n = readSync(0, chunk, 0, chunk.length, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
          Atomics.wait(pause, 0, 0, 10);
          continue;
        }
        n = 0;
      }
      if (n === 0) ended = true;
      else pending = Buffer.concat([pending, chunk.subarray(0, n)]);
    }
  };
}

export function processIO(): IO {
  noteSecretsOf(process.env);
  return {
    readLine: lineReader(),
    stdinIsTerminal: isatty(0),
    stdout: (t) => writeAll(1, t),
    stdoutBytes: (b) => writeAll(1, b),
    // stderr carries errors, which may quote a URL or a reply: no secret gets through (redact.ts)
    stderr: (t) => writeAll(2, redact(t)),
    readStdin: () => readFileSync(0),
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
  };
}

/** What only the caller's own process can do (a terminal to read, a job to wait for): it then does the work itself. */
export class OnlyTheCaller extends Error {}

export type Command = (argv: string[], io: IO) => Promise<number>;

/** Write lines with their newline. */
export const lines = (write: (t: string) => void, ls: readonly string[]) => {
  if (ls.length > 0) write(ls.map((l) => `${l}\n`).join(''));
};
