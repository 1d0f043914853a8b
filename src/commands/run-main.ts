/**
 * The one place that turns a command into a process: run it, exit with its
 * code. Output is written synchronously (io.ts), so exiting at once loses
 * nothing and skips waiting for sockets to close. An unexpected exception is
 * reported in one line, never a stack trace.
 */
import { processIO, type Command } from './io.js';

export function runMain(name: string, command: Command): void {
  command(process.argv.slice(2), processIO()).then(
    (code) => process.exit(code),
    (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      const io = processIO();
      io.stderr(`${name}: error: ${message}\n`);
      if (process.env.FLOW_DEBUG) io.stderr(`${err instanceof Error ? err.stack : ''}\n`);
      process.exit(1);
    },
  );
}
