/**
 * Value kinds shared by the option table: how a piece of option text becomes a
 * typed value, with the exact message and exit code sbatch gives when it can't.
 * Pure functions; `zod` checks the ranges and enumerations.
 */
import * as z from 'zod/mini';
import { parseDateTime, parseMemory, parseTimeLimit } from '../job/values/index.js';

/** One stderr line: `raw` lines are printed as-is, others get the `sbatch: error: ` prefix. */
export type FailureLine = string | { raw: string };

export interface OptionFailure {
  exit: number;
  lines: FailureLine[];
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; failure: OptionFailure };

export const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const fail = (exit: number, ...lines: FailureLine[]): Parsed<never> => ({ ok: false, failure: { exit, lines } });
/** sbatch's `exit(-1)` after a bad value. */
export const invalid = (...lines: FailureLine[]): Parsed<never> => fail(255, ...lines);

const DECIMAL = /^[+-]?\d+$/;
const positive = z.int().check(z.positive());

/**
 * Slurm's `parse_int`: the whole text must be a decimal integer (strtol with
 * nothing left over); "positive" ones must be > 0. Its failures exit 1.
 */
export function slurmInt(text: string, option: string, mustBePositive: boolean): Parsed<number> {
  const trimmed = text.replace(/^[ \t\n\v\f\r]+/, '');
  const n = DECIMAL.test(trimmed) ? Number(trimmed) : NaN;
  if (!Number.isSafeInteger(n) || (mustBePositive && !positive.safeParse(n).success) || n > 2147483647 || n < -2147483648) {
    return fail(1, `Invalid numeric value "${text}" for ${option}.`);
  }
  return ok(n);
}

/** C's strtol: leading blanks, optional sign, as many digits as there are; 0 if none. */
export function strtol(text: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

/** strtol with its end pointer: the number and the text after what it read (all of it when it read no digit). */
export function strtolRest(text: string): [number, string] {
  const m = /^[ \t\n\v\f\r]*[+-]?\d+/.exec(text);
  return m ? [strtol(text), text.slice(m[0].length)] : [0, text];
}

export function memory(text: string, option: string): Parsed<number> {
  const r = parseMemory(text);
  return r.ok ? ok(r.value) : invalid(`Invalid ${option} specification`);
}

export function timeLimit(text: string, option: string): Parsed<number | 'UNLIMITED'> {
  const r = parseTimeLimit(text);
  return r.ok ? ok(r.value) : invalid(`Invalid ${option} specification`);
}

/** `--begin`/`--deadline`: parse_time prints its own line (no prefix) before sbatch's. */
export function dateTime(text: string, option: string, now: Date): Parsed<number> {
  const r = parseDateTime(text, now);
  if (r.ok) return ok(r.value);
  // parse_time prints its own line first, except for the inputs it has nothing to say about
  return r.error.silent ? invalid(`Invalid ${option} specification`) : invalid({ raw: r.error.message }, `Invalid ${option} specification`);
}

/** A fixed set of words, matched case-insensitively. */
export function oneOf<const T extends readonly [string, ...string[]]>(words: T) {
  const schema = z.enum(words);
  return (text: string): T[number] | undefined => {
    const r = schema.safeParse(text.toLowerCase());
    return r.success ? r.data : undefined;
  };
}

/** `--nodes`: `N` or `min-max`, each with an optional k (x1024) or m (x1048576) suffix. */
export function nodeCount(text: string): Parsed<{ min: number; max: number }> {
  const dash = text.indexOf('-');
  const minText = dash < 0 ? text : text.slice(0, dash);
  const maxText = dash < 0 ? undefined : text.slice(dash + 1);
  const min = nodesOf(minText);
  if (min === undefined) return invalid(`"${minText}" is not a valid node count`);
  if (maxText === undefined) return ok({ min, max: min });
  const max = nodesOf(maxText);
  if (max === undefined) return invalid(`"${maxText}" is not a valid node count`);
  if (max < min) return invalid(`Maximum node count ${max} is less than minimum node count ${min}`);
  return ok({ min, max });
}

function nodesOf(text: string): number | undefined {
  const m = /^[ \t]*(\d+)([kKmM]?)$/.exec(text);
  if (!m) return undefined;
  const multiplier = m[2] === '' ? 1 : m[2]!.toLowerCase() === 'k' ? 1024 : 1048576;
  return Number(m[1]) * multiplier;
}
