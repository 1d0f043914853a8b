/**
 * The one place that turns a command into a process: run it, exit with its
 * code. Output is written synchronously (io.ts), so exiting at once loses
 * nothing and skips waiting for sockets to close. Anything unexpected (a
 * rejected command, an exception thrown in a callback, a promise nobody
 * awaited) is reported in one line, `<cmd>: error: <message>`, with exit 1,
 * never a stack trace; FLOW_DEBUG=1 adds the stack. Secrets never show
 * (stderr goes through redact.ts).
 */
import { processIO, type Command } from './io.js';

/** Longer messages are cut: an error quoting a reply must not flood the terminal. */
const MAX_MESSAGE = 400;

/** An exception as one line of text. */
export function errorLine(name: string, err: unknown): string {
  const raw = err instanceof Error ? err.message || err.name : String(err);
  const flat = raw.replace(/\s*[\r\n]+\s*/g, ' ').trim() || 'unexpected error';
  const message = flat.length > MAX_MESSAGE ? `${flat.slice(0, MAX_MESSAGE)}...` : flat;
  return `${name}: error: ${message}\n`;
}

export function runMain(name: string, command: Command): void {
  const io = processIO();
  let failed = false;
  const fail = (err: unknown) => {
    if (failed) return; // a second fault while reporting the first
    failed = true;
    io.stderr(errorLine(name, err));
    if (io.env.FLOW_DEBUG === '1' && err instanceof Error && err.stack) io.stderr(`${err.stack}\n`);
    process.exit(1);
  };
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  command(process.argv.slice(2), io).then((code) => process.exit(code), fail);
}
