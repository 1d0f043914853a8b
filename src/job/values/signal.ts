// --signal and the signal names Slurm knows (shared with scancel --signal).
import { cnumSyntax, signalSyntax } from '../../../grammar/values/index.js';
// ok/fail from their own module: through the index they would load the grammar bundle
import { fail, ok } from '../../../grammar/values/result.js';
import type { Result } from '../../../grammar/values/index.js';
import { int32Of, numberOf } from './cint.js';

export interface SignalSpec {
  signal: number;
  /** Slurm's name for it (`USR1`) or the number as text */
  name: string;
  /** seconds before the time limit; default 60 */
  seconds: number;
  /** `B:` signal only the batch shell */
  batchOnly: boolean;
  /** `R:` may overlap a reservation with MaxStartDelay */
  reservation: boolean;
}

/** The only names Slurm 22.05 accepts (Linux numbers). SEGV, PIPE, WINCH… must be given as numbers. */
const SIGNALS: readonly [string, number][] = [
  ['HUP', 1], ['INT', 2], ['QUIT', 3], ['ABRT', 6], ['KILL', 9], ['ALRM', 14], ['TERM', 15], ['USR1', 10],
  ['USR2', 12], ['URG', 23], ['CONT', 18], ['STOP', 19], ['TSTP', 20], ['TTIN', 21], ['TTOU', 22], ['XCPU', 24],
];
const BY_NAME = new Map(SIGNALS);
const BY_NUMBER = new Map(SIGNALS.map(([n, v]) => [v, n]));

const isCSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';

/** sig_name2num(): a number followed only by blanks, or a table name with optional SIG, any case; 0 if neither. */
function sigNameToNum(text: string): number {
  let end = text.length;
  while (end > 0 && isCSpace(text[end - 1])) end--;
  const body = text.slice(0, end);
  let start = 0;
  while (isCSpace(body[start])) start++;
  const lead = body[start];
  if (lead !== undefined && ((lead >= '0' && lead <= '9') || lead === '+' || lead === '-')) {
    const num = cnumSyntax(body);
    return num.ok ? int32Of(num.value) : 0;
  }
  let name = body.slice(start).toUpperCase();
  if (name.startsWith('SIG')) name = name.slice(3);
  return BY_NAME.get(name) ?? 0;
}

/**
 * A signal name or number as `scancel --signal` and `--signal` take it: `USR1`, `SIGUSR1`, `usr1`, `10`,
 * surrounding blanks allowed; the value is truncated to 16 bits (`-1` → 65535, `65536` → invalid).
 * Only the 16 names of Slurm's table are known. scancel prints `Unknown job signal: <text>`, exit 1.
 */
export function signalNumber(nameOrNumber: string): Result<number> {
  const n = sigNameToNum(nameOrNumber) & 0xffff;
  return n >= 1 ? ok(n) : fail(`Unknown job signal: ${nameOrNumber}`, 1);
}

/** Slurm's name of a signal number (`USR1`), or the number as text. */
export function signalName(n: number): string {
  return BY_NUMBER.get(n) ?? String(n);
}

/**
 * `--signal=[R:|B:|BR:|RB:]SIG[@secs]` (letters any case, the `:` optional: `B10`, `RUSR1` work). SIG as
 * in {@link signalNumber}; secs 0-65535, default 60, nothing may follow it. `B` is an sbatch-only flag
 * (`command` 'srun'/'salloc' accept only `R`).
 * Failure: `sbatch: error: Invalid --signal specification`, exit 255.
 */
export function parseSignal(text: string, options: { command?: 'sbatch' | 'srun' | 'salloc' } = {}): Result<SignalSpec> {
  const parsed = signalSyntax(text, (options.command ?? 'sbatch') === 'sbatch');
  if (!parsed.ok) return fail(`${parsed.error.message} in signal specification`, parsed.error.column);
  const s = parsed.value;
  const signal = sigNameToNum(s.name) & 0xffff;
  if (signal < 1) return fail(`unknown signal ${JSON.stringify(s.name)}`, s.nameOffset + 1);
  let seconds = 60;
  if (s.at) {
    seconds = s.at.num ? numberOf(s.at.num) : 0;
    if (seconds < 0 || seconds > 0xffff) return fail('signal time out of range (0-65535)', s.at.offset + 2);
  }
  return ok({ signal, name: signalName(signal), seconds, batchOnly: s.batch, reservation: s.reservation });
}
