// Time limits (-t/--time, --time-min) and the three duration display styles.
import { timeLimitSyntax } from '../../../grammar/values/index.js';
// ok/fail from their own module: through the index they would load the grammar bundle
import { fail, ok } from '../../../grammar/values/result.js';
import type { Result, TimeSyntax } from '../../../grammar/values/index.js';
import { INFINITE, int32OfDigits } from './cint.js';

export type TimeLimit = number | 'UNLIMITED';

const FORMS = 'expected MM, MM:SS, HH:MM:SS, DD-HH, DD-HH:MM, DD-HH:MM:SS, INFINITE or UNLIMITED';

/** A field time_str2secs() reads with sscanf %d; 0 when absent. */
const n = (digits: string | null): number => (digits === null ? 0 : int32OfDigits(digits));

/** Seconds as time_str2secs() computes them: sscanf %d fields and C int arithmetic (it wraps). */
function secondsOf(s: Exclude<TimeSyntax, { kind: 'word' }>): number {
  let total: number;
  if (s.kind === 'days') {
    const d = s.lead ? int32OfDigits(s.d ?? '0', true) : n(s.d);
    total = Math.imul(d, 86400) + Math.imul(n(s.h), 3600) + Math.imul(n(s.m), 60) + n(s.s);
  } else if (s.c !== null) {
    total = Math.imul(n(s.a), 3600) + Math.imul(n(s.b), 60) + n(s.c);
  } else {
    total = Math.imul(n(s.a), 60) + n(s.b);
  }
  return total | 0;
}

/**
 * `-t`/`--time-min` value in minutes (seconds round up), or 'UNLIMITED' for `INFINITE`, `UNLIMITED` (any
 * case), `-1` and `0`. Accepted: `M`, `M:S`, `H:M:S`, `D-H`, `D-H:M`, `D-H:M:S`, also `D-` and `-D`.
 * Numbers overflow like Slurm's C ints do (`-5` → 4294960097 minutes, shown `2982611-04:17:00`).
 * Failure: sbatch prints `sbatch: error: Invalid --time specification` (or `--time-min`), exit 255.
 */
export function parseTimeLimit(text: string): Result<TimeLimit> {
  if (text === '-1') return ok('UNLIMITED');
  const parsed = timeLimitSyntax(text);
  if (!parsed.ok) return fail(`${parsed.error.message} (${FORMS})`, parsed.error.column);
  const s = parsed.value;
  if (s.kind === 'word') {
    const w = s.word.toLowerCase();
    return w === 'infinite' || w === 'unlimited' ? ok('UNLIMITED') : fail(`unknown word ${JSON.stringify(s.word)} (${FORMS})`, 1);
  }
  const secs = secondsOf(s);
  // time_str2mins(): -1 (INFINITE) and -2 (NO_VAL) pass through, the rest rounds up to whole minutes
  const mins = secs === -1 || secs === -2 ? secs : Math.trunc(((secs + 59) | 0) / 60);
  if (mins === -2) return fail(`time value out of range (${FORMS})`, 1);
  if (mins === 0 || mins === -1) return ok('UNLIMITED');
  return ok(mins >>> 0);
}

const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** scontrol/sacct style: `HH:MM:SS` or `D-HH:MM:SS`; `UNLIMITED`; `INVALID` when negative. */
export function formatDuration(seconds: number | 'UNLIMITED'): string {
  if (seconds === 'UNLIMITED' || seconds === INFINITE) return 'UNLIMITED';
  if (seconds < 0) return 'INVALID';
  const t = Math.trunc(seconds);
  const days = Math.trunc(t / 86400);
  const body = `${two(Math.trunc(t / 3600) % 24)}:${two(Math.trunc(t / 60) % 60)}:${two(t % 60)}`;
  return days ? `${days}-${body}` : body;
}

/** `TimeLimit=`/`TimeMin=` style for a limit in minutes: `00:02:00`, `1-02:30:00`, `UNLIMITED`. */
export function formatTimeLimit(minutes: TimeLimit): string {
  if (minutes === 'UNLIMITED' || minutes === INFINITE) return 'UNLIMITED';
  const m = minutes >>> 0;
  const days = Math.floor(m / 1440);
  const body = `${two(Math.floor(m / 60) % 24)}:${two(m % 60)}:00`;
  return days ? `${days}-${body}` : body;
}

/**
 * squeue style (`%M %l %L`): `M:SS`, `H:MM:SS`, `D-HH:MM:SS`, no leading zero on the first unit;
 * `UNLIMITED`; `INVALID` when negative or more than 365 days (also for time limits).
 */
export function formatSqueueDuration(seconds: number | 'UNLIMITED'): string {
  if (seconds === 'UNLIMITED') return 'UNLIMITED';
  const t = Math.trunc(seconds);
  if (t < 0 || t > 365 * 24 * 3600) return 'INVALID';
  const days = Math.trunc(t / 86400);
  const hours = Math.trunc(t / 3600) % 24;
  const mins = Math.trunc(t / 60) % 60;
  const secs = t % 60;
  if (days) return `${days}-${two(hours)}:${two(mins)}:${two(secs)}`;
  if (hours) return `${hours}:${two(mins)}:${two(secs)}`;
  return `${mins}:${two(secs)}`;
}
