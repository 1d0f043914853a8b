/**
 * Where each task's stdin, stdout and stderr go (srun -i/-o/-e), as recorded
 * on 22.05 (fixtures/oracle/srun io-patterns, stdin, direct-output):
 * - stdin: by default srun's own stdin goes to every task (`--input=all`);
 *   `-i N` to task N only, `-i none` to none, `-i file` (a pattern, `%t`...)
 *   to each task its file.
 * - stdout: through srun by default; `-o pattern` into files (one per task
 *   with `%t`, shared otherwise); `-o N` shows task N's only; `none` drops it.
 * - stderr: follows -o unless -e is given (`-e` alone leaves stdout with srun).
 * Patterns: `%j %s %J %t %n %N %x %u %A %a %%` with widths; `%N` is the
 * emulated node's name (real Slurm here writes the machine's host name).
 * Pure.
 */
import { expandFilenamePattern, type PatternContext } from '../job/values/fname.js';

export type InputPlan = { kind: 'srun' } | { kind: 'null' } | { kind: 'file'; path: string };
export type OutputPlan = { kind: 'srun' } | { kind: 'null' } | { kind: 'file'; path: string };

export interface TaskStdio {
  stdin: InputPlan;
  stdout: OutputPlan;
  stderr: OutputPlan;
}

export interface StdioOptions {
  input?: string;
  output?: string;
  error?: string;
}

export type TaskPatternContext = Omit<PatternContext, 'workDir'> & { workDir: string };

const taskNumber = (v: string) => (/^\d+$/.test(v) ? Number(v) : undefined);

function output(pattern: string | undefined, ctx: TaskPatternContext): OutputPlan {
  if (pattern === undefined) return { kind: 'srun' };
  const only = taskNumber(pattern);
  if (only !== undefined) return only === ctx.taskId ? { kind: 'srun' } : { kind: 'null' };
  if (pattern.toLowerCase() === 'none') return { kind: 'null' };
  return { kind: 'file', path: expandFilenamePattern(pattern, ctx) };
}

export function taskStdio(o: StdioOptions, ctx: TaskPatternContext): TaskStdio {
  let stdin: InputPlan;
  const input = o.input;
  if (input === undefined || input.toLowerCase() === 'all') stdin = { kind: 'srun' };
  else if (input.toLowerCase() === 'none') stdin = { kind: 'null' };
  else if (taskNumber(input) !== undefined) stdin = taskNumber(input) === ctx.taskId ? { kind: 'srun' } : { kind: 'null' };
  else stdin = { kind: 'file', path: expandFilenamePattern(input, ctx) };
  const stdout = output(o.output, ctx);
  const stderr = o.error === undefined ? stdout : output(o.error, ctx);
  return { stdin, stdout, stderr };
}
