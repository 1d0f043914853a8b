// Memory sizes (--mem, --mem-per-cpu, --mem-per-gpu, --tmp) and scontrol's display of MB values.
import { memorySyntax } from '../../../grammar/values/index.js';
// ok/fail from their own module: through the index they would load the grammar bundle
import { fail, ok } from '../../../grammar/values/result.js';
import type { Result } from '../../../grammar/values/index.js';
import { longOf } from './cint.js';

const LLONG_MAX = (1n << 63n) - 1n;
const LLONG_MIN = -(1n << 63n);
const NO_VAL64 = (1n << 64n) - 2n;
const SHIFT: Record<string, bigint> = { k: 0n, m: 0n, g: 10n, t: 20n };

/**
 * Megabytes as str_to_mbytes() reads them: strtoll() (leading whitespace and `+` allowed), then an optional
 * unit K, M, G or T (either case) that may be followed by B/b. K rounds up (`1025K` → 2). Decimals,
 * negatives, a bare `B` (`1B`) and trailing text are refused. Values beyond 2^53 lose precision.
 * Failure: `sbatch: error: Invalid --mem specification` (or the option's name), exit 255.
 */
export function parseMemory(text: string): Result<number> {
  // the common forms (`1024`, `16G`, inherited SLURM_MEM_PER_CPU) without loading the grammar: no overflow possible here
  const plain = /^(\d{1,12})(?:([KkMmGgTt])[Bb]?)?$/.exec(text);
  if (plain) {
    const v = Number(plain[1]);
    const u = plain[2]?.toLowerCase();
    return ok(u === 'k' ? Math.floor((v + 1023) / 1024) : u === 'g' ? v * 1024 : u === 't' ? v * 1048576 : v);
  }
  const parsed = memorySyntax(text);
  if (!parsed.ok) return fail(`${parsed.error.message} (expected a whole number with an optional K, M, G or T suffix)`, parsed.error.column);
  const { num, unit } = parsed.value;
  // strtoll() overflow (ERANGE) is an error; exactly LLONG_MAX is not
  if (num.digits.length >= 19) {
    const exact = BigInt(num.digits) * (num.neg ? -1n : 1n);
    if (exact > LLONG_MAX || exact < LLONG_MIN) return fail('number out of range', num.offset + 1);
  }
  const v = longOf(num);
  if (v < 0n) return fail('negative size', num.offset + 1);
  let mb = v;
  if (unit !== null) {
    const u = unit.toLowerCase();
    if (u === 'k') mb = BigInt.asIntN(64, mb + 1023n) / 1024n;
    else mb = BigInt.asIntN(64, mb << (SHIFT[u] ?? 0n));
  }
  const stored = BigInt.asUintN(64, mb);
  if (stored === NO_VAL64) return fail('size out of range', 1);
  return ok(Number(stored));
}

const UNITS = ['', 'K', 'M', 'G', 'T', 'P'];

/**
 * scontrol/squeue display of a size in MB (`MinMemoryNode=`, `TRES=mem=`, `%m`): divided by 1024 while the
 * value stays a multiple of 512 (so `1536` → `1.50G`, `250000` → `250000M`, `1024` → `1G`); fractions get
 * two decimals; beyond P the unit is `?`.
 */
export function formatMemory(mb: number): string {
  if (Math.trunc(mb) === 0) return '0';
  let num = mb;
  let unit = 2;
  while (num >= 1024 && Math.trunc(num) % 512 === 0) {
    num /= 1024;
    unit++;
  }
  const suffix = UNITS[unit] ?? '?';
  return Number.isInteger(num) ? `${num}${suffix}` : `${num.toFixed(2)}${suffix}`;
}
