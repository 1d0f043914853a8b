/**
 * What a command may touch of its process: argv comes separately; output,
 * input, the environment, the working directory and the clock come through
 * here, so commands return exit codes and tests can run them in-process.
 */
import { readFileSync } from 'node:fs';

export interface IO {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Buffer;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  now(): Date;
}

export function processIO(): IO {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    readStdin: () => readFileSync(0),
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
  };
}

export type Command = (argv: string[], io: IO) => Promise<number>;

/** Write lines with their newline. */
export const lines = (write: (t: string) => void, ls: readonly string[]) => {
  if (ls.length > 0) write(ls.map((l) => `${l}\n`).join(''));
};
