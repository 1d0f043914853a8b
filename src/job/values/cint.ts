// C integer semantics that Slurm's parsers inherit (strtol saturation, int/uint32 truncation,
// wrapping int arithmetic). Real inputs hit them ("-t -5" is stored as 2982611 days), so they are
// reproduced rather than "fixed".
import type { CNum } from '../../../grammar/values/index.js';

/** Slurm's NO_VAL (uint32 0xfffffffe) and INFINITE (0xffffffff). */
export const NO_VAL = 0xfffffffe;
export const INFINITE = 0xffffffff;

const LONG_MAX = (1n << 63n) - 1n;
const LONG_MIN = -(1n << 63n);

/** strtol(): the value of a parsed number, saturated to a 64-bit long (as a bigint). */
export function longOf(n: CNum): bigint {
  if (n.digits.length <= 15) {
    const v = Number(n.digits);
    return BigInt(n.neg ? -v : v);
  }
  const v = BigInt(n.digits) * (n.neg ? -1n : 1n);
  return v > LONG_MAX ? LONG_MAX : v < LONG_MIN ? LONG_MIN : v;
}

/** strtol() then a cast to int (what sscanf %d and atoi() give). */
export function int32Of(n: CNum): number {
  if (n.digits.length <= 15) {
    const v = Number(n.digits);
    return (n.neg ? -v : v) | 0;
  }
  return Number(BigInt.asIntN(32, longOf(n)));
}

/** strtol() then a cast to uint32. */
export function uint32Of(n: CNum): number {
  return int32Of(n) >>> 0;
}

/** strtol() value as a JS number (exact up to 2^53, saturated like strtol beyond 2^63). */
export function numberOf(n: CNum): number {
  if (n.digits.length <= 15) {
    const v = Number(n.digits);
    return n.neg ? -v : v;
  }
  return Number(longOf(n));
}

/** A C `int` built from a plain digit string (sscanf %d on digits only). */
export function int32OfDigits(digits: string, neg = false): number {
  return int32Of({ neg, digits, offset: 0 });
}
