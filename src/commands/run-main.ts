/**
 * The one place that turns a command into a process: run it, flush, exit with
 * its code. An unexpected exception is reported in one line, never a stack trace.
 */
import { processIO, type Command } from './io.js';

export function runMain(name: string, command: Command): void {
  command(process.argv.slice(2), processIO()).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`${name}: error: ${message}\n`);
      if (process.env.FLOW_DEBUG) process.stderr.write(`${err instanceof Error ? err.stack : ''}\n`);
      process.exitCode = 1;
    },
  );
}
