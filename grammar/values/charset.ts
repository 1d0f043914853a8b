// Character sets for the value tokens (tokens.ts): sorted, disjoint, inclusive ranges of UTF-16 code
// units, from which a token gets both its pattern (classOf) and the characters it can start with
// (startChars, Chevrotain's START_CHARS_HINT).
export type CharSet = readonly (readonly [number, number])[];

/** Every UTF-16 unit. */
export const ALL: CharSet = [[0, 0xffff]];

function normalise(ranges: (readonly [number, number])[]): CharSet {
  const sorted = [...ranges].sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/** The characters of `chars`. */
export const of = (chars: string): CharSet => normalise([...chars].map((c) => [c.charCodeAt(0), c.charCodeAt(0)] as const));
/** The units from `from` to `to`. */
export const span = (from: string, to: string): CharSet => [[from.charCodeAt(0), to.charCodeAt(0)]];
export const union = (...sets: CharSet[]): CharSet => normalise(sets.flat());
/** Every UTF-16 unit except `chars`, written as positive ranges: Chevrotain cannot index the first
 * characters of a complement class such as /[^,]+/. */
export function except(chars: string): CharSet {
  const out: [number, number][] = [];
  let lo = 0;
  for (const [a, b] of of(chars)) {
    if (a > lo) out.push([lo, a - 1]);
    lo = b + 1;
  }
  if (lo <= 0xffff) out.push([lo, 0xffff]);
  return out;
}

/** The set as a regexp character class (each unit written as a \uXXXX escape). */
export function classOf(set: CharSet): string {
  const hex = (n: number): string => `\\u${n.toString(16).padStart(4, '0')}`;
  return `[${set.map(([lo, hi]) => (lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`)).join('')}]`;
}

/** START_CHARS_HINT of a set: its codes below U+0100, which Chevrotain indexes one by one, and above
 * that one code in every 128, enough to reach each of the 255-code groups Chevrotain indexes them by. */
export function startChars(set: CharSet): number[] {
  const codes: number[] = [];
  for (const [lo, hi] of set) {
    for (let c = lo; c <= Math.min(hi, 0xff); c++) codes.push(c);
    if (hi > 0xff) {
      for (let c = Math.max(lo, 0x100); c < hi; c += 128) codes.push(c);
      codes.push(hi);
    }
  }
  return codes;
}
