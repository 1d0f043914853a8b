/**
 * How sacct prints values (src/sacct/print.c, src/common/print_fields.c):
 * dates, durations, CPU times, exit codes, unit conversion and TRES strings.
 * Pure functions.
 */
import { formatDuration, formatIsoLocal } from '../../job/values/index.js';

/** `--units` and `--noconvert`: a fixed unit (index into UNIT_CHARS), or none (convert exactly). */
export interface Units {
  /** 0 none, 1 K, 2 M, 3 G, 4 T, 5 P */
  unit?: number;
  noconvert?: boolean;
}

const UNIT_CHARS = ['', 'K', 'M', 'G', 'T', 'P'];
export const UNIT_MEGA = 2;
export const UNIT_NONE = 0;

/** `--units=X`: the unit's index, from its first letter (get_unit_type); undefined when invalid. */
export function unitOf(text: string): number | undefined {
  const i = 'KMGTP'.indexOf((text[0] ?? '').toUpperCase());
  return i < 0 ? undefined : i + 1;
}

/**
 * convert_num_unit2() with divisor 1024: to the unit asked for, else (sacct's
 * default, CONVERT_NUM_UNIT_EXACT) up while no precision is lost (while the value
 * is a multiple of 512), or not at all with --noconvert. Fractions get 2 decimals.
 */
export function convertNum(value: number, orig: number, u: Units): string {
  let num = value;
  let type = orig;
  if (u.unit !== undefined) {
    while (u.unit < type) {
      num *= 1024;
      type--;
    }
    while (u.unit > type) {
      num /= 1024;
      type++;
    }
  } else if (!u.noconvert) {
    while (num >= 1024 && Math.trunc(num) % 512 === 0) {
      num /= 1024;
      type++;
    }
  }
  const suffix = UNIT_CHARS[type] ?? '?';
  return Number.isInteger(num) ? `${num}${suffix}` : `${num.toFixed(2)}${suffix}`;
}

/** Dates: `YYYY-MM-DDTHH:MM:SS` in local time; `Unknown` for 0. */
export const dateText = (t: number): string => (t > 0 ? formatIsoLocal(t) : 'Unknown');

/** Elapsed-style durations: `HH:MM:SS`, `D-HH:MM:SS`. */
export const durationText = (seconds: number): string => formatDuration(Math.max(0, seconds));

const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** CPU times (_elapsed_time): `D-HH:MM:SS`, `HH:MM:SS`, `MM:SS.mmm` (with sub-seconds), `00:MM:SS`. */
export function cpuTimeText(seconds: number, micros = 0): string {
  let secs = Math.trunc(seconds) + Math.trunc(micros / 1e6);
  const usec = micros % 1e6;
  const sub = usec > 0 ? Math.trunc(usec / 1000) : 0;
  const days = Math.trunc(secs / 86400);
  secs -= days * 86400;
  const h = Math.trunc(secs / 3600);
  const m = Math.trunc(secs / 60) % 60;
  const s = secs % 60;
  if (days) return `${days}-${two(h)}:${two(m)}:${two(s)}`;
  if (h) return `${two(h)}:${two(m)}:${two(s)}`;
  if (sub) return `${two(m)}:${two(s)}.${String(sub).padStart(3, '0')}`;
  return `00:${two(m)}:${two(s)}`;
}

/** A time limit in minutes (mins2time_str): `HH:MM:SS`, `D-HH:MM:SS`. */
export const minutesText = (minutes: number): string => formatDuration(minutes * 60);

/** `N:S` as stored, as sacct prints it: an exit status of 128 or more loses the 128. */
export function exitText(stored: string): string {
  const colon = stored.indexOf(':');
  if (colon < 0) return stored || '0:0';
  const code = Number(stored.slice(0, colon));
  return code >= 128 ? `${code - 128}${stored.slice(colon)}` : stored;
}

/** The highest of some stored `N:S` exit codes as sacct prints them (a job's DerivedExitCode over its steps); `0:0` for none. */
export function highestExit(exits: Iterable<string>): string {
  let best = '0:0';
  let bestCode = 0;
  let bestSignal = 0;
  for (const stored of exits) {
    const e = exitText(stored || '0:0');
    const colon = e.indexOf(':');
    const code = Number(e.slice(0, colon)) || 0;
    const signal = Number(e.slice(colon + 1)) || 0;
    if (code > bestCode || (code === bestCode && signal > bestSignal)) {
      best = e;
      bestCode = code;
      bestSignal = signal;
    }
  }
  return best;
}

/** The parts of a stored `N:S` exit code. */
export function exitParts(stored: string): { code: number; signal: number } {
  const colon = stored.indexOf(':');
  if (colon < 0) return { code: Number(stored) || 0, signal: 0 };
  return { code: Number(stored.slice(0, colon)) || 0, signal: Number(stored.slice(colon + 1)) || 0 };
}

/** One TRES of a job or step: its name (`cpu`, `gres/gpu`) and count (memory in MB). */
export interface Tres {
  name: string;
  count: number;
}

/**
 * A TRES list as sacct prints it (slurmdb_make_tres_string_from_simple):
 * `billing=2,cpu=2,gres/gpu=1,mem=4G,node=1`, by name, memory unit-converted.
 */
export function tresText(list: readonly Tres[], u: Units): string {
  const sorted = [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return sorted.map((t) => `${t.name}=${t.name === 'mem' ? convertNum(t.count, UNIT_MEGA, u) : t.count}`).join(',');
}

/** strsignal() of Linux, for `--json` exit codes. */
export const SIGNAL_NAMES: Readonly<Record<number, string>> = {
  1: 'Hangup', 2: 'Interrupt', 3: 'Quit', 4: 'Illegal instruction', 5: 'Trace/breakpoint trap', 6: 'Aborted',
  7: 'Bus error', 8: 'Floating point exception', 9: 'Killed', 10: 'User defined signal 1', 11: 'Segmentation fault',
  12: 'User defined signal 2', 13: 'Broken pipe', 14: 'Alarm clock', 15: 'Terminated', 16: 'Stack fault',
  17: 'Child exited', 18: 'Continued', 19: 'Stopped (signal)', 20: 'Stopped', 21: 'Stopped (tty input)',
  22: 'Stopped (tty output)', 23: 'Urgent I/O condition', 24: 'CPU time limit exceeded', 25: 'File size limit exceeded',
  26: 'Virtual timer expired', 27: 'Profiling timer expired', 28: 'Window changed', 29: 'I/O possible',
  30: 'Power failure', 31: 'Bad system call',
};
